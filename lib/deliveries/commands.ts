import "server-only";
import type pg from "pg";
import { ApiError, notFound } from "../api/errors";
import type { Caller } from "../auth/caller";
import { db, sqlQuery, sqlTimestamp, sqlTransaction, type NoRows } from "../db";
import { eventBody } from "../events/payload";
import { newId } from "../ids";
import { getEventType } from "../webhooks/event-types";
import { findEndpoint } from "../webhooks/queries";
import { attemptRequestedMessage, dispatch, writeOutbox, type OutboxMessage } from "./outbox";
import { getDelivery } from "./queries";
import { STATE_COLUMNS, stateFromRow, type StateRow } from "./record-attempts";
import { requestAttempt } from "./state";

// What people ask for: attempts outside the schedule. None is made inside the request: each
// request puts its deliveries in their queued state and writes its hand-overs to the outbox in
// one transaction, hands them to Inngest, and answers at once; the dashboard follows the
// deliveries until the attempts are recorded (inngest/functions/attempt-requested.ts).

// The deliveries' state, locked for the request's transaction (in id order, as every such lock).
const LOCKED_COLUMNS = `d.id, d.endpoint_id, d.is_test, ${STATE_COLUMNS}`;

const LOCK_ONE_SQL = `
SELECT ${LOCKED_COLUMNS}
  FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
 WHERE d.account_id = $1 AND d.id = $2
   FOR UPDATE OF d`;

const MAX_BULK_RETRY = 10_000;

const LOCK_FAILED_SQL = `
SELECT ${LOCKED_COLUMNS}
  FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
 WHERE d.account_id = $1 AND d.endpoint_id = $2 AND d.status IN ('failed', 'cancelled') AND NOT d.is_test
   AND d.created_at >= $3::timestamp(3)
 ORDER BY d.id
 LIMIT ${MAX_BULK_RETRY + 1}
   FOR UPDATE OF d`;

interface LockedRow extends StateRow {
  id: string;
  endpoint_id: string;
  is_test: boolean;
}

const QUEUE_SQL = `
UPDATE deliveries d SET status = x.status::"DeliveryStatus", next_attempt_at = x.next_attempt_at,
       completed_at = NULL, updated_at = $2::timestamp(3)
  FROM json_to_recordset($1::json) AS x(id text, status text, next_attempt_at timestamp(3))
 WHERE d.id = x.id AND d.account_id = $3`;

/**
 * Queues one requested attempt of each delivery `lock` selects (and locks), all or none: each
 * must be one a person may retry (state.ts requestAttempt). Returns the hand-overs, written.
 */
async function queueAttempts(caller: Caller, lock: (client: pg.PoolClient) => Promise<LockedRow[]>): Promise<OutboxMessage[]> {
  const now = new Date();
  const requestId = newId("req");
  return sqlTransaction(async (client) => {
    const queued = (await lock(client)).map((row) => {
      if (row.is_test) throw new ApiError(409, "test_delivery", "Test deliveries are attempted once; send a new test event instead");
      const request = requestAttempt(stateFromRow(row));
      if (!request.ok) throw new ApiError(409, request.code, request.message);
      return { row, request };
    });
    await sqlQuery<NoRows>(
      "deliveries_queue_requested",
      QUEUE_SQL,
      [
        JSON.stringify(queued.map(({ row, request }) => ({ id: row.id, status: request.status, next_attempt_at: sqlTimestamp(request.nextAttemptAt) }))),
        sqlTimestamp(now),
        caller.accountId,
      ],
      client,
    );
    const messages = queued.map(({ row }) =>
      attemptRequestedMessage({
        delivery_id: row.id,
        endpoint_id: row.endpoint_id,
        account_id: caller.accountId,
        trigger: "manual",
        request_id: requestId,
      }),
    );
    await writeOutbox(messages, client);
    return messages;
  });
}

/** "Retry now": one manual attempt, queued; answers with the delivery as queued. */
export async function retryDeliveryNow(caller: Caller, deliveryId: string) {
  const messages = await queueAttempts(caller, async (client) => {
    const { rows } = await sqlQuery<LockedRow>("delivery_lock_for_retry", LOCK_ONE_SQL, [caller.accountId, deliveryId], client);
    if (rows.length === 0) throw notFound("Delivery");
    return rows;
  });
  // Read before the hand-over: once dispatched, the attempt may be made before a later read.
  const queued = await getDelivery(caller, deliveryId);
  await dispatch(messages);
  return queued;
}

/**
 * "Retry all failed": a manual attempt for every delivery of the endpoint since a time that
 * failed, or was stopped because the endpoint was disabled (the replay offered on re-enabling).
 */
export async function retryFailedDeliveries(caller: Caller, endpointId: string, since: Date) {
  const endpoint = await findEndpoint(caller.accountId, endpointId);
  if (endpoint.status !== "active") throw new ApiError(409, "endpoint_disabled", "Enable the endpoint before retrying its deliveries");
  const messages = await queueAttempts(caller, async (client) => {
    const { rows } = await sqlQuery<LockedRow>(
      "deliveries_lock_failed",
      LOCK_FAILED_SQL,
      [caller.accountId, endpointId, sqlTimestamp(since)],
      client,
    );
    if (rows.length > MAX_BULK_RETRY) {
      throw new ApiError(422, "too_many_deliveries", `More than ${MAX_BULK_RETRY} failed deliveries since then; pick a later time`);
    }
    return rows;
  });
  await dispatch(messages);
  return { retried: messages.length };
}

/** "Send Test Event": the type's sample, signed like any delivery, attempted once, queued now. */
export async function sendTestEvent(caller: Caller, endpointId: string, eventType: string) {
  const endpoint = await findEndpoint(caller.accountId, endpointId);
  const definition = getEventType(eventType);
  if (!definition) throw new ApiError(400, "unknown_event_type", `unknown event type: ${eventType}`);
  const eventId = newId("evt");
  const deliveryId = newId("dlv");
  const body = eventBody({
    id: eventId,
    type: eventType,
    createdAt: new Date(),
    data: definition.sample,
    accountId: caller.accountId,
    environment: endpoint.environment,
  });
  const message = attemptRequestedMessage({
    delivery_id: deliveryId,
    endpoint_id: endpointId,
    account_id: caller.accountId,
    trigger: "test",
    request_id: deliveryId,
  });
  await db.$transaction([
    db.event.create({ data: { id: eventId, accountId: caller.accountId, type: eventType, environment: endpoint.environment, body, isTest: true } }),
    db.delivery.create({
      data: { id: deliveryId, accountId: caller.accountId, eventId, endpointId, eventType, isTest: true },
    }),
    db.outboxMessage.create({
      data: { id: message.id, accountId: caller.accountId, name: message.name, data: message.data, createdAt: new Date() },
    }),
  ]);
  const queued = await getDelivery(caller, deliveryId);
  await dispatch([message]);
  return queued;
}
