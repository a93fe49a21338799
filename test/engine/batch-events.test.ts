// batchEvents: events become pending batch items, flushed into one run by size or by timeout,
// per key, deduplicated by event id, under the function's concurrency limit, reported whole in
// inngest/function.failed, durable across kill -9, and refused at sync where unsupported.
import { NonRetriableError } from "inngest";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Batcher } from "../../inngest/engine/batches";
import type { Registry } from "../../inngest/engine/registry";
import { Store, type NewBatchItem, type QueueItem } from "../../inngest/engine/store";
import {
  databaseUrl,
  devClient,
  dropSchema,
  freePort,
  getJson,
  runDetail,
  spawnEngine,
  startApp,
  startTestEngine,
  syncApp,
  waitFor,
  waitForRuns,
  type EngineProcess,
  type TestApp,
  type TestEngine,
} from "./support/harness";

interface BatchOutput {
  ids: string[];
  first: string;
  tags: string[];
}

/** A batch function's reply: the ids of `events` in order, `event`'s id, and each event's tag. */
function describeBatch({ event, events }: { event: { id?: string }; events: Array<{ id?: string; data: unknown }> }): BatchOutput {
  return {
    ids: events.map((e) => e.id!),
    first: event.id!,
    tags: events.map((e) => String((e.data as { tag?: unknown }).tag ?? "")),
  };
}

// The SDK types batchEvents.timeout as `${number}s`: write "0.1s", not "100ms".
const SIZED_TIMEOUT_MS = 2_000;

