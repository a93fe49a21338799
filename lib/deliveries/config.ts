// Delivery settings from the environment, read once per process.
import { parseDuration, retrySchedule } from "./schedule";

function read() {
  const endpointConcurrency = Number(process.env.WEBHOOK_ENDPOINT_CONCURRENCY || 10);
  const batchConcurrency = Number(process.env.WEBHOOK_BATCH_CONCURRENCY || 4);
  return {
    schedule: retrySchedule(),
    timeoutMs: parseDuration(process.env.WEBHOOK_TIMEOUT || "10s"),
    // Deliveries to one endpoint in flight at once, so a slow receiver cannot starve others.
    endpointConcurrency,
    // An endpoint whose deliveries have all failed for this long is disabled automatically.
    autoDisableAfterMs: parseDuration(process.env.WEBHOOK_AUTO_DISABLE_AFTER || "5d"),
    userAgent: "DB24x7-Webhooks/1.0 (+https://db24x7.com/docs/webhooks)",
    // First attempts go out in batches (inngest/functions/deliver-first-attempts.ts): up to
    // batchSize published events (each with all its deliveries) per run, gathered for at most
    // batchWait, batchConcurrency runs at once.
    // (0.05 s against 0.1 s, measured: p99 at 100 events/s 216 ms against 344, and no loss of throughput.)
    batchSize: Number(process.env.WEBHOOK_BATCH_SIZE || 100),
    batchWait: batchWait(process.env.WEBHOOK_BATCH_WAIT || "0.05s"),
    batchConcurrency,
    // Each batch run gets a share of an endpoint's concurrency, so all of them together stay
    // within endpointConcurrency.
    batchEndpointConcurrency: Math.max(1, Math.floor(endpointConcurrency / batchConcurrency)),
    // A batch starts no attempt after this long; what is left goes on in per-delivery runs,
    // so one slow endpoint cannot hold the others' first attempts for long.
    batchBudgetMs: parseDuration(process.env.WEBHOOK_BATCH_BUDGET || "15s"),
  };
}

// Inngest takes a batch's wait in seconds only ("0.1s", "2s").
function batchWait(text: string): `${number}s` {
  if (!/^\d+(\.\d+)?s$/.test(text)) throw new Error(`WEBHOOK_BATCH_WAIT must be seconds such as 0.1s or 2s, got "${text}"`);
  return text as `${number}s`;
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
