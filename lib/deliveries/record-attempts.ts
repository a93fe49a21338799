import "server-only";
import type pg from "pg";
import { sqlQuery, sqlQueryPlannedEachTime, sqlTimestamp, sqlTransaction } from "../db";
import { SYSTEM_CALLER } from "../audit/system";
import { auditEntry } from "../audit/record";
import { deliveryConfig } from "./config";
import { outboxRows, scheduleContinuedMessage, type OutboxMessage } from "./outbox";
import type { SendResult } from "./send-request";
import { afterAttempt, type AttemptTrigger, type Decision, type DeliveryState } from "./state";

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
  trigger: AttemptTrigger;
  /** The 0-based scheduled attempt (scheduled attempts only). */
  attempt: number;
  /** The delivery as read before the attempt: the decision is applied only if it still holds. */
  state: DeliveryState;
  sent: SentAttempt[];
  /** The request signed with the new secret was accepted during a grace period. */
  switchedSecret: boolean;
  at: Date;
}

/** A recorded attempt's decision, and the hand-over it wrote (when asked to write them). */
export interface Recorded {
  decision: Decision;
  handOver: OutboxMessage | null;
}

// One statement applies each delivery's decision, if the row still holds the state it was made
// from (compare-and-set on status and next attempt); inserts the attempts (numbered after the
// delivery's count) of the rows it changed, and their hand-overs; and clears failing_since of the
// endpoints that answered. A row changed meanwhile (a manual retry racing the schedule, the
// endpoint's deliveries cancelled) is read again and decided again.
const RECORD_SQL = `
WITH updated AS (
  UPDATE deliveries d SET
    attempt_count = d.attempt_count + x.sent,
    scheduled_attempts = d.scheduled_attempts + x.scheduled,
    last_attempt_at = x.attempted_at,
    last_status_code = x.status_code,
    last_error = x.error,
    status = x.status::"DeliveryStatus",
    next_attempt_at = x.next_attempt_at,
    completed_at = CASE WHEN x.completed THEN x.attempted_at ELSE d.completed_at END,
    updated_at = x.attempted_at
  FROM json_to_recordset($1::json) AS x(
    id text, sent int, scheduled int, status text, next_attempt_at timestamp(3), completed boolean,
    read_status text, read_next_attempt_at timestamp(3), status_code int, error text, attempted_at timestamp(3))
  WHERE d.id = x.id AND d.status = x.read_status::"DeliveryStatus"
    AND d.next_attempt_at IS NOT DISTINCT FROM x.read_next_attempt_at
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
), handed_over AS (
  INSERT INTO outbox (id, account_id, name, data, created_at)
  SELECT m.id, m.account_id, m.name, m.data, $4::timestamp(3)
    FROM json_to_recordset($5::json) AS m (id text, account_id text, name text, data jsonb)
    JOIN updated ON updated.id = m.data->>'delivery_id'
  ON CONFLICT (id) DO NOTHING
), healthy AS (
  UPDATE webhook_endpoints SET failing_since = NULL, updated_at = $4
  WHERE id = ANY($3::text[]) AND failing_since IS NOT NULL
)
SELECT id FROM updated`;
// Planned at each execution (see sqlQueryPlannedEachTime): as a prepared statement, a generic
// plan made while `deliveries` was small keeps joining it by a full scan as it grows.

/**
 * The columns a delivery's state is read from (with `deliveries d` joined to its
 * `webhook_endpoints w`), as `StateRow`; timestamps come as epoch milliseconds, so no time-zone
 * parsing.
 */
export const STATE_COLUMNS = `d.status::text AS status, d.scheduled_attempts,
       (extract(epoch FROM d.next_attempt_at) * 1000)::float8 AS next_attempt_ms,
       CASE WHEN w.deleted_at IS NOT NULL THEN 'deleted' ELSE w.status::text END AS endpoint`;

export interface StateRow {
  status: DeliveryState["status"];
  scheduled_attempts: number;
  next_attempt_ms: number | null;
  endpoint: DeliveryState["endpoint"];
}

export function stateFromRow(row: StateRow): DeliveryState {
  return {
    status: row.status,
    scheduledAttempts: row.scheduled_attempts,
    nextAttemptAt: row.next_attempt_ms === null ? null : new Date(Math.round(row.next_attempt_ms)),
    endpoint: row.endpoint,
  };
}

const LOAD_STATES_SQL = `
SELECT d.id, ${STATE_COLUMNS}
FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
WHERE d.id = ANY($1::text[])`;

/** The deliveries' state now, by id (a delivery since deleted is absent). */
export async function loadStates(ids: string[]): Promise<Map<string, DeliveryState>> {
  const { rows } = await sqlQuery<StateRow & { id: string }>("deliveries_load_states", LOAD_STATES_SQL, [ids]);
  return new Map(rows.map((row) => [row.id, stateFromRow(row)]));
}

// A decision made without an attempt (a cancellation, a requested attempt given up), applied to
// each row only if it still holds the state the decision was made from.
const APPLY_SQL = `
UPDATE deliveries d SET status = x.status::"DeliveryStatus", last_error = x.error, next_attempt_at = x.next_attempt_at,
       completed_at = CASE WHEN x.completed THEN $2::timestamp(3) ELSE d.completed_at END, updated_at = $2::timestamp(3)
  FROM json_to_recordset($1::json) AS x(
    id text, status text, error text, next_attempt_at timestamp(3), completed boolean, read_status text, read_next_attempt_at timestamp(3))
 WHERE d.id = x.id AND d.status = x.read_status::"DeliveryStatus"
   AND d.next_attempt_at IS NOT DISTINCT FROM x.read_next_attempt_at
RETURNING d.id`;