describe("batchEvents", () => {
  const schema = "engine_test_batch";
  let engine: TestEngine;
  let app: TestApp;
  let inFlight = 0;
  let maxInFlight = 0;
  let limitedEvents = 0;
  const loadSeen: string[] = [];
  const failures: Array<{ event: string; events: string[] }> = [];

  async function outputs(fnId: string, count: number): Promise<Array<BatchOutput & { created_at: number; batch_size: number }>> {
    const runs = await waitForRuns(engine, fnId, count);
    const details = await Promise.all(runs.map((r) => runDetail(engine, r.id)));
    return details
      .map((d) => ({ ...(d.output as BatchOutput), created_at: d.created_at as number, batch_size: d.batch_size as number }))
      .sort((a, b) => a.created_at - b.created_at || a.ids[0]!.localeCompare(b.ids[0]!));
  }

  beforeAll(async () => {
    await dropSchema(schema);
    const port = await freePort();
    const inngest = devClient("batch-app", port);
    const sized = inngest.createFunction(
      { id: "sized", batchEvents: { maxSize: 10, timeout: "2s" }, triggers: [{ event: "batch/sized" }] },
      async (ctx) => describeBatch(ctx),
    );
    const keyed = inngest.createFunction(
      {
        id: "keyed",
        batchEvents: { maxSize: 3, timeout: "0.5s", key: "event.data.account" },
        triggers: [{ event: "batch/keyed" }],
      },
      async ({ events }) => ({ accounts: events.map((e) => (e.data as { account: string }).account), ids: events.map((e) => e.id) }),
    );
    const limited = inngest.createFunction(
      {
        id: "limited",
        batchEvents: { maxSize: 2, timeout: "0.1s" },
        concurrency: { limit: 1 },
        triggers: [{ event: "batch/limited" }],
      },
      async ({ events, step }) => {
        await step.run("work", async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 30));
          inFlight--;
          limitedEvents += events.length;
        });
        return events.length;
      },
    );
    const failing = inngest.createFunction(
      {
        id: "failing",
        retries: 10,
        batchEvents: { maxSize: 3, timeout: "5s" },
        triggers: [{ event: "batch/failing" }],
        onFailure: async ({ event }) => {
          const data = event.data as unknown as { event: { id: string }; events: Array<{ id: string }> };
          failures.push({ event: data.event.id, events: data.events.map((e) => e.id) });
        },
      },
      async () => {
        throw new NonRetriableError("batch rejected");
      },
    );
    const load = inngest.createFunction(
      { id: "load", batchEvents: { maxSize: 100, timeout: "0.1s" }, concurrency: { limit: 4 }, triggers: [{ event: "batch/load" }] },
      async ({ events, step }) => {
        await step.run("deliver", () => loadSeen.push(...events.map((e) => e.id!)));
        return events.length;
      },
    );
    app = await startApp(inngest, [sized, keyed, limited, failing, load]);
    engine = await startTestEngine({ schema, port, appUrl: app.url });
  });

  afterAll(async () => {
    await engine?.stop();
    await app?.stop();
  });

  it("flushes full batches at once and the rest at the timeout, in arrival order", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `sized-${String(i).padStart(2, "0")}`);
    const sentAt = Date.now();
    await app.client.send(ids.map((id, i) => ({ id, name: "batch/sized", data: { tag: String(i) } })));
    const runs = await outputs("batch-app-sized", 3);
    expect(runs.map((r) => r.ids.length)).toEqual([10, 10, 5]);
    expect(runs.map((r) => r.batch_size)).toEqual([10, 10, 5]);
    expect(runs.flatMap((r) => r.ids)).toEqual(ids);
    for (const run of runs) expect(run.first).toBe(run.ids[0]);
    // Full batches did not wait for the timeout; the partial one did.
    expect(runs[0]!.created_at).toBeLessThan(sentAt + SIZED_TIMEOUT_MS);
    expect(runs[1]!.created_at).toBeLessThan(sentAt + SIZED_TIMEOUT_MS);
    expect(runs[2]!.created_at).toBeGreaterThanOrEqual(sentAt + SIZED_TIMEOUT_MS);
  });

  it("runs a single event as a batch of one when the timeout expires", async () => {
    const sentAt = Date.now();
    const { ids } = await app.client.send({ name: "batch/sized", data: { tag: "alone" } });
    const runs = await outputs("batch-app-sized", 4);
    const last = runs[3]!;
    expect(last).toMatchObject({ ids, first: ids[0], tags: ["alone"], batch_size: 1 });
    expect(last.created_at).toBeGreaterThanOrEqual(sentAt + SIZED_TIMEOUT_MS);
  });

  it("never mixes events of different keys in one batch", async () => {
    const accounts = ["a", "b", "a", "b", "a", "b", "a"];
    await app.client.send(accounts.map((account) => ({ name: "batch/keyed", data: { account } })));
    const runs = await waitForRuns(engine, "batch-app-keyed", 3);
    const batches = await Promise.all(runs.map(async (r) => (await runDetail(engine, r.id)).output as { accounts: string[] }));
    const shapes = batches.map((b) => b.accounts.join("")).sort();
    // a: 3 by size + 1 by timeout; b: 3 by size.
    expect(shapes).toEqual(["a", "aaa", "bbb"]);
  });

  it("does not batch a repeated event id twice", async () => {
    await app.client.send([
      { id: "dup-1", name: "batch/sized", data: { tag: "first" } },
      { id: "dup-1", name: "batch/sized", data: { tag: "same request" } },
      { id: "dup-2", name: "batch/sized", data: { tag: "second" } },
    ]);
    await app.client.send({ id: "dup-1", name: "batch/sized", data: { tag: "later request" } });
    const runs = await outputs("batch-app-sized", 5);
    expect(runs[4]).toMatchObject({ ids: ["dup-1", "dup-2"], tags: ["first", "second"] });
    await new Promise((resolve) => setTimeout(resolve, SIZED_TIMEOUT_MS + 300));
    expect((await engine.get("/v1/runs?fn_id=batch-app-sized")).data).toHaveLength(5);
  });

  it("holds batched runs to the function's concurrency limit", async () => {
    await app.client.send(Array.from({ length: 20 }, (_, i) => ({ name: "batch/limited", data: { i } })));
    const runs = await waitForRuns(engine, "batch-app-limited", 10);
    expect(runs.every((r) => r.status === "Completed")).toBe(true);
    expect(limitedEvents).toBe(20);
    expect(maxInFlight).toBe(1);
  });

  it("sends the whole batch in inngest/function.failed as data.events", async () => {
    const { ids } = await app.client.send([
      { name: "batch/failing", data: {} },
      { name: "batch/failing", data: {} },
      { name: "batch/failing", data: {} },
    ]);
    const [run] = await waitForRuns(engine, "batch-app-failing");
    expect(run!.status).toBe("Failed");
    const [handler] = await waitForRuns(engine, "batch-app-failing-failure");
    expect(handler!.status).toBe("Completed");
    expect(failures).toEqual([{ event: ids[0], events: ids }]);
  });

  it("runs each of 2,000 events once when they arrive as concurrent requests of 10", { timeout: 60_000 }, async () => {
    const sent: string[] = [];
    const requests = Array.from({ length: 200 }, (_, r) =>
      Array.from({ length: 10 }, (_, i) => ({ name: "batch/load", data: { n: r * 10 + i } })),
    );
    for (let i = 0; i < requests.length; i += 10) {
      const replies = await Promise.all(requests.slice(i, i + 10).map((events) => app.client.send(events)));
      for (const reply of replies) sent.push(...reply.ids);
    }
    await waitFor(() => loadSeen.length >= sent.length, 50_000, "all 2,000 events delivered");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(loadSeen).toHaveLength(2_000);
    expect(new Set(loadSeen)).toEqual(new Set(sent));
    const { counts } = await engine.get("/v1/runs?fn_id=batch-app-load");
    // Mostly full batches of 100; a few partial ones flushed by the 0.1s timeout.
    expect(counts.Completed).toBeGreaterThanOrEqual(20);
    expect(counts.Completed).toBeLessThan(200);
  });
});

