// Delivery settings from the environment, read once per process.
import { parseDuration, retrySchedule } from "./schedule";

function read() {
  return {
    schedule: retrySchedule(),
    timeoutMs: parseDuration(process.env.WEBHOOK_TIMEOUT || "10s"),
    // Deliveries to one endpoint in flight at once, so a slow receiver cannot starve others.
    endpointConcurrency: Number(process.env.WEBHOOK_ENDPOINT_CONCURRENCY || 10),
    // An endpoint whose deliveries have all failed for this long is disabled automatically.
    autoDisableAfterMs: parseDuration(process.env.WEBHOOK_AUTO_DISABLE_AFTER || "5d"),
    userAgent: "DB24x7-Webhooks/1.0 (+https://db24x7.com/docs/webhooks)",
  };
}

let cached: ReturnType<typeof read> | undefined;

export function deliveryConfig() {
  return (cached ??= read());
}

// Interactive transactions on the delivery path wait this long for a connection and may run
// this long. Prisma's defaults (2 s and 5 s) fail a step under load (P2028 "Unable to start a
// transaction in the given time"), and every failed step waits out Inngest's retry backoff
// (15 s and more) and spends one of the run's few retries.
export const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 30_000 } as const;
