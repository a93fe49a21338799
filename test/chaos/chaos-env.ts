// Import first in the chaos suite: lib/deliveries/config.ts reads these once per process.
// The engine rounds sub-second sleeps up to 1 s (as Inngest does), so "0,200ms,400ms" would
// record next_attempt_at values the engine never honours; 1 s waits are the shortest real ones.
process.env.WEBHOOK_RETRY_SCHEDULE = "0,1s,1s";
process.env.WEBHOOK_TIMEOUT = "1s";
// The app's production pool size (test/support/setup-env.ts defaults tests to 3): this suite
// runs 64 step calls at once, as a real deployment would.
process.env.DATABASE_POOL_SIZE = "10";
export { enginePort } from "../deliveries/engine-env";
