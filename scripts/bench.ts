// `npm run bench`: end-to-end throughput and latency of webhook delivery on this machine.
// Starts the whole product as `npm start` does (a production build in .next-bench, built if
// missing; PGlite in memory, or PostgreSQL when DATABASE_URL is set), a receiver on 127.0.0.1
// that verifies every signature, creates an account, an API key and BENCH_ENDPOINTS endpoints
// through the API, then:
//   1. throughput: BENCH_EVENTS events (all fanned out to every endpoint) published through
//      POST /api/v1/events by BENCH_CONCURRENCY producers (at BENCH_RATE events/s if set);
//   2. latency: BENCH_LATENCY_RATE events/s for BENCH_LATENCY_SECONDS, each to
//      BENCH_LATENCY_FANOUT endpoints (moderate load);
//   3. ceiling: the same receiver hit by a plain loop of signed POSTs at the stack's delivery
//      concurrency, to put our throughput in proportion.
// Prints a table and writes bench-results/bench-<time>.json. Quick smoke run:
//   BENCH_EVENTS=1000 BENCH_LATENCY_SECONDS=5 npm run bench
// Other knobs: BENCH_PROFILE=1 (a CPU profile of every process of the stack, into
// bench-results/profiles-<time>/), BENCH_PG_STATS=1 (top statements from pg_stat_statements,
// PostgreSQL only), BENCH_PORT/BENCH_ENGINE_PORT/BENCH_PGLITE_PORT (3500/8788/54799),
// BENCH_DIST_DIR (.next-bench), BENCH_TIMEOUT_S (600); INNGEST_ENGINE_*, WEBHOOK_* and
// DATABASE_POOL_SIZE are passed through to the stack. On PostgreSQL use a fresh database
// (dropdb bench && createdb bench): an interrupted run leaves queued work the engine resumes.
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import pg from "pg";
import {
  cpuSeconds,
  createTenant,
  ensureBuild,
  memoryMb,
  percentile,
  envNumber,
  isLocalDatabase,
  processesNamed,
  publish,
  root,
  sampleData,
  signBody,
  sleep,
  startReceiver,
  startStack,
  type Receipt,
  type Role,
  type RunningStack,
} from "./lib/stack-harness";

const EVENTS = envNumber("BENCH_EVENTS", 10_000);
const ENDPOINTS = Math.max(1, envNumber("BENCH_ENDPOINTS", 10));
const RATE = envNumber("BENCH_RATE", 0);
const CONCURRENCY = Math.max(1, envNumber("BENCH_CONCURRENCY", 32));
const LATENCY_RATE = envNumber("BENCH_LATENCY_RATE", 100);
const LATENCY_SECONDS = envNumber("BENCH_LATENCY_SECONDS", 30);
const LATENCY_FANOUT = Math.min(ENDPOINTS, Math.max(1, envNumber("BENCH_LATENCY_FANOUT", 1)));
const CEILING_SECONDS = envNumber("BENCH_CEILING_SECONDS", 10);
const TIMEOUT_MS = envNumber("BENCH_TIMEOUT_S", 600) * 1000;
const PROFILE = process.env.BENCH_PROFILE === "1";
const PG_STATS = process.env.BENCH_PG_STATS === "1";
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const LOCAL_POSTGRES = isLocalDatabase(DATABASE_URL);
const ENDPOINT_CONCURRENCY = envNumber("WEBHOOK_ENDPOINT_CONCURRENCY", 10);
const ENGINE_IN_FLIGHT = envNumber("INNGEST_ENGINE_MAX_IN_FLIGHT", 64);
// Requests to the receivers the stack can have in flight at once.
const DELIVERY_CONCURRENCY = Math.min(ENDPOINTS * ENDPOINT_CONCURRENCY, ENGINE_IN_FLIGHT);

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const resultsDir = join(root, "bench-results");
mkdirSync(resultsDir, { recursive: true });
const log = (m: string) => process.stdout.write(`[bench] ${m}\n`);

const THROUGHPUT_TYPE = "alert.critical";
const LATENCY_TYPE = "alert.warning";

interface ProcessUsage {
  cpu_s: number;
  cpu_pct: number;
  peak_rss_mb: number;
}

/**
 * CPU and memory of every process of the stack and of this one, over a phase. CPU is summed
 * per process as last sampled, so a process that exits during the phase (a PostgreSQL backend
 * of a pool closing an idle connection) still counts.
 */
class Usage {
  private start = new Map<number, number>();
  private last = new Map<string, Map<number, number>>();
  private peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;

  constructor(private stack: RunningStack) {}

