// `npm run test:crash`: no event is lost when the whole stack is killed (-9) mid-flight.
// Starts the product as `npm start` does (scripts/run.ts start; PGlite on a temporary data
// directory, or PostgreSQL when DATABASE_URL is set), publishes CRASH_EVENTS events (5,000) to
// CRASH_ENDPOINTS endpoints (2) through the API, with receivers that refuse some first attempts
// (and a few second ones) so retries sleep, and SIGKILLs the engine, Next.js, PGlite and the launcher twice: once while
// deliveries are in flight (publishing still running), once while retries sleep. After each
// kill it starts the stack again with the same command and environment. Then it checks:
//   - every published event reached every subscribed receiver at least once (2xx), and none
//     was published twice (producers retry with their own id after a crash);
//   - every request carried a valid signature and the body's id equals X-DB24x7-Event-ID;
//     duplicates (a crash between the receiver's 2xx and our database write) are counted and
//     listed, not failed: delivery is at least once;
//   - the delivery history (GET /api/v1/webhooks/:id/deliveries, and the attempts in the
//     database) agrees with what the receivers saw.
// Exits non-zero naming every violation. Knobs: CRASH_EVENTS, CRASH_ENDPOINTS,
// WEBHOOK_RETRY_SCHEDULE (0,2s,4s,8s), CRASH_TIMEOUT_S (600), CRASH_PORT/CRASH_ENGINE_PORT/
// CRASH_PGLITE_PORT (3501/8789/54798), NEXT_DIST_DIR (.next; built when missing).
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { deliveryConfig } from "../lib/deliveries/config";
import {
  createTenant,
  ensureBuild,
  publish,
  root,
  sampleData,
  sleep,
  startReceiver,
  startStack,
  type RunningStack,
} from "./lib/stack-harness";

const EVENTS = Number(process.env.CRASH_EVENTS ?? 5_000);
const ENDPOINTS = Number(process.env.CRASH_ENDPOINTS ?? 2);
const SCHEDULE = process.env.WEBHOOK_RETRY_SCHEDULE || "0,2s,4s,8s";
const TIMEOUT_MS = Number(process.env.CRASH_TIMEOUT_S ?? 600) * 1000;
const PUBLISH_CONCURRENCY = 8;
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const TYPE = "alert.critical";
const STALL_MS = Number(process.env.CRASH_STALL_S ?? 150) * 1000;
const ENGINE_SCHEMA = "inngest_engine";

const t0 = Date.now();
const deadline = t0 + TIMEOUT_MS;
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;
const log = (m: string) => process.stdout.write(`[crash ${elapsed().padStart(4)}] ${m}\n`);

/**
 * Which requests a receiver refuses (503): the first request of one event in ten (endpoint 0)
 * or one in four (the others), and the second of some of those. At most three requests
 * per event, so the four-attempt schedule always ends in a success; a crash that repeats a
 * request only brings the success sooner. (Refusing more mostly adds work: every refused
 * attempt costs the app three calls.)
 */
function refuses(endpoint: number, eventId: string, nth: number): boolean {
  const h = [...eventId].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  const refusedFirst = endpoint === 0 ? h % 10 === 0 : h % 4 === 0;
  return refusedFirst && (nth === 1 || (nth === 2 && h % 20 < 4));
}

/**
 * Logs what the database and the engine hold for deliveries no receiver has accepted: the
 * delivery row, its attempts, and every engine event, batch item, run and queue item naming it.
 */
