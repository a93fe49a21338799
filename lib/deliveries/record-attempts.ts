import "server-only";
import type pg from "pg";
import { sqlQuery, sqlQueryPlannedEachTime, sqlTimestamp, sqlTransaction } from "../db";
import { SYSTEM_CALLER } from "../audit/system";
import { auditEntry } from "../audit/record";
import { deliveryConfig } from "./config";
import type { SendResult } from "./send-request";

export interface SentAttempt {
  attemptId: string;
  headers: Record<string, string>;
  result: SendResult;
  at: Date;
}

/** What one delivery's attempt did: one request, or two when a secret switch was detected. */
export interface AttemptRecord {
  deliveryId: string;
  accountId: string;
  endpointId: string;
  isTest: boolean;
  requestUrl: string;
  trigger: "scheduled" | "manual" | "test";
  sent: SentAttempt[];
  /** A failure settles the delivery as failed (the last scheduled attempt, or a test). */
  final: boolean;
  /** A scheduled attempt that failed with attempts left: when the next one is due. */
  retryAt: Date | null;
  /** The request signed with the new secret was accepted during a grace period. */
  switchedSecret: boolean;
  at: Date;
}

// The delivery's new state, decided from its state at the time of writing: a success settles it
// (unconditionally, as a success does); a failure never overwrites a success or a cancellation
// that landed meanwhile (a manual retry racing the schedule); a failed scheduled attempt with
// attempts left is retrying; a failed manual attempt keeps a pending schedule (retrying, next
// attempt still ahead), and otherwise (a failed, stopped or bulk-replayed delivery) is failed.
// One statement updates every delivery of the group, inserts its attempts (numbered after the
// delivery's count) and clears failing_since of the endpoints that answered.
// Computed in each SET from the row as UPDATE locked it (after waiting out a concurrent
// change, PostgreSQL re-reads the row), so no separate SELECT … FOR UPDATE is needed.
const VERDICT = `CASE WHEN x.succeeded THEN 'settle'
         WHEN d.status IN ('succeeded', 'cancelled') THEN 'keep'
         WHEN x.final THEN 'fail'
         WHEN x.retry_at IS NOT NULL THEN 'retry'
         WHEN x.manual AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= x.attempted_at) THEN 'fail'
         ELSE 'keep' END`;

const RECORD_SQL = `
WITH updated AS (
  UPDATE deliveries d SET
    attempt_count = d.attempt_count + x.sent,
    last_attempt_at = x.attempted_at,
    last_status_code = x.status_code,
    last_error = x.error,
    status = CASE ${VERDICT} WHEN 'settle' THEN 'succeeded'::"DeliveryStatus" WHEN 'fail' THEN 'failed'::"DeliveryStatus"
                            WHEN 'retry' THEN 'retrying'::"DeliveryStatus" ELSE d.status END,
    next_attempt_at = CASE ${VERDICT} WHEN 'retry' THEN x.retry_at WHEN 'keep' THEN d.next_attempt_at ELSE NULL END,
    completed_at = CASE WHEN ${VERDICT} IN ('settle', 'fail') THEN x.attempted_at ELSE d.completed_at END,
    updated_at = x.attempted_at
  FROM json_to_recordset($1::json) AS x(
    id text, sent int, succeeded boolean, final boolean, manual boolean, retry_at timestamp(3),
    status_code int, error text, attempted_at timestamp(3))
  WHERE d.id = x.id
  RETURNING d.id, d.attempt_count
), inserted AS (
  INSERT INTO delivery_attempts (id, delivery_id, account_id, number, trigger, request_url, request_headers,
    response_status, response_headers, response_body, duration_ms, error_class, error_message, succeeded, created_at)
SELECT a.id, a.delivery_id, a.account_id, updated.attempt_count - a.sent_count + a.n, a.trigger, a.request_url, a.request_headers,
  a.response_status, a.response_headers, a.response_body, a.duration_ms, a.error_class, a.error_message, a.succeeded, a.created_at
FROM json_to_recordset($2::json) AS a(
  id text, delivery_id text, account_id text, n int, sent_count int, trigger text, request_url text, request_headers jsonb,
  response_status int, response_headers jsonb, response_body text, duration_ms int, error_class text,
  error_message text, succeeded boolean, created_at timestamp(3))
JOIN updated ON updated.id = a.delivery_id
RETURNING 1
), healthy AS (
  UPDATE webhook_endpoints SET failing_since = NULL, updated_at = $4
  WHERE id = ANY($3::text[]) AND failing_since IS NOT NULL
)
SELECT count(*)::int AS recorded FROM inserted`;
// Planned at each execution (see sqlQueryPlannedEachTime): as a prepared statement, a generic plan
// made while `deliveries` was small joined it by a full scan, 3,244 scans reading 151 million rows
// in one benchmark on a new database, and the statement took 16 ms instead of 3.

