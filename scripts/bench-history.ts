// `npm run bench:history`: the history screens and the retention purge at scale. On the
// database named by DATABASE_URL (PostgreSQL; a fresh database: the run adds an account with
// millions of rows), or without it on an in-memory PGlite started for the run:
//   1. starts the product as `npm start` does (production build in .next-bench) and creates an
//      account with BENCH_HISTORY_ENDPOINTS endpoints through the API;
//   2. generates in bulk (INSERT … SELECT generate_series) BENCH_HISTORY_DELIVERIES deliveries
//      spread evenly over the last 30 days and those endpoints, two attempts each, one event per
//      BENCH_HISTORY_FANOUT deliveries, and the matching hourly attempt counts; response bodies
//      older than 7 days are already trimmed, as the daily purge leaves them;
//      with BENCH_HISTORY_REUSE=1 and an account an earlier run generated already in the
//      database, steps 1 and 2 give way to a fresh admin API key for that account, and the run
//      measures its data as it is (the knobs above no longer apply);
//   3. times over HTTP the delivery-history API of one endpoint (its first page and a page
//      halfway down the cursor) and the dashboard stats API;
//   4. runs `npm run bench` twice with a fixed-rate load (BENCH_LATENCY_SECONDS, default 90),
//      the second time with the retention purge (lib/retention/purge.ts, the daily function's
//      code and settings) removing the oldest tenth of the history (retention 27 of 30 days),
//      and compares bench's publish→receipt p99 (skipped with BENCH_HISTORY_PHASES=api);
//   5. prints the database size before and after, and a markdown table of what was measured.
// Knobs: BENCH_HISTORY_DELIVERIES (10000000), BENCH_HISTORY_ENDPOINTS (50),
// BENCH_HISTORY_FANOUT (5), BENCH_HISTORY_SAMPLES (200 requests per measurement),
// BENCH_HISTORY_REUSE (0; 1 reuses an earlier run's account, PostgreSQL only),
// BENCH_HISTORY_PHASES (all; api stops after step 3),
// BENCH_PORT/BENCH_ENGINE_PORT/BENCH_PGLITE_PORT (3500/8788/54799; the nested bench runs use
// the next ports up), BENCH_LATENCY_RATE/BENCH_LATENCY_SECONDS for the nested runs.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { newId } from "../lib/ids";
import {
  accountsToPurge,
  addCounts,
  emptyCounts,
  purgeAccountsSlice,
  PURGE_DEFAULTS,
  type PurgeCounts,
} from "../lib/retention/purge";
import { createTenant, ensureBuild, envNumber, percentile, root, startReceiver, startStack } from "./lib/stack-harness";

