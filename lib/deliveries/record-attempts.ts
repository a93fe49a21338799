import "server-only";
import type pg from "pg";
import { sqlQuery, sqlQueryPlannedEachTime, sqlTimestamp, sqlTransaction } from "../db";
import { SYSTEM_CALLER } from "../audit/system";
import { auditEntry, writeAuditEntries } from "../audit/record";
import { recordNotices, type Notice } from "../notices/record";
import { disableFailingEndpoints } from "../webhooks/disable-endpoints";
import { isOperationalEventType } from "../webhooks/event-types";
import { RECENT_ATTEMPTS, RECENT_MASK } from "../webhooks/health";
import { deliveryConfig } from "./config";
import { dispatch, outboxRows, scheduleContinuedMessage, type OutboxMessage } from "./outbox";
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
// delivery's count) of the rows it changed, and their hand-overs; and keeps the health of the
// endpoints of the rows it changed (lib/webhooks/health.ts): each endpoint's outcomes, in the
// order of the attempts, shift its recent-failure bits and extend or end its run of failures,
// and count in its hour. An endpoint row is written only when that changes it, so a healthy
// endpoint's successes write nothing there. A row changed meanwhile (a manual retry racing the
// schedule, the endpoint's deliveries cancelled) is read again and decided again.
const NEXT_BITS = `(((CASE WHEN p.k >= ${RECENT_ATTEMPTS} THEN 0 ELSE w.recent_failures::bigint << p.k END) | p.bits) & ${RECENT_MASK})::int`;
const NEXT_STREAK = "CASE WHEN p.s > 0 THEN p.k - p.s ELSE w.failure_streak + p.k END";
const NEXT_SINCE = "CASE WHEN p.s > 0 THEN p.run_start ELSE coalesce(w.failing_since, p.run_start) END";
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
  RETURNING d.id, d.attempt_count, d.event_id, d.event_type
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
), outcomes AS (
  -- i: the outcome's place among its endpoint's in this group (1 the oldest), k: how many;
  -- s: the place of the endpoint's last success (0 if none).
  SELECT o.endpoint_id, o.account_id, o.failed, o.at, o.i, count(*) OVER w AS k,
         coalesce(max(o.i) FILTER (WHERE NOT o.failed) OVER w, 0) AS s
    FROM (SELECT h.*, row_number() OVER (PARTITION BY h.endpoint_id ORDER BY h.ord) AS i
            FROM json_to_recordset($3::json) AS h(endpoint_id text, account_id text, delivery_id text, failed boolean,
                 at timestamp(3), ord int)
            JOIN updated ON updated.id = h.delivery_id) o
  WINDOW w AS (PARTITION BY o.endpoint_id)
), per_endpoint AS (
  SELECT endpoint_id, account_id, max(k)::int AS k, max(s)::int AS s,
         coalesce(sum(1::bigint << (k - i)::int) FILTER (WHERE failed AND k - i < ${RECENT_ATTEMPTS}), 0)::bigint AS bits,
         min(at) FILTER (WHERE i > s) AS run_start
    FROM outcomes GROUP BY endpoint_id, account_id
), health AS (
  -- Computed from the row as updated (not from a read before it), so concurrent groups add up.
  UPDATE webhook_endpoints w SET
    recent_failures = ${NEXT_BITS}, failure_streak = ${NEXT_STREAK}, failing_since = ${NEXT_SINCE}
  FROM per_endpoint p
  WHERE w.id = p.endpoint_id AND w.account_id = p.account_id
    AND (w.recent_failures, w.failure_streak, w.failing_since) IS DISTINCT FROM (${NEXT_BITS}, ${NEXT_STREAK}, ${NEXT_SINCE})
  -- Entered failing with this group: its run reaches the threshold and did not before.
  RETURNING w.id, w.account_id, w.failing_since, w.status::text AS status,
            w.failure_streak >= $6::int AND (p.s > 0 OR w.failure_streak - p.k < $6::int) AS entered_failing
), hours AS (
  INSERT INTO endpoint_attempt_hours (endpoint_id, account_id, hour, succeeded, failed)
  SELECT endpoint_id, account_id, date_trunc('hour', at), count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed)
    FROM outcomes GROUP BY 1, 2, 3 ORDER BY 1, 3
  ON CONFLICT (endpoint_id, hour) DO UPDATE SET
    succeeded = endpoint_attempt_hours.succeeded + excluded.succeeded, failed = endpoint_attempt_hours.failed + excluded.failed
)
SELECT 'delivery' AS kind, id, event_id, event_type, NULL AS account_id, NULL::float8 AS failing_since_ms FROM updated
UNION ALL
SELECT 'entered_failing', id, NULL, NULL, account_id, (extract(epoch FROM failing_since) * 1000)::float8
  FROM health WHERE entered_failing AND status = 'active'`;
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
  const outcomes = healthOutcomes(records);
  const switched = [...new Map(records.filter((r) => r.switchedSecret).map((r) => [r.endpointId, r])).values()];
  const now = new Date();
  const config = deliveryConfig();

  const values = [JSON.stringify(deliveries), JSON.stringify(attempts), JSON.stringify(outcomes), sqlTimestamp(now), outboxRows(handOvers), config.failingAfter];
  const applied = (rows: RecordedRow[]) => new Set(rows.flatMap((row) => (row.kind === "delivery" ? [row.id] : [])));
  // Usually every endpoint answered and no secret switched: one statement, no transaction to
  // hold a connection across round trips.
  if (outcomes.every((o) => !o.failed) && switched.length === 0) {
    return withDeadlockRetry(async () => applied((await sqlQueryPlannedEachTime<RecordedRow>(RECORD_SQL, values)).rows));
  }
  const { ids, messages } = await withDeadlockRetry(() =>
    sqlTransaction(async (client) => {
      const { rows } = await sqlQueryPlannedEachTime<RecordedRow>(RECORD_SQL, values, client);
      const messages = [
        ...(await recordNotices(client, [...failingNotices(rows, records, config.failingAfter), ...exhaustedNotices(rows, decided)], now)),
        ...(await disableFailingEndpoints(client, config, now, { endpointIds: [...new Set(outcomes.filter((o) => o.failed).map((o) => o.endpoint_id))] })).messages,
      ];
      for (const r of switched) await endGracePeriod(client, r.endpointId, r.accountId, now);
      return { ids: applied(rows), messages };
    }),
  );
  if (messages.length > 0) await dispatch(messages);
  return ids;
}

/** RECORD_SQL's rows: the deliveries it changed, and the endpoints that entered failing with them. */
type RecordedRow =
  | { kind: "delivery"; id: string; event_id: string; event_type: string; account_id: null; failing_since_ms: null }
  | { kind: "entered_failing"; id: string; event_id: null; event_type: null; account_id: string; failing_since_ms: number };

/** The group's attempts as health outcomes, oldest first (test deliveries say nothing about health). */
function healthOutcomes(records: AttemptRecord[]) {
  return records
    .filter((r) => !r.isTest)
    .map((r) => ({ r, failed: r.sent[r.sent.length - 1]!.result.errorClass !== null }))
    .sort((a, b) => a.r.at.getTime() - b.r.at.getTime())
    .map(({ r, failed }, ord) => ({ endpoint_id: r.endpointId, account_id: r.accountId, delivery_id: r.deliveryId, failed, at: sqlTimestamp(r.at), ord }));
}

function failingNotices(rows: RecordedRow[], records: AttemptRecord[], failingAfter: number): Notice[] {
  return rows.flatMap((row) => {
    if (row.kind !== "entered_failing") return [];
    const latest = records.filter((r) => r.endpointId === row.id && !r.isTest).at(-1)?.sent.at(-1)?.result;
    const error = latest?.errorMessage ?? (latest?.status ? `HTTP ${latest.status}` : "failed");
    return [
      {
        kind: "endpoint_failing" as const,
        accountId: row.account_id,
        endpointId: row.id,
        since: new Date(row.failing_since_ms),
        reason: `The last ${failingAfter} attempts all failed (latest: ${error}).`,
      },
    ];
  });
}

/** A scheduled attempt that ended its schedule failed, except for operational events (isOperationalEventType). */
function exhaustedNotices(rows: RecordedRow[], decided: Array<Recorded & { record: AttemptRecord }>): Notice[] {
  const changed = new Map(rows.flatMap((row) => (row.kind === "delivery" ? [[row.id, row] as const] : [])));
  return decided.flatMap(({ record: r, decision }) => {
    const row = changed.get(r.deliveryId);
    const exhausted = r.trigger === "scheduled" && decision.status === "failed" && decision.completed && !r.isTest;
    if (!row || !exhausted || isOperationalEventType(row.event_type)) return [];
    const last = r.sent[r.sent.length - 1]!.result;
    return [
      {
        kind: "delivery_exhausted" as const,
        accountId: r.accountId,
        endpointId: r.endpointId,
        deliveryId: r.deliveryId,
        eventId: row.event_id,
        reason: `Every scheduled attempt failed (last: ${last.errorMessage ?? `HTTP ${last.status}`}); retry it by hand once the endpoint is fixed.`,
      },
    ];
  });
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

async function endGracePeriod(client: pg.PoolClient, endpointId: string, accountId: string, now: Date) {
  const { rowCount } = await client.query(
    `UPDATE webhook_endpoints SET previous_secret_encrypted = NULL, previous_secret_expires_at = NULL, updated_at = $2
     WHERE id = $1 AND previous_secret_encrypted IS NOT NULL`,
    [endpointId, sqlTimestamp(now)],
  );
  if (!rowCount) return;
  await writeAuditEntries(
    client,
    [
      auditEntry(SYSTEM_CALLER(accountId), "webhook_endpoint.secret_switch_detected", { type: "webhook_endpoint", id: endpointId }, {
        reason: `The endpoint accepted the new signing secret at ${now.toISOString()}; the previous one is no longer used`,
      }),
    ],
    now,
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