/** Writes a group of attempts and what they mean for their deliveries and endpoints, atomically. */
export async function recordAttempts(records: AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const deliveries = records.map((r) => {
    const last = r.sent[r.sent.length - 1]!.result;
    return {
      id: r.deliveryId,
      sent: r.sent.length,
      succeeded: last.errorClass === null,
      final: r.final,
      manual: r.trigger === "manual",
      retry_at: sqlTimestamp(r.retryAt),
      status_code: last.status,
      error: last.errorMessage,
      attempted_at: sqlTimestamp(r.at),
    };
  });
  const attempts = records.flatMap((r) =>
    r.sent.map((attempt, i) => ({
      id: attempt.attemptId,
      delivery_id: r.deliveryId,
      account_id: r.accountId,
      n: i + 1,
      sent_count: r.sent.length,
      trigger: r.trigger,
      request_url: r.requestUrl,
      request_headers: redactSignatures(attempt.headers),
      response_status: attempt.result.status,
      response_headers: attempt.result.headers && withoutNul(attempt.result.headers),
      response_body: attempt.result.body && withoutNul(attempt.result.body),
      duration_ms: attempt.result.durationMs,
      error_class: attempt.result.errorClass,
      error_message: attempt.result.errorMessage && withoutNul(attempt.result.errorMessage),
      succeeded: attempt.result.errorClass === null,
      created_at: sqlTimestamp(attempt.at),
    })),
  );
  const health = endpointHealth(records);
  const switched = [...new Map(records.filter((r) => r.switchedSecret).map((r) => [r.endpointId, r])).values()];
  const now = new Date();

  const healthy = [...health].filter(([, h]) => h.succeeded).map(([id]) => id).sort();
  const failing = [...health].filter(([, h]) => !h.succeeded).map(([id]) => id).sort();
  const values = [JSON.stringify(deliveries), JSON.stringify(attempts), healthy, sqlTimestamp(now)];
  // Usually every endpoint answered and no secret switched: one statement, no transaction to
  // hold a connection across round trips.
  if (failing.length === 0 && switched.length === 0) {
    await withDeadlockRetry(() => sqlQueryPlannedEachTime(RECORD_SQL, values));
    return;
  }
  await withDeadlockRetry(() =>
    sqlTransaction(async (client) => {
      await sqlQueryPlannedEachTime(RECORD_SQL, values, client);
      await trackFailingEndpoints(client, failing, now);
      for (const r of switched) await endGracePeriod(client, r.endpointId, r.accountId, now);
    }),
  );
}

// Signatures are recorded only as their first characters: the full value is a MAC anyone
// reading the history could replay against the receiver.
function redactSignatures(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = /signature/i.test(name) ? value.replace(/([0-9a-f]{8}|[A-Za-z0-9+/]{8})[0-9A-Za-z+/=]+/g, "$1…") : value;
  }
  return out;
}

