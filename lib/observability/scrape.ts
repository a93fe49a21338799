// What GET /metrics answers: this process's counters, the installation's state read from the
// database at scrape time, and the counters of the stack's other processes (the delivery worker,
// the engine), fetched from their own GET /metrics on loopback with the same token and merged
// with prom-client's AggregatorRegistry. Each process's series carry its name (process label),
// so nothing is summed across processes here; the database gauges carry none.
import "server-only";
import { AggregatorRegistry, Gauge, Registry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import { setting } from "../config";
import { sqlQuery } from "../db";
import { deliveryConfig } from "../deliveries/config";
import { HEALTH_STATES, healthStateSql } from "../webhooks/health";
import { METRIC_PREFIX, metrics } from "./metrics";

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

const PEER_TIMEOUT_MS = 3_000;

// Both read every account's rows: this is the operator's view of the installation, behind
// METRICS_TOKEN, not a user's. Waiting deliveries are counted from a partial index holding only
// them (migration 20261202033000_waiting_deliveries): the count costs what is waiting, not the
// whole history.
const WAITING_SQL = `
SELECT status::text AS status, count(*)::int AS count
  FROM deliveries WHERE status IN ('pending', 'retrying') GROUP BY status`;

const healthSql = (failingAfter: number) => `
SELECT ${healthStateSql("w", { failingAfter })} AS health, count(*)::int AS count
  FROM webhook_endpoints w WHERE w.deleted_at IS NULL GROUP BY 1`;

async function databaseMetrics(): Promise<MetricsJson> {
  const registry = new Registry();
  const waiting = new Gauge({
    name: `${METRIC_PREFIX}deliveries_waiting`,
    help: "Deliveries not settled yet, by status: pending (first attempt to come) or retrying",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  const endpoints = new Gauge({
    name: `${METRIC_PREFIX}endpoints`,
    help: "Endpoints (not deleted) by health state: healthy, degraded, failing, disabled",
    labelNames: ["health"] as const,
    registers: [registry],
  });
  const [waitingRows, healthRows] = await Promise.all([
    sqlQuery<{ status: string; count: number }>("metrics_waiting", WAITING_SQL, []),
    sqlQuery<{ health: string; count: number }>("metrics_health", healthSql(deliveryConfig().failingAfter), []),
  ]);
  for (const status of ["pending", "retrying"]) {
    waiting.set({ status }, waitingRows.rows.find((r) => r.status === status)?.count ?? 0);
  }
  for (const health of HEALTH_STATES) endpoints.set({ health }, healthRows.rows.find((r) => r.health === health)?.count ?? 0);
  return registry.getMetricsAsJSON();
}

async function peerMetrics(url: string, token: string): Promise<MetricsJson | null> {
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
      redirect: "error",
    });
    if (!res.ok) throw new Error(`answered ${res.status}`);
    return (await res.json()) as MetricsJson;
  } catch (error) {
    // The URL is ours (loopback, from scripts/run.ts); the token is never part of the message.
    console.error(`[metrics] ${url}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** The whole stack's metrics in Prometheus text format. */
export async function scrapeMetrics(token: string): Promise<{ contentType: string; body: string }> {
  const peers = setting("DB24X7_METRICS_PEERS");
  const [own, database, ...fromPeers] = await Promise.all([
    metrics().registry.getMetricsAsJSON(),
    databaseMetrics(),
    ...peers.map((url) => peerMetrics(url, token)),
  ]);
  const scrape = new Registry();
  const up = new Gauge({
    name: `${METRIC_PREFIX}metrics_peer_up`,
    help: "Whether this scrape reached the process's metrics (1) or not (0)",
    labelNames: ["peer"] as const,
    registers: [scrape],
  });
  peers.forEach((url, i) => up.set({ peer: url }, fromPeers[i] ? 1 : 0));
  const merged = AggregatorRegistry.aggregate([own, database, await scrape.getMetricsAsJSON(), ...fromPeers.filter((m) => m !== null)]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
