// The engine's share of /metrics: its backlog, read from its own tables when asked. Served on the
// engine's port (GET /metrics, Bearer METRICS_TOKEN) for the app's /metrics to gather; the
// process label tells its series from those of the app's processes.
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { Store } from "./store";

export interface EngineMetrics {
  /** Prometheus text, or prom-client's JSON (for aggregation) when `json`. */
  render(json: boolean): Promise<{ contentType: string; body: string }>;
}

export function engineMetrics(store: Store, now: () => number = Date.now): EngineMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process: "engine" });
  collectDefaultMetrics({ register: registry, prefix: "db24x7_" });
  const registers = [registry];
  const due = new Gauge({
    name: "db24x7_engine_backlog",
    help: "Function calls due now, waiting for a free slot or in flight (runs queued to run)",
    registers,
  });
  const oldest = new Gauge({
    name: "db24x7_engine_oldest_due_age_seconds",
    help: "How long the oldest due function call has been due (0 when none is)",
    registers,
  });
  const batchItems = new Gauge({
    name: "db24x7_engine_batch_waiting",
    help: "Events waiting to be gathered into a batched run",
    registers,
  });
  const oldestBatch = new Gauge({
    name: "db24x7_engine_batch_oldest_age_seconds",
    help: "Age of the oldest event waiting for a batched run (0 when none is)",
    registers,
  });
  return {
    async render(json) {
      const at = now();
      const backlog = await store.queue.backlog(at);
      due.set(backlog.due);
      oldest.set(backlog.oldestDueAt === null ? 0 : (at - backlog.oldestDueAt) / 1000);
      batchItems.set(backlog.batchItems);
      oldestBatch.set(backlog.oldestBatchItemAt === null ? 0 : Math.max(0, at - backlog.oldestBatchItemAt) / 1000);
      return json
        ? { contentType: "application/json", body: JSON.stringify(await registry.getMetricsAsJSON()) }
        : { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