// PostgreSQL text cannot hold NUL, and a receiver may answer with one.
function withoutNul<T extends string | Record<string, string>>(value: T): T {
  if (typeof value === "string") return value.replaceAll("\u0000", "\uFFFD") as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v.replaceAll("\u0000", "\uFFFD")])) as T;
}

/** Each endpoint's latest outcome in the group (test deliveries say nothing about health). */
function endpointHealth(records: AttemptRecord[]) {
  const latest = new Map<string, { accountId: string; succeeded: boolean; at: Date }>();
  for (const r of records) {
    if (r.isTest) continue;
    const succeeded = r.sent[r.sent.length - 1]!.result.errorClass === null;
    const seen = latest.get(r.endpointId);
    if (!seen || seen.at <= r.at) latest.set(r.endpointId, { accountId: r.accountId, succeeded, at: r.at });
  }
  return latest;
}

async function trackFailingEndpoints(client: pg.PoolClient, failing: string[], now: Date) {
  if (failing.length === 0) return;
  await client.query("UPDATE webhook_endpoints SET failing_since = $2, updated_at = $2 WHERE id = ANY($1::text[]) AND failing_since IS NULL", [
    failing,
    sqlTimestamp(now),
  ]);
  const threshold = new Date(now.getTime() - deliveryConfig().autoDisableAfterMs);
  const { rows: disabled } = await client.query<{ id: string; account_id: string }>(
    `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'failing', disabled_at = $2, updated_at = $2
     WHERE id = ANY($1::text[]) AND status = 'active' AND deleted_at IS NULL AND failing_since <= $3
     RETURNING id, account_id`,
    [failing, sqlTimestamp(now), sqlTimestamp(threshold)],
  );
  await audit(
    client,
    disabled.map((endpoint) =>
      auditEntry(SYSTEM_CALLER(endpoint.account_id), "webhook_endpoint.auto_disabled", { type: "webhook_endpoint", id: endpoint.id }, {
        reason: `Every delivery failed since ${threshold.toISOString()}`,
      }),
    ),
    now,
  );
}

async function endGracePeriod(client: pg.PoolClient, endpointId: string, accountId: string, now: Date) {
  const { rowCount } = await client.query(
    `UPDATE webhook_endpoints SET previous_secret_encrypted = NULL, previous_secret_expires_at = NULL, updated_at = $2
     WHERE id = $1 AND previous_secret_encrypted IS NOT NULL`,
    [endpointId, sqlTimestamp(now)],
  );
  if (!rowCount) return;
  await audit(
    client,
    [
      auditEntry(SYSTEM_CALLER(accountId), "webhook_endpoint.secret_switch_detected", { type: "webhook_endpoint", id: endpointId }, {
        reason: `The endpoint accepted the new signing secret at ${now.toISOString()}; the previous one is no longer used`,
      }),
    ],
    now,
  );
}

async function audit(client: pg.PoolClient, entries: ReturnType<typeof auditEntry>[], now: Date) {
  if (entries.length === 0) return;
  await client.query(
    `INSERT INTO audit_log_entries (id, account_id, actor_type, actor_id, actor_label, action, target_type, target_id, metadata, created_at)
     SELECT x.id, x."accountId", x."actorType", x."actorId", x."actorLabel", x.action, x."targetType", x."targetId", coalesce(x.metadata, '{}'), $2
     FROM json_to_recordset($1::json) AS x(id text, "accountId" text, "actorType" text, "actorId" text, "actorLabel" text,
       action text, "targetType" text, "targetId" text, metadata jsonb)`,
    [JSON.stringify(entries), sqlTimestamp(now)],
  );
}

// Concurrent groups can touch the same endpoints' rows in different orders; PostgreSQL then
// aborts one transaction as a deadlock, and writing it again is safe (nothing was written).
async function withDeadlockRetry(write: () => Promise<unknown>, tries = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      const deadlock = (error as { code?: string }).code === "40P01";
      if (!deadlock || attempt >= tries) throw error;
    }
  }
}