  private pids(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [role, pids] of this.stack.processes()) out.set(role, pids);
    // A PostgreSQL on this machine works for the stack too (its backends, as they are now).
    if (LOCAL_POSTGRES) out.set("postgres", processesNamed("postgres"));
    out.set("bench", [process.pid]);
    return out;
  }

  private sample() {
    for (const [role, pids] of this.pids()) {
      const last = this.last.get(role) ?? new Map<number, number>();
      this.last.set(role, last);
      for (const pid of pids) {
        const cpu = cpuSeconds(pid);
        if (cpu > 0) last.set(pid, cpu);
      }
      const rss = pids.reduce((s, p) => s + memoryMb(p).rss, 0);
      this.peaks.set(role, Math.max(this.peaks.get(role) ?? 0, rss));
    }
  }

  begin() {
    this.t0 = Date.now();
    this.start.clear();
    this.last.clear();
    this.peaks.clear();
    for (const pids of this.pids().values()) for (const pid of pids) this.start.set(pid, cpuSeconds(pid));
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  end(): Record<string, ProcessUsage> {
    clearInterval(this.timer);
    this.sample();
    const seconds = (Date.now() - this.t0) / 1000;
    const out: Record<string, ProcessUsage> = {};
    for (const [role, last] of this.last) {
      let cpu = 0;
      for (const [pid, value] of last) cpu += value - (this.start.get(pid) ?? 0);
      out[role] = {
        cpu_s: round(cpu, 1),
        cpu_pct: Math.round((cpu / seconds) * 100),
        peak_rss_mb: Math.round(this.peaks.get(role) ?? 0),
      };
    }
    return out;
  }
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));

function delays(sent: Map<string, number>, receipts: Receipt[]) {
  const firstByKey = new Map<string, number>();
  for (const r of receipts) {
    if (r.status < 200 || r.status >= 300) continue;
    const key = `${r.eventId}:${r.endpoint}`;
    if (!firstByKey.has(key)) firstByKey.set(key, r.at);
  }
  const values: number[] = [];
  for (const [key, at] of firstByKey) {
    const t = sent.get(key.slice(0, key.lastIndexOf(":")));
    if (t !== undefined) values.push(at - t);
  }
  values.sort((a, b) => a - b);
  return {
    count: values.length,
    p50_ms: percentile(values, 50),
    p95_ms: percentile(values, 95),
    p99_ms: percentile(values, 99),
    max_ms: values[values.length - 1] ?? NaN,
  };
}

/** Publishes `count` events with `concurrency` producers, paced at `rate` events/s if > 0. */
async function publishLoad(opts: {
  appUrl: string;
  apiKey: string;
  type: string;
  count: number;
  concurrency: number;
  rate: number;
  sent: Map<string, number>;
  progress: () => string;
}) {
  const data = await sampleData(opts.type);
  const publishMs: number[] = [];
  let next = 0;
  let errors = 0;
  let deliveries = 0;
  const t0 = Date.now();
  const ticker = setInterval(() => log(`published ${next}/${opts.count}; ${opts.progress()}`), 2_000);
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= opts.count) return;
      if (opts.rate > 0) {
        const due = t0 + (i * 1000) / opts.rate;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const started = Date.now();
      try {
        const { id, deliveries: n } = await publish(opts.appUrl, opts.apiKey, opts.type, data);
        opts.sent.set(id, started);
        deliveries += n;
        publishMs.push(Date.now() - started);
      } catch (error) {
        errors++;
        if (errors <= 5) log(`publish failed: ${(error as Error).message}`);
        if (errors > 100) throw new Error("more than 100 publish requests failed; giving up");
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    clearInterval(ticker);
  }
  const seconds = (Date.now() - t0) / 1000;
  publishMs.sort((a, b) => a - b);
  return {
    seconds: round(seconds, 2),
    events_per_s: round((opts.count - errors) / seconds),
    /** Deliveries the accepted events fanned out to. */
    deliveries,
    errors,
    request_p50_ms: percentile(publishMs, 50),
    request_p99_ms: percentile(publishMs, 99),
  };
}