const DELIVERIES = envNumber("BENCH_HISTORY_DELIVERIES", 10_000_000);
const ENDPOINTS = Math.max(1, envNumber("BENCH_HISTORY_ENDPOINTS", 50));
const FANOUT = Math.min(ENDPOINTS, Math.max(1, envNumber("BENCH_HISTORY_FANOUT", 5)));
const SAMPLES = envNumber("BENCH_HISTORY_SAMPLES", 200);
const DAYS = 30;
const RETENTION_DAYS = 27;
const PORT = envNumber("BENCH_PORT", 3500);
const ENGINE_PORT = envNumber("BENCH_ENGINE_PORT", 8788);
const PGLITE_PORT = envNumber("BENCH_PGLITE_PORT", 54799);
const LATENCY_SECONDS = envNumber("BENCH_LATENCY_SECONDS", 90);
const REUSE = process.env.BENCH_HISTORY_REUSE === "1";
const PHASES = process.env.BENCH_HISTORY_PHASES || "all";
if (PHASES !== "all" && PHASES !== "api") throw new Error(`BENCH_HISTORY_PHASES must be "all" or "api", got "${PHASES}"`);
// Rows generated per statement: each INSERT … SELECT is one transaction of this many deliveries.
const CHUNK = 500_000;

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const resultsDir = join(root, "bench-results");
mkdirSync(resultsDir, { recursive: true });
const log = (m: string) => process.stdout.write(`[bench:history] ${m}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** An in-memory PGlite behind its socket, in a process of its own (the launcher's way). */
async function startPglite(port: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/lib/pglite-server.ts"), ":memory:", String(port)], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("PGLITE_URL=")) resolve(line.slice("PGLITE_URL=".length));
    });
    child.once("exit", (code) => reject(new Error(`PGlite exited (${code})`)));
  });
  return { url, child };
}

async function timed(label: string, work: () => Promise<unknown>): Promise<number> {
  const t0 = Date.now();
  await work();
  const s = (Date.now() - t0) / 1000;
  log(`${label}: ${round(s)} s`);
  return s;
}

/** Bulk history for one account, in statements of CHUNK deliveries (ids h<n>, newest first). */
async function generate(client: pg.Client, accountId: string, endpointIds: string[]) {
  const now = Date.now();
  const spanMs = DAYS * 86_400_000;
  await client.query(`CREATE TEMP TABLE bench_endpoints (n int PRIMARY KEY, id text NOT NULL)`);
  await client.query(`INSERT INTO bench_endpoints SELECT n - 1, id FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)`, [endpointIds]);
  const events = Math.ceil(DELIVERIES / FANOUT);
  // Event i was published at now - i/events of the span; its deliveries go to FANOUT
  // consecutive endpoints. 10 % of deliveries failed (two failed attempts), the rest succeeded on
  // their second attempt; the newest thousand are still retrying. Bodies older than 7 days are
  // trimmed. Hourly counts are added chunk by chunk (an hour can straddle two).
  const ms = `($3::float8 - (e.i::float8 / $4) * $5)`;
  for (let from = 0; from < events; from += CHUNK / FANOUT) {
    const to = Math.min(events, from + CHUNK / FANOUT) - 1;
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO events (id, account_id, type, environment, body, created_at)
       SELECT 'evt_h' || e.i, $6, 'alert.critical', 'staging',
              '{"id":"evt_h' || e.i || '","type":"alert.critical","data":{"alert_id":"alt_' || e.i || '","severity":"critical","metric":"cpu_usage","value":97.5}}',
              to_timestamp(${ms} / 1000) AT TIME ZONE 'UTC'
         FROM generate_series($1::bigint, $2::bigint) AS e(i)`,
      [from, to, now, events, spanMs, accountId],
    );
    await client.query(
      `INSERT INTO deliveries (id, account_id, event_id, endpoint_id, event_type, status, attempt_count, scheduled_attempts,
                               last_attempt_at, last_status_code, completed_at, next_attempt_at, created_at, updated_at)
       SELECT 'dlv_h' || (e.i * $7 + k), $6, 'evt_h' || e.i, ep.id, 'alert.critical',
              (CASE WHEN e.i * $7 + k < 1000 THEN 'retrying' WHEN (e.i * $7 + k) % 10 = 0 THEN 'failed' ELSE 'succeeded' END)::"DeliveryStatus",
              2, 2, t.at + interval '30 seconds',
              CASE WHEN (e.i * $7 + k) % 10 = 0 THEN 500 ELSE 200 END,
              CASE WHEN e.i * $7 + k < 1000 THEN NULL ELSE t.at + interval '30 seconds' END,
              CASE WHEN e.i * $7 + k < 1000 THEN t.at + interval '5 minutes' ELSE NULL END,
              t.at, t.at + interval '30 seconds'
         FROM generate_series($1::bigint, $2::bigint) AS e(i)
        CROSS JOIN LATERAL (SELECT to_timestamp(${ms} / 1000) AT TIME ZONE 'UTC' AS at) t
        CROSS JOIN generate_series(0, $7 - 1) AS k
         JOIN bench_endpoints ep ON ep.n = (e.i * $7 + k) % $8`,
      [from, to, now, events, spanMs, accountId, FANOUT, ENDPOINTS],
    );
    // Attempt 1 at the delivery's creation, attempt 2 thirty seconds later.
    const attempts = `
      SELECT e.i * $4 + k AS n, a.number, t.at + (a.number - 1) * interval '30 seconds' AS at,
             a.number = 2 AND (e.i * $4 + k) % 10 <> 0 AS ok,
             (SELECT id FROM bench_endpoints WHERE n = (e.i * $4 + k) % $5) AS endpoint_id
        FROM generate_series($1::bigint, $2::bigint) AS e(i)
       CROSS JOIN LATERAL (SELECT to_timestamp(($6::float8 - (e.i::float8 / $7) * $8) / 1000) AT TIME ZONE 'UTC' AS at) t
       CROSS JOIN generate_series(0, $4 - 1) AS k
       CROSS JOIN (VALUES (1), (2)) AS a(number)`;
    const attemptArgs = [from, to, accountId, FANOUT, ENDPOINTS, now, events, spanMs];
    await client.query(
      `INSERT INTO delivery_attempts (id, delivery_id, account_id, number, trigger, request_url, request_headers,
                                     response_status, response_headers, response_body, duration_ms, error_class, succeeded, created_at)
       SELECT 'att_h' || x.n || '_' || x.number, 'dlv_h' || x.n, $3, x.number, 'scheduled', 'http://127.0.0.1/e', '{}'::jsonb,
              CASE WHEN x.ok THEN 200 ELSE 500 END, '{}'::jsonb,
              CASE WHEN x.at > (now() AT TIME ZONE 'UTC') - interval '7 days' THEN 'ok' END,
              40, CASE WHEN x.ok THEN NULL ELSE 'http_status' END, x.ok, x.at
         FROM (${attempts}) x`,
      attemptArgs,
    );
    await client.query(
      `INSERT INTO endpoint_attempt_hours (endpoint_id, account_id, hour, succeeded, failed)
       SELECT x.endpoint_id, $3, date_trunc('hour', x.at), count(*) FILTER (WHERE x.ok), count(*) FILTER (WHERE NOT x.ok)
         FROM (${attempts}) x GROUP BY 1, 3
       ON CONFLICT (endpoint_id, hour) DO UPDATE
         SET succeeded = endpoint_attempt_hours.succeeded + excluded.succeeded, failed = endpoint_attempt_hours.failed + excluded.failed`,
      attemptArgs,
    );
    await client.query("COMMIT");
    log(`generated ${Math.min(DELIVERIES, (to + 1) * FANOUT)} / ${DELIVERIES} deliveries (${round((Date.now() - now) / 1000)} s)`);
  }
}

