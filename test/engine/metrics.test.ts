// The engine's share of /metrics: its backlog read from its own tables (calls due and how long
// the oldest has waited, events waiting for a batch), and GET /metrics on its port, served only
// to METRICS_TOKEN and not at all without one.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { engineMetrics } from "../../inngest/engine/metrics";
import { Store } from "../../inngest/engine/store";
import { databaseUrl, dropSchema, startTestEngine, type TestEngine } from "./support/harness";

const TOKEN = "engine-metrics-token-0123456789";
const schemas = ["engine_metrics_store", "engine_metrics_served", "engine_metrics_off"];
const engines: TestEngine[] = [];
const pools: pg.Pool[] = [];

afterAll(async () => {
  for (const engine of engines) await engine.stop();
  for (const pool of pools) await pool.end();
  for (const schema of schemas) await dropSchema(schema);
});

const value = (text: string, name: string) => Number(new RegExp(`^${name}\\{process="engine"\\} (\\S+)$`, "m").exec(text)?.[1]);

describe("engine metrics", () => {
  it("report the calls due, the oldest one's wait and the events waiting for a batch", async () => {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    pools.push(pool);
    const store = new Store(pool, schemas[0]!);
    await store.migrate();
    const now = 1_800_000_000_000;
    const metrics = engineMetrics(store, () => now);
    expect(value((await metrics.render(false)).body, "db24x7_engine_backlog")).toBe(0);
    expect(value((await metrics.render(false)).body, "db24x7_engine_oldest_due_age_seconds")).toBe(0);

    await pool.query(
      `INSERT INTO ${store.s}.queue (run_id, step_id, attempt, due_at) VALUES ('r1', 'step', 0, $1), ('r2', 'step', 0, $2), ('r3', 'step', 0, $3)`,
      [now - 5_000, now - 1_000, now + 60_000],
    );
    await pool.query(
      `INSERT INTO ${store.s}.batch_items (fn_id, batch_key, event, created_at, flush_at) VALUES ('f', '', '{}', $1, $2)`,
      [now - 2_000, now + 1_000],
    );
    const text = (await metrics.render(false)).body;
    expect(value(text, "db24x7_engine_backlog")).toBe(2);
    expect(value(text, "db24x7_engine_oldest_due_age_seconds")).toBe(5);
    expect(value(text, "db24x7_engine_batch_waiting")).toBe(1);
    expect(value(text, "db24x7_engine_batch_oldest_age_seconds")).toBe(2);
  });

  it("are served on the engine's port to the token only, as text or as prom-client's JSON", async () => {
    const engine = await startTestEngine({ schema: schemas[1]!, metricsToken: TOKEN });
    engines.push(engine);
    for (const authorization of [undefined, "Bearer not-the-token-0123456789", TOKEN]) {
      const res = await fetch(`${engine.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
    }
    const text = await fetch(`${engine.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(text.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(value(await text.text(), "db24x7_engine_backlog")).toBe(0);
    const json = await fetch(`${engine.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}`, accept: "application/json" } });
    const metrics = (await json.json()) as Array<{ name: string }>;
    expect(metrics.map((m) => m.name)).toContain("db24x7_engine_backlog");

    const off = await startTestEngine({ schema: schemas[2]! });
    engines.push(off);
    expect((await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});
