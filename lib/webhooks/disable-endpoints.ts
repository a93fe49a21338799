import "server-only";
import type { Prisma } from "@prisma/client";
import type pg from "pg";
import { auditEntry, writeAuditEntries } from "../audit/record";
import { SYSTEM_CALLER } from "../audit/system";
import { sqlTimestamp } from "../db";
import { afterCancel } from "../deliveries/state";
import type { OutboxMessage } from "../deliveries/outbox";
import { recordNotices } from "../notices/record";
import { AUDIT_TARGET } from "./queries";

// Disabling an endpoint, automatically (failing for WEBHOOK_AUTO_DISABLE_AFTER) or by a person,
// stops its open deliveries in the same transaction: they become cancelled (the state machine's
// decision for a delivery whose endpoint is gone), so none claims a next attempt. "Retry all
// failed" replays them once the endpoint is enabled again.

const cancelledReason = (why: string) => `Cancelled: the endpoint was disabled (${why})`;

// The endpoints' open deliveries (tests are attempted once regardless) take the state machine's
// cancel decision, with why each endpoint was disabled.
const CANCEL_SQL = `
UPDATE deliveries d SET status = $2::"DeliveryStatus", next_attempt_at = $3::timestamp(3), last_error = x.reason,
       completed_at = CASE WHEN $4 THEN $5::timestamp(3) ELSE d.completed_at END, updated_at = $5::timestamp(3)
  FROM json_to_recordset($1::json) AS x(id text, account_id text, reason text)
 WHERE d.account_id = x.account_id AND d.endpoint_id = x.id AND d.status IN ('pending', 'retrying') AND d.is_test = false`;

function cancelValues(endpoints: Array<{ id: string; account_id: string; why: string }>, now: Date) {
  const decision = afterCancel();
  return [
    JSON.stringify(endpoints.map((e) => ({ id: e.id, account_id: e.account_id, reason: cancelledReason(e.why) }))),
    decision.status,
    sqlTimestamp(decision.nextAttemptAt),
    decision.completed,
    sqlTimestamp(now),
  ];
}

/** Cancels the endpoints' open deliveries on the caller's pg transaction. */
export async function cancelOpenDeliveries(
  client: pg.PoolClient,
  endpoints: Array<{ id: string; account_id: string; why: string }>,
  now: Date,
): Promise<number> {
  if (endpoints.length === 0) return 0;
  const { rowCount } = await client.query(CANCEL_SQL, cancelValues(endpoints, now));
  return rowCount ?? 0;
}

/** The same, on a Prisma transaction (a person disabling the endpoint). */
export function cancelOpenDeliveriesTx(tx: Prisma.TransactionClient, accountId: string, endpointId: string, why: string, now: Date) {
  return tx.$executeRawUnsafe(CANCEL_SQL, ...cancelValues([{ id: endpointId, account_id: accountId, why }], now));
}

export interface AutoDisableSettings {
  failingAfter: number;
  autoDisableAfterMs: number;
}

/**
 * Disables the endpoints failing since at least `autoDisableAfterMs` (only `endpointIds` when
 * given, at most `limit`), on the caller's transaction: audit, cancelled deliveries and the
 * `endpoint_disabled` notice commit with the change. Answers the hand-overs to dispatch.
 */
