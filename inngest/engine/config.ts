// Engine options from the environment (see main.ts).
import { backoffFromEnv } from "./backoff";
import type { EngineOptions } from "./engine";

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv): EngineOptions {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is required (the PostgreSQL database the engine keeps its state in)");
  return {
    databaseUrl,
    host: env.INNGEST_ENGINE_HOST || undefined,
    port: integer("INNGEST_ENGINE_PORT", env.INNGEST_ENGINE_PORT),
    appUrl: env.INNGEST_APP_URL || undefined,
    signingKey: env.INNGEST_SIGNING_KEY || undefined,
    eventKey: env.INNGEST_EVENT_KEY || undefined,
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    schema: env.INNGEST_ENGINE_SCHEMA || undefined,
    backoff: backoffFromEnv(env.INNGEST_ENGINE_BACKOFF),
    maxInFlight: integer("INNGEST_ENGINE_MAX_IN_FLIGHT", env.INNGEST_ENGINE_MAX_IN_FLIGHT),
    dbPoolSize: integer("INNGEST_ENGINE_DB_POOL", env.INNGEST_ENGINE_DB_POOL),
    resyncIntervalMs: integer("INNGEST_ENGINE_RESYNC_MS", env.INNGEST_ENGINE_RESYNC_MS),
  };
}