async function latencies(url: string, headers: Record<string, string>, samples: number) {
  const ms: number[] = [];
  for (let i = 0; i < samples + 5; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    if (i >= 5) ms.push(performance.now() - t0); // the first few warm up pools and plans
  }
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) };
}

const cursorOf = (createdAt: Date, id: string) => Buffer.from(`${createdAt.toISOString()}|${id}`).toString("base64url");

async function databaseSize(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>(`SELECT pg_database_size(current_database())::text AS bytes`);
  return Number(rows[0]!.bytes);
}
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** `npm run bench` as a child on the same database; answers its result file's contents. */
async function runBench(databaseUrl: string, label: string, onLatencyPhase?: () => void): Promise<any> {
  log(`bench (${label})…`);
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/bench.ts")], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BENCH_BUILD_CHECKED: process.env.BENCH_DIST_DIR || ".next-bench",
      BENCH_EVENTS: process.env.BENCH_EVENTS ?? "500",
      BENCH_ENDPOINTS: process.env.BENCH_ENDPOINTS ?? "10",
      BENCH_LATENCY_SECONDS: String(LATENCY_SECONDS),
      BENCH_CEILING_SECONDS: "1",
      BENCH_PORT: String(PORT + 1),
      BENCH_ENGINE_PORT: String(ENGINE_PORT + 1),
      BENCH_PGLITE_PORT: String(PGLITE_PORT + 1),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let file = "";
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const match = /results: (\S+\.json)/.exec(line);
    if (match) file = match[1]!.replace(/;$/, "");
    if (line.includes("phase 1:")) onLatencyPhase?.();
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  if (code !== 0 || !file) throw new Error(`bench (${label}) failed (${code})`);
  return JSON.parse(readFileSync(file, "utf8"));
}

async function purge(databaseUrl: string, accountIds: Set<string>) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const now = new Date();
  let counts: PurgeCounts = emptyCounts();
  const t0 = Date.now();
  try {
    // As the daily function does, over the bench's own accounts only.
    const accounts = (await accountsToPurge(pool)).filter((a) => accountIds.has(a.id));
    for (let next = 0; next < accounts.length; ) {
      const slice = await purgeAccountsSlice(pool, accounts, next, { now, ...PURGE_DEFAULTS });
      counts = addCounts(counts, slice.counts);
      next = slice.next;
    }
  } finally {
    await pool.end();
  }
  return { seconds: round((Date.now() - t0) / 1000), counts, started: t0, ended: Date.now() };
}

/** The account measured: its id, an admin API key, and the endpoint whose history is timed. */
interface HistoryAccount {
  accountId: string;
  apiKey: string;
  endpointId: string;
}

/**
 * The account an earlier run generated, or undefined. Its ids are fixed (evt_h<n>, dlv_h<n>), so
 * a database holds one such account at most; dlv_h0, the newest delivery, went to the endpoint
 * whose history a run times. The run's API key was never stored, so a fresh admin key is minted
 * straight in the database as createTenant does (SHA-256 of the key, its first 16 characters).
 */