async function waitForReceipts(unique: () => number, target: number, deadline: number, what: string) {
  let last = -1;
  let lastChange = Date.now();
  while (unique() < target) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${unique()}/${target} received`);
    if (unique() !== last) {
      last = unique();
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 90_000) {
      throw new Error(`no delivery for 90 s waiting for ${what}: ${unique()}/${target} received`);
    }
    await sleep(50);
  }
}

/** The ceiling: a plain loop of signed POSTs to the same receiver, no queue, no database. */
async function ceiling(receiverBase: string, secret: string, body: string, concurrency: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(`${receiverBase}/e/999999`);
  let done = 0;
  const stopAt = Date.now() + seconds * 1000;
  const t0 = Date.now();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(url, {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "x-db24x7-signature": signBody(secret, body),
          "x-db24x7-event-id": "evt_ceiling",
          "x-db24x7-delivery-id": `att_ceiling_${done}`,
          "x-db24x7-timestamp": String(Math.floor(Date.now() / 1000)),
        },
      });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`ceiling: ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < stopAt) {
        await one();
        done++;
      }
    }),
  );
  agent.destroy();
  return { requests: done, per_s: round(done / ((Date.now() - t0) / 1000)) };
}

async function pgStatements(databaseUrl: string, action: "reset" | "read") {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if (action === "reset") {
      await client.query("SELECT pg_stat_statements_reset()");
      return [];
    }
    const { rows } = await client.query(
      `SELECT calls, round(total_exec_time::numeric, 0) AS total_ms, round(total_plan_time::numeric, 0) AS plan_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25`,
    );
    return rows;
  } catch (error) {
    log(`pg_stat_statements unavailable: ${(error as Error).message}`);
    return [];
  } finally {
    await client.end();
  }
}

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => (k === "" ? "" : `  ${k.padEnd(width)}  ${v}`)).join("\n");
}

