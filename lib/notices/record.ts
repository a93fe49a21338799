import "server-only";
import type { Prisma } from "@prisma/client";
import type pg from "pg";
import { newId } from "../ids";
import { sqlQuery, sqlTimestamp } from "../db";
import { noticesRecordedMessage, writeOutbox, type OutboxMessage } from "../deliveries/outbox";

// What people and subscribed endpoints are told of. The change that calls for a notice records
// it in its own transaction, so a notice is never lost nor sent for a change that rolled back;
// the dedupe key makes each state change recorded once however many attempts observe it. The
// hand-over (notices.recorded) tells people (mail or the in-app list) and publishes the
// operational events.

export type Notice =
  | { kind: "endpoint_failing"; accountId: string; endpointId: string; since: Date; reason: string }
  | { kind: "endpoint_disable_soon"; accountId: string; endpointId: string; since: Date; disablesAt: Date; reason: string }
  | { kind: "endpoint_disabled"; accountId: string; endpointId: string; disabledAt: Date; automatic: boolean; reason: string }
  | { kind: "delivery_exhausted"; accountId: string; endpointId: string; deliveryId: string; eventId: string; reason: string };
export type NoticeKind = Notice["kind"];

function dedupeKey(notice: Notice): string {
  switch (notice.kind) {
    case "endpoint_failing":
    case "endpoint_disable_soon":
      return `${notice.kind}:${notice.endpointId}:${notice.since.getTime()}`;
    case "endpoint_disabled":
      return `${notice.kind}:${notice.endpointId}:${notice.disabledAt.getTime()}`;
    case "delivery_exhausted":
      return `${notice.kind}:${notice.deliveryId}`;
  }
}

function details(notice: Notice): Record<string, string | boolean> {
  switch (notice.kind) {
    case "endpoint_failing":
      return { since: notice.since.toISOString() };
    case "endpoint_disable_soon":
      return { since: notice.since.toISOString(), disables_at: notice.disablesAt.toISOString() };
    case "endpoint_disabled":
      return { disabled_at: notice.disabledAt.toISOString(), automatic: notice.automatic };
    case "delivery_exhausted":
      return {};
  }
}

const INSERT_SQL = `
INSERT INTO notices (id, account_id, kind, endpoint_id, delivery_id, event_id, reason, data, dedupe_key, created_at)
SELECT n.id, n.account_id, n.kind, n.endpoint_id, n.delivery_id, n.event_id, n.reason, n.data, n.dedupe_key, $2::timestamp(3)
  FROM json_to_recordset($1::json) AS n(
    id text, account_id text, kind text, endpoint_id text, delivery_id text, event_id text, reason text, data jsonb, dedupe_key text)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id, account_id`;

/**
 * Records the notices not recorded before, with their hand-over, on the caller's transaction.
 * Answers the hand-overs written (the caller dispatches them after commit, or leaves them to
 * the sweep).
 */
export async function recordNotices(client: pg.PoolClient, notices: Notice[], now: Date): Promise<OutboxMessage[]> {
  if (notices.length === 0) return [];
  const { rows: inserted } = await sqlQuery<{ id: string; account_id: string }>(
    "notices_insert",
    INSERT_SQL,
    [JSON.stringify(noticeRows(notices)), sqlTimestamp(now)],
    client,
  );
  const messages = handOvers(inserted);
  await writeOutbox(messages, client);
  return messages;
}

/** The same on a Prisma transaction (a change made through Prisma, such as a person disabling an endpoint). */
export async function recordNoticesTx(tx: Prisma.TransactionClient, notices: Notice[], now: Date): Promise<OutboxMessage[]> {
  if (notices.length === 0) return [];
  const inserted = await tx.$queryRawUnsafe<{ id: string; account_id: string }[]>(INSERT_SQL, JSON.stringify(noticeRows(notices)), sqlTimestamp(now));
  const messages = handOvers(inserted);
  if (messages.length > 0) {
    await tx.outboxMessage.createMany({
      data: messages.map((m) => ({ id: m.id, accountId: m.accountId, name: m.name, data: m.data as Prisma.InputJsonObject, createdAt: now })),
      skipDuplicates: true,
    });
  }
  return messages;
}

function noticeRows(notices: Notice[]) {
  return notices.map((notice) => ({
    id: newId("ntc"),
    account_id: notice.accountId,
    kind: notice.kind,
    endpoint_id: notice.endpointId,
    delivery_id: notice.kind === "delivery_exhausted" ? notice.deliveryId : null,
    event_id: notice.kind === "delivery_exhausted" ? notice.eventId : null,
    reason: notice.reason,
    data: details(notice),
    dedupe_key: dedupeKey(notice),
  }));
}

function handOvers(inserted: Array<{ id: string; account_id: string }>): OutboxMessage[] {
  const byAccount = new Map<string, string[]>();
  for (const row of inserted) byAccount.set(row.account_id, [...(byAccount.get(row.account_id) ?? []), row.id]);
  return [...byAccount].map(([accountId, ids]) => noticesRecordedMessage({ account_id: accountId, notice_ids: ids }));
}