async function describeStuck(databaseUrl: string, stuck: Array<{ eventId: string; endpointId: string }>) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const s = ENGINE_SCHEMA;
  const show = (label: string, rows: unknown[]) => log(`  ${label}: ${JSON.stringify(rows)}`);
  try {
    for (const { eventId, endpointId } of stuck) {
      const { rows: deliveries } = await client.query(
        `SELECT id, status::text, attempt_count, next_attempt_at, completed_at, created_at, updated_at, last_error,
                (SELECT array_agg(o.id) FROM outbox o WHERE o.id = d.event_id OR o.data->>'delivery_id' = d.id) AS in_outbox
           FROM deliveries d WHERE event_id = $1 AND endpoint_id = $2`,
        [eventId, endpointId],
      );
      log(`STUCK: event ${eventId} → endpoint ${endpointId}`);
      show("delivery", deliveries);
      const id = deliveries[0]?.id as string | undefined;
      if (!id) continue;
      show("attempts", (await client.query(
        `SELECT id, number, trigger, succeeded, response_status, error_class, created_at FROM delivery_attempts WHERE delivery_id = $1 ORDER BY created_at`,
        [id],
      )).rows);
      show("endpoint", (await client.query(`SELECT failing_since, deleted_at FROM webhook_endpoints WHERE id = $1`, [endpointId])).rows);
      show("engine events", (await client.query(
        `SELECT key, name, processed, received_at, payload->'data' AS data FROM ${s}.events
          WHERE key LIKE $1 || '%' OR key = $2 OR payload->'data'->>'delivery_id' = $1`,
        [id, eventId],
      )).rows);
      show("batch items", (await client.query(
        `SELECT id, fn_id, created_at, flush_at FROM ${s}.batch_items WHERE event->>'id' = $1`,
        [eventId],
      )).rows);
      const { rows: runs } = await client.query(
        `SELECT id, fn_id, status, version, created_at, ended_at, error, jsonb_array_length(coalesce(events, '[]')) AS batch
           FROM ${s}.runs
          WHERE event->'data'->>'delivery_id' = $1
             OR events @> jsonb_build_array(jsonb_build_object('id', $2::text))
             OR event->'data'->'event'->'data'->>'delivery_id' = $1
             OR event->'data'->'event'->>'id' = $2`,
        [id, eventId],
      );
      show("runs", runs);
      for (const run of runs) {
        show(`  run ${run.id} steps`, (await client.query(`SELECT id, name, attempt, created_at, left(result::text, 300) AS result FROM ${s}.steps WHERE run_id = $1 ORDER BY seq`, [run.id])).rows);
        show(`  run ${run.id} queue`, (await client.query(`SELECT * FROM ${s}.queue WHERE run_id = $1`, [run.id])).rows);
        show(`  run ${run.id} errors`, (await client.query(`SELECT step_id, attempt, left(error::text, 300) AS error, at FROM ${s}.attempt_errors WHERE run_id = $1`, [run.id])).rows);
      }
    }
  } finally {
    await client.end();
  }
}