async function findGeneratedAccount(client: pg.Client): Promise<HistoryAccount | undefined> {
  const { rows } = await client.query<{ account_id: string; endpoint_id: string }>(
    `SELECT account_id, endpoint_id FROM deliveries WHERE id = 'dlv_h0'`,
  );
  if (!rows[0]) return undefined;
  const apiKey = `db24x7_sk_${randomBytes(32).toString("base64url")}`;
  await client.query(
    `INSERT INTO api_keys (id, account_id, name, prefix, key_hash, role, created_at)
     VALUES ($1, $2, 'bench:history', $3, $4, 'admin', now() AT TIME ZONE 'UTC')`,
    [newId("key"), rows[0].account_id, apiKey.slice(0, 16), createHash("sha256").update(apiKey).digest("hex")],
  );
  return { accountId: rows[0].account_id, apiKey, endpointId: rows[0].endpoint_id };
}

/** Times the history and stats APIs of the running product. */
async function measureApi(client: pg.Client, appUrl: string, account: HistoryAccount, result: Record<string, any>) {
  const { endpointId } = account;
  const headers = { authorization: `Bearer ${account.apiKey}` };
  const perEndpoint = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM deliveries WHERE endpoint_id = $1`, [endpointId]);
  const depth = Math.floor(Number(perEndpoint.rows[0]!.n) / 2);
  const deep = await client.query<{ id: string; created_at: Date }>(
    `SELECT id, created_at FROM deliveries WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
    [endpointId, depth],
  );
  // pg reads "timestamp without time zone" as local time; the stored value is UTC.
  const deepAt = new Date(deep.rows[0]!.created_at.getTime() - deep.rows[0]!.created_at.getTimezoneOffset() * 60_000);
  const history = `${appUrl}/api/v1/webhooks/${endpointId}/deliveries?limit=20`;
  result.history_first = await latencies(history, headers, SAMPLES);
  result.history_deep = { depth, ...(await latencies(`${history}&cursor=${cursorOf(deepAt, deep.rows[0]!.id)}`, headers, SAMPLES)) };
  result.stats = await latencies(`${appUrl}/api/v1/stats/deliveries`, headers, Math.ceil(SAMPLES / 2));
  log(`history first page ${JSON.stringify(result.history_first)}, deep ${JSON.stringify(result.history_deep)}, stats ${JSON.stringify(result.stats)}`);
}

/** `npm run bench` alone, then again while the retention purge removes the oldest tenth. */
async function benchAroundPurge(client: pg.Client, databaseUrl: string, accountId: string, result: Record<string, any>) {
  result.bench_alone = (await runBench(databaseUrl, "alone")).latency;
  await client.query(`UPDATE accounts SET retention_days = $2, body_retention_days = 7 WHERE id = $1`, [accountId, RETENTION_DAYS]);
  const expired = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM deliveries WHERE account_id = $1 AND created_at < (now() AT TIME ZONE 'UTC') - $2 * interval '1 day'`,
    [accountId, RETENTION_DAYS],
  );
  result.expired = Number(expired.rows[0]!.n);
  result.size_before = await databaseSize(client);
  let purging: Promise<Awaited<ReturnType<typeof purge>>> | undefined;
  const bench = await runBench(databaseUrl, "with the retention purge", () => {
    log(`purging ${result.expired} expired deliveries during bench's latency phase…`);
    purging = purge(databaseUrl, new Set([accountId]));
  });
  result.bench_with_purge = bench.latency;
  const purged = await purging!;
  result.purge = purged;
  log(`purge: ${JSON.stringify(purged)}`);
  result.size_after = await databaseSize(client);
  await timed("vacuum", () => client.query("VACUUM"));
  result.size_after_vacuum = await databaseSize(client);
}