describe("batch flush", () => {
  const schema = "engine_test_batch_flush";
  let pool: pg.Pool;
  let store: Store;

  beforeAll(async () => {
    await dropSchema(schema);
    pool = new pg.Pool({ connectionString: databaseUrl(), max: 8 });
    store = new Store(pool, schema);
    await store.migrate();
  });

  afterAll(async () => {
    await pool?.end();
  });

  it("adds the events column to a runs table created before batching", async () => {
    const old = "engine_test_batch_upgrade";
    await dropSchema(old);
    await pool.query(`CREATE SCHEMA ${old}; CREATE TABLE ${old}.runs (
      id text PRIMARY KEY, fn_id text NOT NULL, event jsonb NOT NULL, status text NOT NULL,
      version int NOT NULL DEFAULT -1, output jsonb, error jsonb,
      ckeys text[] NOT NULL DEFAULT '{}', climits int[] NOT NULL DEFAULT '{}',
      created_at bigint NOT NULL, ended_at bigint);
      INSERT INTO ${old}.runs (id, fn_id, event, status, created_at) VALUES ('r1', 'f', '{"id":"e"}', 'Running', 1)`);
    await new Store(pool, old).migrate();
    const { rows } = await pool.query(`SELECT id, events FROM ${old}.runs`);
    expect(rows).toEqual([{ id: "r1", events: null }]);
    await dropSchema(old);
  });

  it("flushes at start a full group whose flush a crash interrupted, paging past 500 open groups", async () => {
    const now = Date.now();
    const item = (key: string, n: number): NewBatchItem => ({
      fn_id: "recover-fn",
      batch_key: key,
      event_key: `recover-${key}-${n}`,
      event: { id: `recover-${key}-${n}`, name: "recover/e", data: {}, ts: now },
      ckeys: [],
      climits: [],
      flush_at: now + 3_600_000,
      max_size: 2,
    });
    const items = [...Array.from({ length: 600 }, (_, i) => item(`open-${String(i).padStart(3, "0")}`, 0)), item("zz-full", 0), item("zz-full", 1)];
    const events = items.map((b) => ({ key: b.event_key, name: "recover/e", payload: b.event }));
    await store.events.startRuns(pool, events, [], [], items, now);
    const offered: QueueItem[] = [];
    const registry = { get: () => ({ batch: { maxSize: 2, timeoutMs: 3_600_000 } }) } as unknown as Registry;
    await new Batcher(store, registry, () => undefined, (queued) => offered.push(...queued)).recover();
    const { rows } = await pool.query(`SELECT events FROM ${schema}.runs WHERE fn_id = 'recover-fn'`);
    expect(rows.map((r) => r.events.map((e: { id: string }) => e.id))).toEqual([["recover-zz-full-0", "recover-zz-full-1"]]);
    expect(offered).toHaveLength(1);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.batch_items WHERE fn_id = 'recover-fn'`)).rows[0].n).toBe(600);
  });

  it("never puts an item in two runs when flushers race", { timeout: 60_000 }, async () => {
    const now = Date.now();
    const item = (n: number): NewBatchItem => ({
      fn_id: "race-fn",
      batch_key: "",
      event_key: `race-${n}`,
      event: { id: `race-${n}`, name: "race/e", data: { n }, ts: now },
      ckeys: [],
      climits: [],
      flush_at: now,
      max_size: 7,
    });
    for (let start = 0; start < 1_000; start += 100) {
      const items = Array.from({ length: 100 }, (_, i) => item(start + i));
      const events = items.map((b) => ({ key: b.event_key, name: "race/e", payload: b.event }));
      await store.events.startRuns(pool, events, [], [], items, now);
    }
    let next = 0;
    const flusher = async () => {
      for (;;) {
        const { size } = await store.batches.flush("race-fn", "", 7, `race-run-${next++}`, now + 1);
        if (size === 0) return;
      }
    };
    await Promise.all(Array.from({ length: 6 }, flusher));
    const { rows } = await pool.query<{ events: Array<{ data: { n: number } }> }>(
      `SELECT events FROM ${schema}.runs WHERE fn_id = 'race-fn'`,
    );
    const taken = rows.flatMap((r) => r.events.map((e) => e.data.n));
    expect(taken.sort((a, b) => a - b)).toEqual(Array.from({ length: 1_000 }, (_, n) => n));
    for (const row of rows) {
      const ns = row.events.map((e) => e.data.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.batch_items WHERE fn_id = 'race-fn'`)).rows[0].n).toBe(0);
  });
});