async function main() {
  const distDir = process.env.BENCH_DIST_DIR || ".next-bench";
  await ensureBuild(distDir, log);
  const database = DATABASE_URL ? "postgresql" : "pglite";
  log(`database: ${database}; ${EVENTS} events × ${ENDPOINTS} endpoints; publish concurrency ${CONCURRENCY}${RATE ? `, ${RATE} events/s` : ""}`);

  const receiver = await startReceiver();
  const profileDir = join(resultsDir, `profiles-${stamp}`);
  const env: Record<string, string> = {
    // The engine logs every run's start and end; keep its resync out of the measurement.
    INNGEST_ENGINE_RESYNC_MS: process.env.INNGEST_ENGINE_RESYNC_MS ?? "600000",
  };
  if (PROFILE) {
    mkdirSync(profileDir, { recursive: true });
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --require ${join(root, "scripts/lib/cpu-profile-preload.cjs")}`.trim();
    env.BENCH_PROFILE_DIR = profileDir;
  }
  let errorLines = 0;
  const logFile = join(resultsDir, `bench-${stamp}-stack.log`);
  const stack = await startStack({
    port: envNumber("BENCH_PORT", 3500),
    enginePort: envNumber("BENCH_ENGINE_PORT", 8788),
    pglitePort: envNumber("BENCH_PGLITE_PORT", 54799),
    databaseUrl: DATABASE_URL,
    dataDir: DATABASE_URL ? undefined : ":memory:",
    distDir,
    env,
    logFile,
    onLine: (line) => {
      if (/"level":"error"|\[db24x7\] .*exited|Error:/.test(line)) {
        errorLines++;
        if (errorLines <= 5) log(`stack: ${line.slice(0, 300)}`);
      }
    },
  });
  if (DATABASE_URL) {
    // The engine resumes whatever an earlier, interrupted run left queued, and that work would
    // be measured with ours (it still retries towards receivers long gone).
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const { rows } = await client
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM ${process.env.INNGEST_ENGINE_SCHEMA || "inngest_engine"}.queue`)
      .catch(() => ({ rows: [{ n: 0 }] }));
    await client.end();
    if (rows[0]!.n > 0) log(`WARNING: the engine queue already holds ${rows[0]!.n} items from earlier runs; use a fresh database for comparable numbers`);
  }
  const processes = Object.fromEntries([...stack.processes()].map(([role, pids]) => [role, pids]));
  log(`stack up at ${stack.appUrl} (processes: ${JSON.stringify(processes)}; log: ${logFile})`);

  const result: Record<string, unknown> = {
    at: new Date().toISOString(),
    database,
    machine: { cpus: (await import("node:os")).cpus().length },
    config: {
      events: EVENTS,
      endpoints: ENDPOINTS,
      rate: RATE || "max",
      publish_concurrency: CONCURRENCY,
      delivery_concurrency: DELIVERY_CONCURRENCY,
      latency: { rate: LATENCY_RATE, seconds: LATENCY_SECONDS, fanout: LATENCY_FANOUT },
      env: Object.fromEntries(
        Object.entries(process.env).filter(([k]) => /^(INNGEST_ENGINE_|WEBHOOK_|DATABASE_POOL_SIZE)/.test(k)),
      ),
    },
  };
  let failed = false;
  try {
    const tenant = await createTenant(
      stack.databaseUrl,
      stack.appUrl,
      receiver.base,
      Array.from({ length: ENDPOINTS }, (_, i) => ({
        eventTypes: i < LATENCY_FANOUT ? [THROUGHPUT_TYPE, LATENCY_TYPE] : [THROUGHPUT_TYPE],
      })),
    );
    for (const e of tenant.endpoints) receiver.secrets.set(e.index, e.secret);
    const unique = new Set<string>();
    receiver.onReceipt = (r) => {
      if (r.status >= 200 && r.status < 300 && r.endpoint < ENDPOINTS) unique.add(`${r.eventId}:${r.endpoint}`);
    };
    // Warm up: the first requests compile routes and open pools.
    await publish(stack.appUrl, tenant.apiKey, THROUGHPUT_TYPE, await sampleData(THROUGHPUT_TYPE));
    await waitForReceipts(() => unique.size, ENDPOINTS, Date.now() + 60_000, "the warm-up event");
    unique.clear();
    receiver.receipts.length = 0;

    // ── 1. throughput ──
    if (PG_STATS && DATABASE_URL) await pgStatements(DATABASE_URL, "reset");
    const usage = new Usage(stack);
    const sent = new Map<string, number>();
    let expected = EVENTS * ENDPOINTS;
    const t0 = Date.now();
    usage.begin();
    const progress = () => `${unique.size}/${expected} delivered (${round(unique.size / ((Date.now() - t0) / 1000))}/s)`;
    const published = await publishLoad({
      appUrl: stack.appUrl,
      apiKey: tenant.apiKey,
      type: THROUGHPUT_TYPE,
      count: EVENTS,
      concurrency: CONCURRENCY,
      rate: RATE,
      sent,
      progress,
    });
    // Events refused by the API (errors are counted and shown) have no deliveries to wait for.
    expected = published.deliveries;
    log(`published ${EVENTS - published.errors} events in ${published.seconds}s (${published.errors} refused); waiting for deliveries…`);
    const ticker = setInterval(() => log(progress()), 2_000);
    try {
      await waitForReceipts(() => unique.size, expected, t0 + TIMEOUT_MS, "phase 1 deliveries");
    } finally {
      clearInterval(ticker);
    }
    const seconds = (Date.now() - t0) / 1000;
    const processUsage = usage.end();
    const ok = receiver.receipts.filter((r) => r.status === 200 && r.endpoint < ENDPOINTS).map((r) => r.at).sort((a, b) => a - b);
    // Sustained: the rate between the 10th and the 90th percentile receipt (no ramp-up or tail).
    const a = percentile(ok, 10);
    const b = percentile(ok, 90);
    const sustained = round((0.8 * ok.length) / Math.max((b - a) / 1000, 0.001));
    result.throughput = {
      deliveries: expected,
      publish_errors: published.errors,
      requests_received: receiver.receipts.length,
      seconds: round(seconds, 2),
      deliveries_per_s_overall: round(expected / seconds),
      deliveries_per_s_sustained: sustained,
      publish: published,
      delay: delays(sent, receiver.receipts),
      processes: processUsage,
      bad_signatures: receiver.badSignatures,
    };
    if (PG_STATS && DATABASE_URL) result.pg_statements = await pgStatements(DATABASE_URL, "read");
    log(`phase 1: ${JSON.stringify(result.throughput)}`);

    // ── 2. latency at a moderate, fixed rate ──
    if (LATENCY_SECONDS > 0 && LATENCY_RATE > 0) {
      await sleep(2_000);
      unique.clear();
      receiver.receipts.length = 0;
      const count = Math.round(LATENCY_RATE * LATENCY_SECONDS);
      const sent2 = new Map<string, number>();
      if (PG_STATS && DATABASE_URL) await pgStatements(DATABASE_URL, "reset");
      const usage2 = new Usage(stack);
      const t1 = Date.now();
      usage2.begin();
      const published2 = await publishLoad({
        appUrl: stack.appUrl,
        apiKey: tenant.apiKey,
        type: LATENCY_TYPE,
        count,
        concurrency: Math.max(CONCURRENCY, 16),
        rate: LATENCY_RATE,
        sent: sent2,
        progress: () => `${unique.size}/${count * LATENCY_FANOUT} delivered`,
      });
      await waitForReceipts(() => unique.size, published2.deliveries, t1 + TIMEOUT_MS, "phase 2 deliveries");
      result.latency = {
        events_per_s: LATENCY_RATE,
        fanout: LATENCY_FANOUT,
        deliveries: published2.deliveries,
        publish_errors: published2.errors,
        achieved_events_per_s: published2.events_per_s,
        publish: published2,
        delay: delays(sent2, receiver.receipts),
        processes: usage2.end(),
        ...(PG_STATS && DATABASE_URL ? { pg_statements: await pgStatements(DATABASE_URL, "read") } : {}),
      };
      log(`phase 2: ${JSON.stringify(result.latency)}`);
    }

    // ── 3. the ceiling ──
    const secret = "whsec_ceiling";
    receiver.secrets.set(999999, secret);
    const body = JSON.stringify({
      id: "evt_ceiling",
      type: THROUGHPUT_TYPE,
      created_at: new Date().toISOString(),
      data: await sampleData(THROUGHPUT_TYPE),
      account_id: "acc_ceiling",
      environment: "staging",
    });
    const limit = await ceiling(receiver.base, secret, body, DELIVERY_CONCURRENCY, CEILING_SECONDS);
    result.ceiling = { concurrency: DELIVERY_CONCURRENCY, ...limit };

    // What the database says about the deliveries.
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    const { rows } = await client.query(
      `SELECT status::text, count(*)::int AS n FROM deliveries WHERE account_id = $1 GROUP BY status`,
      [tenant.accountId],
    );
    await client.end();
    result.database_statuses = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    result.stack_error_lines = errorLines;
  } catch (error) {
    failed = true;
    log(`FAILED: ${(error as Error).message}`);
    result.error = (error as Error).message;
  } finally {
    await stack.stop();
    await receiver.stop();
  }

  const file = join(resultsDir, `bench-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  printTable(result);
  log(`results: ${file}${PROFILE ? `; profiles: ${profileDir}` : ""}`);
  if (failed) process.exitCode = 1;
}

function printTable(r: Record<string, any>) {
  const rows: Array<[string, string]> = [];
  const t = r.throughput;
  if (t) {
    rows.push(["phase 1", `${r.config.events} events × ${r.config.endpoints} endpoints = ${t.deliveries} deliveries (${r.database})`]);
    rows.push(["deliveries/s sustained", String(t.deliveries_per_s_sustained)]);
    rows.push(["deliveries/s overall", `${t.deliveries_per_s_overall} (${t.seconds}s incl. tail)`]);
    rows.push(["publish", `${t.publish.events_per_s} events/s (request p50 ${t.publish.request_p50_ms} ms, p99 ${t.publish.request_p99_ms} ms); refused: ${t.publish_errors}`]);
    rows.push(["delay publish→receipt", `p50 ${t.delay.p50_ms} ms  p95 ${t.delay.p95_ms} ms  p99 ${t.delay.p99_ms} ms  max ${t.delay.max_ms} ms`]);
    for (const [role, u] of Object.entries(t.processes as Record<string, ProcessUsage>)) {
      rows.push([`  ${role}`, `${u.cpu_s} CPU s (${u.cpu_pct}% of one core), peak RSS ${u.peak_rss_mb} MB`]);
    }
    rows.push(["requests received", `${t.requests_received} (bad signatures: ${t.bad_signatures})`]);
  }
  const l = r.latency;
  if (l) {
    rows.push(["", ""]);
    rows.push(["phase 2", `${l.events_per_s} events/s × fan-out ${l.fanout} = ${l.deliveries} deliveries (achieved ${l.achieved_events_per_s} events/s)`]);
    rows.push(["delay publish→receipt", `p50 ${l.delay.p50_ms} ms  p95 ${l.delay.p95_ms} ms  p99 ${l.delay.p99_ms} ms  max ${l.delay.max_ms} ms`]);
    rows.push(["publish request", `p50 ${l.publish.request_p50_ms} ms, p99 ${l.publish.request_p99_ms} ms; refused: ${l.publish_errors}`]);
    for (const [role, u] of Object.entries(l.processes as Record<string, ProcessUsage>)) {
      rows.push([`  ${role}`, `${u.cpu_s} CPU s (${u.cpu_pct}%), peak RSS ${u.peak_rss_mb} MB`]);
    }
  }
  if (r.ceiling) {
    rows.push(["", ""]);
    rows.push(["ceiling (plain signed POST loop)", `${r.ceiling.per_s} requests/s at concurrency ${r.ceiling.concurrency}`]);
    if (t) rows.push(["our throughput / ceiling", `${Math.round((t.deliveries_per_s_sustained / r.ceiling.per_s) * 100)}%`]);
  }
  if (r.database_statuses) rows.push(["deliveries in the database", JSON.stringify(r.database_statuses)]);
  if (r.error) rows.push(["ERROR", r.error]);
  process.stdout.write(`\n${table(rows)}\n\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