async function main() {
  if (REUSE && !process.env.DATABASE_URL) throw new Error("BENCH_HISTORY_REUSE=1 needs DATABASE_URL: an in-memory PGlite holds nothing to reuse");
  const distDir = process.env.BENCH_DIST_DIR || ".next-bench";
  await ensureBuild(distDir, log);
  const pglite = process.env.DATABASE_URL ? undefined : await startPglite(PGLITE_PORT + 2);
  const databaseUrl = process.env.DATABASE_URL || pglite!.url;
  const database = pglite ? "PGlite (in memory)" : "PostgreSQL";
  const result: Record<string, any> = { at: new Date().toISOString(), database, phases: PHASES };
  const client = new pg.Client({ connectionString: databaseUrl });
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  try {
    // The product migrates the database as it starts: the lookup follows it.
    const stack = await startStack({
      port: PORT,
      enginePort: ENGINE_PORT,
      pglitePort: PGLITE_PORT,
      databaseUrl,
      distDir,
      logFile: join(resultsDir, `bench-history-${stamp}-stack.log`),
    });
    let account: HistoryAccount | undefined;
    try {
      await client.connect();
      account = REUSE ? await findGeneratedAccount(client) : undefined;
      if (account) {
        log(`database: ${database}; reusing account ${account.accountId} and its history`);
        result.reused = true;
      } else {
        if (REUSE) log("no account from an earlier run in the database: generating one");
        log(`database: ${database}; ${DELIVERIES} deliveries over ${DAYS} days and ${ENDPOINTS} endpoints`);
        receiver = await startReceiver();
        const specs = Array.from({ length: ENDPOINTS }, () => ({ eventTypes: ["alert.critical"] }));
        const tenant = await createTenant(databaseUrl, stack.appUrl, receiver.base, specs);
        result.deliveries = DELIVERIES;
        account = { accountId: tenant.accountId, apiKey: tenant.apiKey, endpointId: tenant.endpoints[0]!.id };
        result.generate_s = round(await timed("generate", () => generate(client, tenant.accountId, tenant.endpoints.map((e) => e.id))));
        result.analyze_s = round(await timed("vacuum analyze", () => client.query("VACUUM ANALYZE")));
      }
      const counts = await client.query<{ deliveries: string; attempts: string; endpoints: string }>(
        `SELECT (SELECT count(*) FROM deliveries WHERE account_id = $1)::text AS deliveries,
                (SELECT count(*) FROM delivery_attempts WHERE account_id = $1)::text AS attempts,
                (SELECT count(*) FROM webhook_endpoints WHERE account_id = $1 AND deleted_at IS NULL)::text AS endpoints`,
        [account.accountId],
      );
      result.rows = { deliveries: Number(counts.rows[0]!.deliveries), attempts: Number(counts.rows[0]!.attempts) };
      result.endpoints = Number(counts.rows[0]!.endpoints);
      log(`rows: ${JSON.stringify(result.rows)}; database ${mb(await databaseSize(client))}`);
      await measureApi(client, stack.appUrl, account, result);
    } finally {
      await stack.stop();
    }
    if (PHASES === "all") await benchAroundPurge(client, databaseUrl, account.accountId, result);
  } finally {
    await client.end().catch(() => {});
    await receiver?.stop();
    pglite?.child.kill("SIGTERM");
  }
  const file = join(resultsDir, `bench-history-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  printTable(result);
  log(`results: ${file}`);
}

/** The table of whatever the run measured (BENCH_HISTORY_PHASES=api leaves out the bench rows). */
function printTable(r: Record<string, any>) {
  const origin = r.reused ? "reused from an earlier run" : `generated in ${r.generate_s} s`;
  const rows = [
    ["Data", `${r.rows.deliveries.toLocaleString("en")} deliveries, ${r.rows.attempts.toLocaleString("en")} attempts, ${r.endpoints} endpoints, 30 days (${r.database}; ${origin})`, ""],
    ["History API, first page (20)", `p50 ${r.history_first.p50} ms, p95 ${r.history_first.p95} ms`, "p95 < 50 ms"],
    [`History API, page at depth ${r.history_deep.depth.toLocaleString("en")}`, `p50 ${r.history_deep.p50} ms, p95 ${r.history_deep.p95} ms`, "p95 < 50 ms"],
    ["Dashboard stats API", `p50 ${r.stats.p50} ms, p95 ${r.stats.p95} ms`, "p95 < 200 ms"],
  ];
  if (r.purge) {
    const alone = r.bench_alone.delay.p99_ms;
    const withPurge = r.bench_with_purge.delay.p99_ms;
    const raise = round(((withPurge - alone) / alone) * 100);
    const c = r.purge.counts;
    rows.push(
      [
        "Retention purge",
        `${c.deliveries.toLocaleString("en")} deliveries, ${c.attempts.toLocaleString("en")} attempts, ${c.events.toLocaleString("en")} events, ${c.hours} hourly rows in ${r.purge.seconds} s`,
        "",
      ],
      ["bench p99 (publish→receipt), alone", `${alone} ms`, ""],
      ["bench p99 during the purge", `${withPurge} ms (${raise >= 0 ? "+" : ""}${raise} %)`, "≤ +20 %"],
      ["Database size", `${mb(r.size_before)} before the purge, ${mb(r.size_after)} after, ${mb(r.size_after_vacuum)} after VACUUM (space kept for reuse)`, ""],
    );
  }
  process.stdout.write(`\n| Measure | Result | Target |\n|---|---|---|\n${rows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