describe("batchEvents durability", () => {
  const schema = "engine_test_batch_durable";
  let app: TestApp;
  let enginePort: number;
  let engine: EngineProcess | undefined;
  const env = () => ({
    DATABASE_URL: databaseUrl(),
    INNGEST_ENGINE_PORT: String(enginePort),
    INNGEST_APP_URL: app.url,
    INNGEST_ENGINE_SCHEMA: schema,
    INNGEST_ENGINE_DB_POOL: "2",
  });
  const api = (path: string) => getJson(`http://127.0.0.1:${enginePort}${path}`);

  beforeAll(async () => {
    await dropSchema(schema);
    enginePort = await freePort();
    const inngest = devClient("batch-durable-app", enginePort);
    const collect = inngest.createFunction(
      { id: "collect", batchEvents: { maxSize: 100, timeout: "1s" }, triggers: [{ event: "batch/durable" }] },
      async (ctx) => describeBatch(ctx),
    );
    app = await startApp(inngest, [collect]);
  });

  afterAll(async () => {
    await engine?.kill("SIGTERM");
    await app?.stop();
  });

  it("flushes pending items after kill -9 and a restart", { timeout: 60_000 }, async () => {
    engine = await spawnEngine(env());
    await waitFor(() => engine!.output().includes('"app synced"'), 20_000, "sync");
    const { ids } = await app.client.send(Array.from({ length: 5 }, (_, i) => ({ name: "batch/durable", data: { tag: String(i) } })));
    await engine.kill("SIGKILL");

    engine = await spawnEngine(env());
    const run = await waitFor(async () => {
      const { data } = await api("/v1/runs?fn_id=batch-durable-app-collect");
      return data[0]?.status === "Completed" ? data[0] : undefined;
    }, 20_000, "batch run after restart");
    const detail = (await api(`/v1/runs/${run.id}`)).data;
    expect(detail.output).toEqual({ ids, first: ids[0], tags: ["0", "1", "2", "3", "4"] });
    expect((await api("/v1/runs?fn_id=batch-durable-app-collect")).data).toHaveLength(1);
  });
});