export async function disableFailingEndpoints(
  client: pg.PoolClient,
  settings: AutoDisableSettings,
  now: Date,
  { endpointIds, limit = 100 }: { endpointIds?: string[]; limit?: number } = {},
): Promise<{ disabled: string[]; messages: OutboxMessage[] }> {
  const threshold = new Date(now.getTime() - settings.autoDisableAfterMs);
  // SKIP LOCKED: an endpoint a person is editing right now is taken at the next pass.
  const { rows } = await client.query<{ id: string; account_id: string; failing_since_ms: number }>(
    `WITH due AS (
       SELECT id FROM webhook_endpoints
        WHERE status = 'active' AND deleted_at IS NULL AND failure_streak >= $1 AND failing_since <= $2::timestamp(3)
          AND ($3::text[] IS NULL OR id = ANY($3::text[]))
        ORDER BY failing_since, id LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE webhook_endpoints w SET status = 'disabled', disabled_reason = 'failing', disabled_at = $5::timestamp(3), updated_at = $5::timestamp(3)
       FROM due WHERE w.id = due.id
     RETURNING w.id, w.account_id, (extract(epoch FROM w.failing_since) * 1000)::float8 AS failing_since_ms`,
    [settings.failingAfter, sqlTimestamp(threshold), endpointIds ?? null, limit, sqlTimestamp(now)],
  );
  if (rows.length === 0) return { disabled: [], messages: [] };
  const why = (row: (typeof rows)[number]) =>
    `every attempt failed since ${new Date(row.failing_since_ms).toISOString()}`;
  await cancelOpenDeliveries(client, rows.map((row) => ({ ...row, why: why(row) })), now);
  await writeAuditEntries(
    client,
    rows.map((row) =>
      auditEntry(SYSTEM_CALLER(row.account_id), "webhook_endpoint.auto_disabled", { type: AUDIT_TARGET, id: row.id }, {
        reason: `Every attempt failed since ${new Date(row.failing_since_ms).toISOString()}`,
      }),
    ),
    now,
  );
  const messages = await recordNotices(
    client,
    rows.map((row) => ({
      kind: "endpoint_disabled" as const,
      accountId: row.account_id,
      endpointId: row.id,
      disabledAt: now,
      automatic: true,
      reason: `Disabled automatically: ${why(row)}.`,
    })),
    now,
  );
  return { disabled: rows.map((row) => row.id), messages };
}

/**
 * `endpoint_disable_soon` for failing endpoints that will be disabled within `withinMs` (at most
 * `limit`); recorded once per run of failures (the notice's dedupe key), so a pass every few
 * minutes tells once. Answers how many endpoints were announced, and the hand-overs to dispatch.
 */
export async function noticeDisableSoon(
  client: pg.PoolClient,
  settings: AutoDisableSettings,
  now: Date,
  { withinMs = 86_400_000, limit = 500 }: { withinMs?: number; limit?: number } = {},
): Promise<{ announced: number; messages: OutboxMessage[] }> {
  const earliestFailingSince = new Date(now.getTime() - settings.autoDisableAfterMs);
  const latestFailingSince = new Date(earliestFailingSince.getTime() + withinMs);
  const { rows } = await client.query<{ id: string; account_id: string; failing_since_ms: number }>(
    `SELECT w.id, w.account_id, (extract(epoch FROM w.failing_since) * 1000)::float8 AS failing_since_ms
       FROM webhook_endpoints w
      WHERE w.status = 'active' AND w.deleted_at IS NULL AND w.failure_streak >= $1
        AND w.failing_since > $2::timestamp(3) AND w.failing_since <= $3::timestamp(3)
        AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.dedupe_key = 'endpoint_disable_soon:' || w.id || ':' || floor(extract(epoch FROM w.failing_since) * 1000)::bigint)
      ORDER BY w.failing_since, w.id LIMIT $4`,
    [settings.failingAfter, sqlTimestamp(earliestFailingSince), sqlTimestamp(latestFailingSince), limit],
  );
  const messages = await recordNotices(
    client,
    rows.map((row) => {
      const since = new Date(row.failing_since_ms);
      const disablesAt = new Date(since.getTime() + settings.autoDisableAfterMs);
      return {
        kind: "endpoint_disable_soon" as const,
        accountId: row.account_id,
        endpointId: row.id,
        since,
        disablesAt,
        reason: `Every attempt has failed since ${since.toISOString()}; the endpoint will be disabled at ${disablesAt.toISOString()} unless an attempt succeeds before.`,
      };
    }),
    now,
  );
  return { announced: rows.length, messages };
}