async function main() {
  const distDir = process.env.NEXT_DIST_DIR || ".next";
  await ensureBuild(distDir, log);
  const dataDir = DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), "db24x7-crash-"));
  const logDir = join(root, "bench-results");
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `crash-${new Date().toISOString().replace(/[:.]/g, "-")}-stack.log`);
  log(`${DATABASE_URL ? "PostgreSQL" : `PGlite in ${dataDir}`}; ${EVENTS} events × ${ENDPOINTS} endpoints; retry schedule ${SCHEDULE}; stack log ${logFile}`);

  const requests = new Map<string, number>(); // `${event}:${endpoint}` → requests seen
  const receiver = await startReceiver((endpoint, eventId) => {
    const key = `${eventId}:${endpoint}`;
    const nth = (requests.get(key) ?? 0) + 1;
    requests.set(key, nth);
    return refuses(endpoint, eventId, nth) ? 503 : 200;
  });
  const delivered = new Set<string>();
  receiver.onReceipt = (r) => {
    if (r.status >= 200 && r.status < 300) delivered.add(`${r.eventId}:${r.endpoint}`);
  };

  let stack: RunningStack | undefined;
  const up = async (label: string) => {
    const started = Date.now();
    stack = await startStack({
      port: Number(process.env.CRASH_PORT ?? 3501),
      enginePort: Number(process.env.CRASH_ENGINE_PORT ?? 8789),
      pglitePort: Number(process.env.CRASH_PGLITE_PORT ?? 54798),
      databaseUrl: DATABASE_URL,
      dataDir,
      distDir,
      logFile,
      env: { WEBHOOK_RETRY_SCHEDULE: SCHEDULE },
      onLine: (line) => {
        if (/PGlite exited|could not|corrupt|PANIC/i.test(line)) log(`stack: ${line.slice(0, 300)}`);
      },
    });
    log(`${label}: stack up in ${((Date.now() - started) / 1000).toFixed(1)}s (${JSON.stringify(Object.fromEntries(stack.processes()))})`);
    return stack;
  };

  const violations: string[] = [];
  const crashes: Array<Record<string, unknown>> = [];
  try {
    await up("start");
    const tenant = await createTenant(
      stack!.databaseUrl,
      stack!.appUrl,
      receiver.base,
      Array.from({ length: ENDPOINTS }, () => ({ eventTypes: [TYPE] })),
    );
    for (const e of tenant.endpoints) receiver.secrets.set(e.index, e.secret);
    const expected = EVENTS * ENDPOINTS;
    const data = await sampleData(TYPE);

    // Producers: each event has its own producer id and is published until the API accepts it
    // (202), across crashes; a repeat of an id already stored answers `duplicate`.
    const eventIds = new Map<string, string>(); // producer id → event id
    let publishRetries = 0;
    let duplicateAnswers = 0;
    let nextIndex = 0;
    const producer = async () => {
      for (;;) {
        const i = nextIndex++;
        if (i >= EVENTS) return;
        const producerId = `crash-${i}`;
        for (;;) {
          if (Date.now() > deadline) throw new Error("timed out publishing");
          try {
            const res = await fetch(`${stack!.appUrl}/api/v1/events`, {
              method: "POST",
              headers: { authorization: `Bearer ${tenant.apiKey}`, "content-type": "application/json" },
              body: JSON.stringify({ type: TYPE, data, environment: "staging", id: producerId }),
            });
            const body = (await res.json()) as { id: string; duplicate: boolean; deliveries: unknown[] };
            if (res.status !== 202) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
            if (body.deliveries.length !== ENDPOINTS) violations.push(`event ${body.id} fanned out to ${body.deliveries.length} endpoints, not ${ENDPOINTS}`);
            if (body.duplicate) duplicateAnswers++;
            const before = eventIds.get(producerId);
            if (before && before !== body.id) violations.push(`producer id ${producerId} stored twice: ${before} and ${body.id}`);
            eventIds.set(producerId, body.id);
            break;
          } catch {
            publishRetries++;
            await sleep(250);
          }
        }
      }
    };
    const publishing = Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, producer));
    let published = false;
    void publishing.then(() => {
      published = true;
      log(`all ${EVENTS} events accepted (${publishRetries} publish requests retried, ${duplicateAnswers} answered as duplicates)`);
    });

    const status = async () => {
      const client = new pg.Client({ connectionString: stack!.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT status::text, count(*)::int AS n, count(*) FILTER (WHERE next_attempt_at > now())::int AS sleeping
             FROM deliveries WHERE account_id = $1 GROUP BY status`,
          [tenant.accountId],
        );
        return Object.fromEntries(rows.map((r) => [r.status, { n: r.n, sleeping: r.sleeping }])) as Record<string, { n: number; sleeping: number }>;
      } finally {
        await client.end();
      }
    };
    const progress = () =>
      `published ${eventIds.size}/${EVENTS}; delivered ${delivered.size}/${expected}; requests ${receiver.receipts.length}`;

    const crash = async (label: string) => {
      const before = await status().catch(() => ({}));
      const recent = receiver.receipts.filter((r) => r.at > Date.now() - 1000).length;
      const s = stack!;
      s.kill9();
      await s.exited;
      const record = {
        label,
        at: elapsed(),
        published: eventIds.size,
        delivered: delivered.size,
        requests_in_last_second: recent,
        deliveries_by_status: before,
      };
      crashes.push(record);
      log(`KILL -9 (${label}): ${JSON.stringify(record)}`);
      await up(`restart after ${label}`);
    };

    // Crash 1: while deliveries are in flight and producers are still publishing.
    const ticker = setInterval(() => log(progress()), 5_000);
    try {
      while (delivered.size < expected * 0.2 && !(published && delivered.size >= expected * 0.1)) {
        if (Date.now() > deadline) throw new Error(`timed out before the first crash: ${progress()}`);
        await sleep(20);
      }
      await crash("deliveries in flight, publishing");

      // Crash 2: while retries sleep (deliveries retrying with next_attempt_at ahead).
      for (;;) {
        if (Date.now() > deadline) throw new Error(`timed out before the second crash: ${progress()}`);
        const s = await status().catch(() => ({}) as Record<string, { n: number; sleeping: number }>);
        const sleeping = s.retrying?.sleeping ?? 0;
        if ((published && sleeping >= 10 && delivered.size >= expected * 0.5) || delivered.size >= expected * 0.9) break;
        await sleep(250);
      }
      await crash("retries sleeping");

      await publishing;
      let lastCount = -1;
      let lastChange = Date.now();
      let dumped = false;
      while (delivered.size < expected) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for deliveries: ${progress()}`);
        if (delivered.size !== lastCount) [lastCount, lastChange] = [delivered.size, Date.now()];
        // Longer than the last retry's wait plus a sweep: something is stuck. Say what, once.
        if (!dumped && Date.now() - lastChange > STALL_MS) {
          dumped = true;
          const stuck = [...eventIds.values()].flatMap((id) =>
            tenant.endpoints.filter((e) => !delivered.has(`${id}:${e.index}`)).map((e) => ({ eventId: id, endpointId: e.id })),
          );
          await describeStuck(stack!.databaseUrl, stuck.slice(0, 5)).catch((error: unknown) => log(`could not describe: ${String(error)}`));
        }
        await sleep(100);
      }
      log(`every event reached every receiver: ${progress()}`);
    } finally {
      clearInterval(ticker);
    }

    // The database may record the last successes a moment after the receivers saw them.
    for (;;) {
      const s = await status();
      if ((s.succeeded?.n ?? 0) === expected || Date.now() > deadline) {
        log(`deliveries in the database: ${JSON.stringify(s)}`);
        break;
      }
      await sleep(250);
    }

    // ── checks ──
    const events = new Set(eventIds.values());
    if (events.size !== EVENTS) violations.push(`${EVENTS} producer ids but ${events.size} distinct events`);
    const endpointIndex = new Map(tenant.endpoints.map((e) => [e.id, e.index]));

    const ok = receiver.receipts.filter((r) => r.status >= 200 && r.status < 300);
    const okCount = new Map<string, number>();
    for (const r of ok) okCount.set(`${r.eventId}:${r.endpoint}`, (okCount.get(`${r.eventId}:${r.endpoint}`) ?? 0) + 1);
    let missing = 0;
    for (const id of events) {
      for (const e of tenant.endpoints) {
        if (!okCount.has(`${id}:${e.index}`)) {
          missing++;
          if (missing <= 10) violations.push(`LOST: event ${id} never reached endpoint ${e.index} (${e.id})`);
        }
      }
    }
    if (missing > 10) violations.push(`LOST: ${missing} (event, endpoint) pairs in all`);
    const unknown = receiver.receipts.filter((r) => !events.has(r.eventId));
    if (unknown.length) violations.push(`${unknown.length} requests for events nobody published (e.g. ${unknown[0]!.eventId})`);
    const mismatched = receiver.receipts.filter((r) => r.bodyEventId !== r.eventId);
    if (mismatched.length) violations.push(`${mismatched.length} requests whose body id differs from X-DB24x7-Event-ID`);
    if (receiver.badSignatures) violations.push(`${receiver.badSignatures} requests with a signature that did not verify`);
    const duplicates = [...okCount].filter(([, n]) => n > 1);

    // The history as the API shows it, endpoint by endpoint.
    const history = new Map<string, { id: string; status: string; attempt_count: number; endpoint: number }>();
    for (const e of tenant.endpoints) {
      let cursor: string | null = null;
      do {
        const url = new URL(`${stack!.appUrl}/api/v1/webhooks/${e.id}/deliveries`);
        url.searchParams.set("limit", "100");
        if (cursor) url.searchParams.set("cursor", cursor);
        const res = await fetch(url, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
        if (!res.ok) throw new Error(`GET ${url.pathname} answered ${res.status}`);
        const page = (await res.json()) as {
          data: Array<{ id: string; event_id: string; endpoint_id: string; status: string; attempt_count: number }>;
          next_cursor: string | null;
        };
        for (const d of page.data) {
          const key = `${d.event_id}:${endpointIndex.get(d.endpoint_id)}`;
          if (history.has(key)) violations.push(`two deliveries for ${key}`);
          history.set(key, { id: d.id, status: d.status, attempt_count: d.attempt_count, endpoint: e.index });
        }
        cursor = page.next_cursor;
      } while (cursor);
    }
    if (history.size !== EVENTS * ENDPOINTS) violations.push(`the history lists ${history.size} deliveries, not ${EVENTS * ENDPOINTS}`);
    let notSucceeded = 0;
    for (const [key, d] of history) {
      if (d.status !== "succeeded") {
        notSucceeded++;
        if (notSucceeded <= 10) violations.push(`delivery ${d.id} (${key}) is ${d.status} in the history`);
      } else if (!okCount.has(key)) {
        violations.push(`delivery ${d.id} (${key}) is succeeded but its receiver never answered 2xx`);
      }
    }
    if (notSucceeded > 10) violations.push(`${notSucceeded} deliveries not succeeded in all`);
    for (const key of okCount.keys()) {
      if (!history.has(key)) violations.push(`receiver accepted ${key} but the history has no such delivery`);
    }

    // Attempts: every request a receiver saw is a recorded attempt, except those cut off by a
    // crash between the request and our write; every recorded attempt reached its receiver.
    const client = new pg.Client({ connectionString: stack!.databaseUrl });
    await client.connect();
    const { rows: attempts } = await client.query<{ id: string; succeeded: boolean; response_status: number | null }>(
      `SELECT id, succeeded, response_status FROM delivery_attempts WHERE account_id = $1`,
      [tenant.accountId],
    );
    await client.end();
    const seen = new Map(receiver.receipts.map((r) => [r.attemptId, r]));
    const recorded = new Set(attempts.map((a) => a.id));
    for (const a of attempts) {
      const r = seen.get(a.id);
      if (!r) violations.push(`attempt ${a.id} is recorded but no receiver saw it`);
      else if ((a.response_status ?? 0) !== r.status) violations.push(`attempt ${a.id} recorded ${a.response_status}, receiver answered ${r.status}`);
    }
    const unrecorded = receiver.receipts.filter((r) => !recorded.has(r.attemptId));
    // Only requests in flight when a crash struck can be unrecorded.
    // Per crash: what the batch runs had in flight or waiting to be written (see
    // attempt-delivery's Recorder), plus what per-delivery runs had in flight.
    const config = deliveryConfig();
    const perBatch = 50 + ENDPOINTS * config.batchEndpointConcurrency;
    const inFlightBound = crashes.length * (config.batchConcurrency * perBatch + ENDPOINTS * config.endpointConcurrency);
    if (unrecorded.length > inFlightBound) {
      violations.push(`${unrecorded.length} requests reached receivers without a recorded attempt (more than the ${inFlightBound} a crash can cut off)`);
    }

    const report = {
      database: DATABASE_URL ? "postgresql" : "pglite",
      events: EVENTS,
      endpoints: ENDPOINTS,
      deliveries: expected,
      requests_received: receiver.receipts.length,
      refused_by_receivers: receiver.receipts.filter((r) => r.status >= 500).length,
      duplicates: duplicates.length,
      unrecorded_requests: unrecorded.length,
      publish_retries: publishRetries,
      crashes,
      seconds: Math.round((Date.now() - t0) / 1000),
    };
    log(`result: ${JSON.stringify(report)}`);
    if (duplicates.length) {
      log(`duplicates (same X-DB24x7-Event-ID delivered more than once, expected after a crash):`);
      for (const [key, n] of duplicates.slice(0, 50)) log(`  ${key} × ${n}`);
      if (duplicates.length > 50) log(`  … and ${duplicates.length - 50} more`);
    }
  } catch (error) {
    violations.push(`the test could not finish: ${(error as Error).message}`);
  } finally {
    if (stack) await stack.stop();
    await receiver.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }

  if (violations.length) {
    process.stderr.write(`\nCRASH TEST FAILED (${elapsed()}):\n${violations.map((v) => `  - ${v}`).join("\n")}\n`);
    process.exit(1);
  }
  log(`PASSED in ${elapsed()}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
