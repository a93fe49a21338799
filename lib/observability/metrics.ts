// The work this process does, counted for Prometheus (GET /metrics). Every process of the stack
// keeps its own registry, labelled with its name (next, worker): Next.js's /metrics gathers
// them (lib/observability/scrape.ts), and a process that restarts resets its own series only,
// which Prometheus's rate() reads as the reset it is.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const METRIC_PREFIX = "db24x7_";

function create(processName: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];
  return {
    registry,
    eventsPublished: new Counter({
      name: `${METRIC_PREFIX}events_published_total`,
      help: "Events stored by POST /api/v1/events (a repeated producer id is not counted again)",
      registers,
    }),
    deliveriesCreated: new Counter({
      name: `${METRIC_PREFIX}deliveries_created_total`,
      help: "Deliveries created by published events (one per subscribed endpoint)",
      registers,
    }),
    attempts: new Counter({
      name: `${METRIC_PREFIX}delivery_attempts_total`,
      help: "HTTP requests made to endpoints, by result (success or the error class) and trigger",
      labelNames: ["result", "trigger"] as const,
      registers,
    }),
    deliveriesCompleted: new Counter({
      name: `${METRIC_PREFIX}deliveries_completed_total`,
      help: "Deliveries settled by an attempt, by final status (succeeded, failed)",
      labelNames: ["status"] as const,
      registers,
    }),
    attemptDuration: new Histogram({
      name: `${METRIC_PREFIX}delivery_attempt_duration_seconds`,
      help: "Duration of one HTTP request to an endpoint, by result",
      labelNames: ["result"] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    firstAttemptDelay: new Histogram({
      name: `${METRIC_PREFIX}delivery_first_attempt_delay_seconds`,
      help: "From publish to the start of a delivery's first scheduled attempt",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof create>;

// One registry per process: a Turbopack production build has several module graphs, and each
// would otherwise count into a registry of its own.
const globalForMetrics = globalThis as unknown as { db24x7Metrics?: Metrics; db24x7ProcessName?: string };

/** Names this process in its metrics (before the first is counted); Next.js is "next". */
export function nameMetricsProcess(name: string): void {
  globalForMetrics.db24x7ProcessName = name;
}

export function metrics(): Metrics {
  return (globalForMetrics.db24x7Metrics ??= create(globalForMetrics.db24x7ProcessName ?? "next"));
}
