// `npm run engine`: the embedded Inngest engine as its own process.
//   DATABASE_URL                 PostgreSQL for the engine's state (required)
//   INNGEST_ENGINE_HOST/PORT     listen address (127.0.0.1:8288)
//   INNGEST_APP_URL              the app's serve URL, synced on start and kept synced
//   INNGEST_SIGNING_KEY          signed (cloud) mode: calls signed both ways, /fn/register and
//                                /v1/* need the key's hash as bearer
//   INNGEST_EVENT_KEY            required in the event API's path (/e/{key}) when set
//   METRICS_TOKEN                serves GET /metrics (Bearer token) when set
//   INNGEST_ENGINE_SCHEMA        schema for the engine's tables (inngest_engine)
//   INNGEST_ENGINE_BACKOFF       retry delays "1s,5s,30s" or a scale of the server's ("0.1")
//   INNGEST_ENGINE_MAX_IN_FLIGHT calls to the app at once (64)
//   INNGEST_ENGINE_DB_POOL       PostgreSQL connections (5)
//   INNGEST_ENGINE_RESYNC_MS     periodic re-sync interval (30000)
import { optionsFromEnv } from "./config";
import { startEngine } from "./engine";
import { stdoutLogger } from "./log";

try {
  const engine = await startEngine(optionsFromEnv(process.env));
  const shutdown = () => {
    engine.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
} catch (error) {
  stdoutLogger("error", "engine failed to start", { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
