import "server-only";
import type pg from "pg";
import { ApiError } from "../api/errors";
import type { Caller } from "../auth/caller";
import { db, sqlQuery, sqlTimestamp } from "../db";
import { deliveriesDue } from "@/inngest/events";
import { deliveriesDueMessage, dispatch, type OutboxMessage } from "../deliveries/outbox";
import { newId } from "../ids";
import { observedPublish } from "../observability/deliveries";
import { traceparent } from "../observability/tracing";
import { parseEventData } from "../webhooks/event-types";
import { eventBody } from "./payload";
import { MAX_EVENT_BYTES, type PublishEventInput, type PublishEventOutput } from "./schemas";

// Delivery ids sent along with each store; an account with more subscribed endpoints than
// this costs a second statement (the first stores nothing and says how many it needs).
const DELIVERY_IDS_PER_STORE = 16;

export interface PublishOptions {
  /** An endpoint left out of the fan-out: an operational event is never sent to the endpoint it is about. */
  excludeEndpointId?: string;
}

/**
 * Stores the event, one delivery per subscribed endpoint (skipped for a disabled one) and the hand-over to Inngest
 * in one statement, then hands them over. Once this returns, nothing can be lost: a hand-over
 * that fails is sent by the outbox's sweep (inngest/functions/sweep-outbox.ts).
 */
export function publishEvent(caller: Caller, input: PublishEventInput, options: PublishOptions = {}): Promise<PublishEventOutput> {
  return observedPublish(caller.accountId, input.type, async () => {
    const { output, handOver } = await storePublished(caller, input, options);
    await dispatch(handOver);
    return output;
  });
}

/**
 * The same, on the caller's transaction (`client`): the event is stored with the caller's change
 * or not at all. Answers the hand-over for the caller to dispatch after commit (or leave to the
 * sweep).
 */
export function publishEventInTransaction(
  client: pg.PoolClient,
  caller: Caller,
  input: PublishEventInput,
  options: PublishOptions = {},
): Promise<{ output: PublishEventOutput; handOver: OutboxMessage[] }> {
  return storePublished(caller, input, { ...options, client });
}

async function storePublished(
  caller: Caller,
  input: PublishEventInput,
  options: PublishOptions & { client?: pg.PoolClient },
): Promise<{ output: PublishEventOutput; handOver: OutboxMessage[] }> {
  const duplicate = (output: PublishEventOutput) => ({ output, handOver: [] });
  parseEventData(input.type, input.data);
  const id = newId("evt");
  const createdAt = new Date();
  const body = eventBody({
    id,
    type: input.type,
    createdAt,
    data: input.data,
    accountId: caller.accountId,
    environment: input.environment,
  });
  if (Buffer.byteLength(body) > MAX_EVENT_BYTES) {
    // A repeated producer id answers as the first time did, whatever it carries now.
    const existing = input.id ? await findByExternalId(caller.accountId, input.id) : null;
    if (existing) return duplicate(existing);
    throw new ApiError(413, "payload_too_large", `The event is ${Math.ceil(Buffer.byteLength(body) / 1024)} KB; events are at most 256 KB`);
  }

  let idCount = DELIVERY_IDS_PER_STORE;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const ids = Array.from({ length: idCount }, () => newId("dlv"));
    const outcome = await storeEvent({
      id,
      accountId: caller.accountId,
      input,
      body,
      createdAt,
      deliveryIds: ids,
      excludeEndpointId: options.excludeEndpointId ?? null,
      client: options.client,
    });
    if (outcome.stored) {
      const deliveries = outcome.deliveries.map((d) => ({ delivery_id: d.id, endpoint_id: d.endpointId }));
      // The message the statement wrote to the outbox; the trace context is sent along, not
      // stored: a hand-over the sweep re-sends starts a trace of its own.
      const handOver = deliveries.length > 0 ? [deliveriesDueMessage({ event_id: id, account_id: caller.accountId, deliveries, ...traceparent() })] : [];
      return {
        output: { id, deliveries: outcome.deliveries.map((d) => ({ id: d.id, endpoint_id: d.endpointId })), duplicate: false },
        handOver,
      };
    }
    if (outcome.subscribed > ids.length) {
      // More endpoints than ids (or more subscribed meanwhile): again, with ids enough.
      idCount = outcome.subscribed + DELIVERY_IDS_PER_STORE;
      continue;
    }
    // The producer id is taken: published before, or concurrently and committed first.
    const existing = input.id ? await findByExternalId(caller.accountId, input.id) : null;
    if (existing) return duplicate(existing);
    // That event is gone again (its account's data deleted meanwhile): store ours after all.
  }
  throw new Error(`publishing event ${id} did not settle after 3 attempts`);
}