describe("batchEvents refusals", () => {
  const schema = "engine_test_batch_refuse";
  let engine: TestEngine;

  beforeAll(async () => {
    await dropSchema(schema);
    engine = await startTestEngine({ schema });
  });

  afterAll(async () => {
    await engine?.stop();
  });

  async function register(extra: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      body: JSON.stringify({
        url: "http://127.0.0.1:1/api/inngest",
        appName: "direct",
        functions: [
          {
            id: "direct-batch",
            name: "batch",
            triggers: [{ event: "d/e" }],
            steps: { step: { id: "step", name: "step", runtime: { type: "http", url: "http://127.0.0.1:1/api/inngest?fnId=direct-batch&stepId=step" } } },
            ...extra,
          },
        ],
      }),
    });
    return { status: res.status, body: await res.json() };
  }

  const on = "on function direct-batch";
  it.each([
    [{ batchEvents: { maxSize: 10, timeout: "1s", if: "event.data.x == 1" } }, `unsupported: batchEvents.if ${on}`],
    [{ batchEvents: { maxSize: 0, timeout: "1s" } }, `invalid batchEvents maxSize 0 ${on}: must be a whole number of at least 1`],
    [{ batchEvents: { maxSize: 2.5, timeout: "1s" } }, `invalid batchEvents maxSize 2.5 ${on}: must be a whole number of at least 1`],
    [{ batchEvents: { maxSize: 10, timeout: "soon" } }, `invalid batchEvents timeout "soon" ${on}: must be a duration such as "100ms" or "5s"`],
    [{ batchEvents: { maxSize: 10 } }, `invalid batchEvents timeout undefined ${on}: must be a duration such as "100ms" or "5s"`],
    [
      { batchEvents: { maxSize: 10, timeout: "1s", key: "event.data.(" } },
      expect.stringMatching(/^invalid batchEvents key "event\.data\.\(" on function direct-batch: /),
    ],
    [
      { batchEvents: { maxSize: 10, timeout: "1s" }, cancel: [{ event: "d/cancel" }] },
      `unsupported: batchEvents with cancelOn ${on} (a batch has many events, so which run a cancel event matches is undefined)`,
    ],
    [
      { batchEvents: { maxSize: 10, timeout: "1s" }, idempotency: "event.data.id" },
      `unsupported: batchEvents with idempotency ${on} (a batch has many events, so it has no single idempotency key)`,
    ],
  ])("refuses %j", async (extra, error) => {
    expect(await register(extra)).toEqual({ status: 400, body: { status: 400, error } });
  });

  it("accepts a valid batched function", async () => {
    const reply = await register({ batchEvents: { maxSize: 100, timeout: "100ms", key: "event.data.endpointId" }, concurrency: { limit: 5 } });
    expect(reply).toEqual({ status: 200, body: { status: 200, ok: true, modified: true } });
  });

  it("passes the refusal to the SDK's sync reply", async () => {
    const port = Number(new URL(engine.url).port);
    const inngest = devClient("batch-refused-app", port);
    const fn = inngest.createFunction(
      {
        id: "cancellable-batch",
        batchEvents: { maxSize: 5, timeout: "1s" },
        cancelOn: [{ event: "batch/cancel" }],
        triggers: [{ event: "batch/refused" }],
      },
      async () => "never",
    );
    const app = await startApp(inngest, [fn]);
    try {
      const reply = await syncApp(app.url);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(/^unsupported: batchEvents with cancelOn on function batch-refused-app-cancellable-batch/);
    } finally {
      await app.stop();
    }
  });
});