/** Applies decisions made without an attempt; answers the ids whose rows still held their state. */
export async function applyDecisions(
  decided: Array<{ id: string; state: DeliveryState; decision: Decision; error: string }>,
  at: Date,
): Promise<Set<string>> {
  if (decided.length === 0) return new Set();
  const rows = decided.map(({ id, state, decision, error }) => ({
    id,
    status: decision.status,
    error,
    next_attempt_at: sqlTimestamp(decision.nextAttemptAt),
    completed: decision.completed,
    read_status: state.status,
    read_next_attempt_at: sqlTimestamp(state.nextAttemptAt),
  }));
  const { rows: applied } = await sqlQuery<{ id: string }>("deliveries_apply_decision", APPLY_SQL, [JSON.stringify(rows), sqlTimestamp(at)]);
  return new Set(applied.map(({ id }) => id));
}

// A row that keeps changing under us this many times is left as the last writer made it.
const MAX_DECISION_ROUNDS = 5;

/**
 * Writes a group of attempts and what they mean for their deliveries and endpoints, atomically
 * per round. With `handOver`, a schedule that goes on is written to the outbox with the attempt
 * (the batch's hand-over to a run of the delivery's own); otherwise the caller goes on itself.
 */
export async function recordAttempts(records: AttemptRecord[], { handOver = false } = {}): Promise<Map<string, Recorded>> {
  const recorded = new Map<string, Recorded>();
  let round = records;
  for (let n = 1; round.length > 0; n++) {
    const decided = round.map((r) => ({ record: r, ...decide(r, handOver) }));
    const applied = await writeRound(decided);
    for (const d of decided) if (applied.has(d.record.deliveryId)) recorded.set(d.record.deliveryId, d);
    const missed = round.filter((r) => !applied.has(r.deliveryId));
    if (missed.length === 0 || n >= MAX_DECISION_ROUNDS) {
      for (const r of missed) console.error(`[deliveries] ${r.deliveryId}: changed under every attempt to record; its attempt is not recorded`);
      break;
    }
    const states = await loadStates(missed.map((r) => r.deliveryId));
    // A delivery deleted meanwhile (its endpoint or account was) has nothing left to record.
    round = missed.flatMap((r) => {
      const state = states.get(r.deliveryId);
      return state ? [{ ...r, state }] : [];
    });
  }
  return recorded;
}

function decide(r: AttemptRecord, handOver: boolean): Recorded {
  const last = r.sent[r.sent.length - 1]!.result;
  const decision = afterAttempt(r.state, r.trigger, r.attempt, last.errorClass ?? "success", deliveryConfig().schedule, r.at);
  const next = decision.continueWith;
  return {
    decision,
    handOver:
      handOver && next
        ? scheduleContinuedMessage({
            delivery_id: r.deliveryId,
            endpoint_id: r.endpointId,
            account_id: r.accountId,
            attempt: next.attempt,
            not_before: next.at.toISOString(),
          })
        : null,
  };
}

async function writeRound(decided: Array<Recorded & { record: AttemptRecord }>): Promise<Set<string>> {
  const records = decided.map((d) => d.record);
  const deliveries = decided.map(({ record: r, decision }) => {
    const last = r.sent[r.sent.length - 1]!.result;
    return {
      id: r.deliveryId,
      sent: r.sent.length,
      scheduled: r.trigger === "scheduled" ? 1 : 0,
      status: decision.status,
      next_attempt_at: sqlTimestamp(decision.nextAttemptAt),
      completed: decision.completed,
      read_status: r.state.status,
      read_next_attempt_at: sqlTimestamp(r.state.nextAttemptAt),
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
  const handOvers = decided.flatMap((d) => (d.handOver ? [d.handOver] : []));
  const health = endpointHealth(records);
  const switched = [...new Map(records.filter((r) => r.switchedSecret).map((r) => [r.endpointId, r])).values()];
  const now = new Date();

  const healthy = [...health].filter(([, h]) => h.succeeded).map(([id]) => id).sort();
  const failing = [...health].filter(([, h]) => !h.succeeded).map(([id]) => id).sort();
  const values = [JSON.stringify(deliveries), JSON.stringify(attempts), healthy, sqlTimestamp(now), outboxRows(handOvers)];
  const applied = (rows: Array<{ id: string }>) => new Set(rows.map((row) => row.id));
  // Usually every endpoint answered and no secret switched: one statement, no transaction to
  // hold a connection across round trips.
  if (failing.length === 0 && switched.length === 0) {
    return withDeadlockRetry(async () => applied((await sqlQueryPlannedEachTime<{ id: string }>(RECORD_SQL, values)).rows));
  }
  return withDeadlockRetry(() =>
    sqlTransaction(async (client) => {
      const { rows } = await sqlQueryPlannedEachTime<{ id: string }>(RECORD_SQL, values, client);
      await trackFailingEndpoints(client, failing, now);
      for (const r of switched) await endGracePeriod(client, r.endpointId, r.accountId, now);
      return applied(rows);
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
async function withDeadlockRetry<T>(write: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const deadlock = (error as { code?: string }).code === "40P01";
      if (!deadlock || attempt >= tries) throw error;
    }
  }
}