interface StoreOutcome {
  /** False when nothing was stored: the producer id is taken, or too few delivery ids. */
  stored: boolean;
  /** Endpoints subscribed to the type in the environment, active or disabled. */
  subscribed: number;
  /** The deliveries to attempt (those kept as skipped for disabled endpoints are left out). */
  deliveries: { id: string; endpointId: string }[];
}

// One statement, so one round trip and atomic on its own: picks the subscribed endpoints,
// inserts the event (unless its producer id is taken: ON CONFLICT waits for a concurrent
// insert of the same id to commit or roll back, then stands down) and one delivery per
// endpoint, numbered with the ids given ($8), and, if it has deliveries to attempt, their
// hand-over in the outbox (the message deliveriesDueMessage builds); with fewer ids than
// endpoints it stores nothing. A disabled endpoint's delivery is kept as skipped, never handed
// over, so re-enabling the endpoint or a recovery can send it.
const STORE_EVENT_SQL = `
  WITH endpoints AS (
    SELECT id, status = 'active' AS active, row_number() OVER () AS n
      FROM webhook_endpoints
     WHERE account_id = $1::text AND deleted_at IS NULL
       AND environment = $2::"Environment" AND $3::text = ANY (event_types)
       AND id IS DISTINCT FROM $10::text
  ), event AS (
    INSERT INTO events (id, account_id, type, environment, external_id, body, created_at)
    SELECT $4::text, $1::text, $3::text, $2::"Environment", $5::text, $6::text, $7::timestamp(3)
     WHERE (SELECT count(*) FROM endpoints) <= cardinality($8::text[])
    ON CONFLICT (account_id, external_id) DO NOTHING
    RETURNING id
  ), deliveries AS (
    INSERT INTO deliveries (id, account_id, event_id, endpoint_id, event_type, status, created_at, updated_at)
    SELECT ids.id, $1::text, event.id, endpoints.id, $3::text,
           CASE WHEN endpoints.active THEN 'pending' ELSE 'skipped' END::"DeliveryStatus",
           $7::timestamp(3), $7::timestamp(3)
      FROM event
     CROSS JOIN endpoints
      JOIN unnest($8::text[]) WITH ORDINALITY AS ids (id, n) ON ids.n = endpoints.n
    RETURNING id, endpoint_id, status = 'pending' AS due
  ), handed_over AS (
    INSERT INTO outbox (id, account_id, name, data, created_at)
    SELECT event.id, $1::text, $9::text,
           jsonb_build_object('event_id', event.id, 'account_id', $1::text, 'deliveries',
             (SELECT jsonb_agg(jsonb_build_object('delivery_id', id, 'endpoint_id', endpoint_id)) FROM deliveries WHERE due)),
           $7::timestamp(3)
      FROM event WHERE EXISTS (SELECT 1 FROM endpoints WHERE active)
  )
  SELECT (SELECT count(*) FROM event)::int AS stored,
         (SELECT count(*) FROM endpoints)::int AS subscribed,
         coalesce(array_agg(deliveries.id ORDER BY endpoints.n) FILTER (WHERE due), '{}') AS delivery_ids,
         coalesce(array_agg(deliveries.endpoint_id ORDER BY endpoints.n) FILTER (WHERE due), '{}') AS endpoint_ids
    FROM deliveries JOIN endpoints ON endpoints.id = deliveries.endpoint_id`;

async function storeEvent(args: {
  id: string;
  accountId: string;
  input: PublishEventInput;
  body: string;
  createdAt: Date;
  deliveryIds: string[];
  excludeEndpointId: string | null;
  client?: pg.PoolClient;
}): Promise<StoreOutcome> {
  const { id, accountId, input, body, createdAt, deliveryIds, excludeEndpointId, client } = args;
  const { rows } = await sqlQuery<{
    stored: number;
    subscribed: number;
    delivery_ids: string[];
    endpoint_ids: string[];
  }>("publish_event", STORE_EVENT_SQL, [
    accountId,
    input.environment,
    input.type,
    id,
    input.id ?? null,
    body,
    sqlTimestamp(createdAt),
    deliveryIds,
    deliveriesDue.name,
    excludeEndpointId,
  ], client);
  const row = rows[0]!;
  return {
    stored: row.stored === 1,
    subscribed: row.subscribed,
    deliveries: row.delivery_ids.map((deliveryId, i) => ({ id: deliveryId, endpointId: row.endpoint_ids[i]! })),
  };
}

// Read outside the caller's transaction, if any: the duplicate was committed by another.
async function findByExternalId(accountId: string, externalId: string): Promise<PublishEventOutput | null> {
  const event = await db.event.findUnique({
    where: { accountId_externalId: { accountId, externalId } },
    select: { id: true, deliveries: { where: { status: { not: "skipped" } }, select: { id: true, endpointId: true }, orderBy: { id: "asc" } } },
  });
  if (!event) return null;
  return { id: event.id, deliveries: event.deliveries.map((d) => ({ id: d.id, endpoint_id: d.endpointId })), duplicate: true };
}
