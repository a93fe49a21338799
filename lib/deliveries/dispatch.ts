import "server-only";
import { inngest } from "@/inngest/client";
import { sqlQuery, sqlTimestamp } from "../db";

/** A published event's deliveries are due their first attempts: batched (deliver-first-attempts). */
export const DELIVERY_REQUESTED = "webhooks/delivery.requested";
/** A delivery goes on in a run of its own (deliver-webhook): retries, or a first attempt kept apart. */
export const DELIVERY_CONTINUED = "webhooks/delivery.continued";
/** "Retry all failed": one manual attempt (retry-delivery). */
export const DELIVERY_RETRY_REQUESTED = "webhooks/delivery.retry-requested";

/** DELIVERY_CONTINUED: one delivery. */
export interface DeliveryRequestedData {
  delivery_id: string;
  endpoint_id: string;
  account_id: string;
  /** The 0-based index in the retry schedule of the next attempt. */
  from_attempt?: number;
  /** Set when a failed run hands the delivery on: continue the schedule where it stopped. */
  resume?: boolean;
}

/** DELIVERY_REQUESTED: every delivery of one published event. */
export interface DeliveriesRequestedData {
  event_id: string;
  account_id: string;
  deliveries: Array<{ delivery_id: string; endpoint_id: string }>;
}

type Dispatchable = { id: string; eventId: string; endpointId: string; accountId: string };

/**
 * Hands stored deliveries to Inngest: one event per published event, carrying all its
 * deliveries, for the batching function; then takes those events off the sweep's list. The
 * Inngest event id is the event's id, so a hand-over repeated by the sweep (after a crash
 * between send and delete) starts nothing twice; for that, callers pass every delivery of an
 * event or none. Never throws: what fails here stays listed for the sweep.
 */
export async function dispatchDeliveries(deliveries: Dispatchable[]): Promise<boolean> {
  if (deliveries.length === 0) return true;
  const byEvent = new Map<string, DeliveriesRequestedData>();
  for (const d of deliveries) {
    const data = byEvent.get(d.eventId) ?? { event_id: d.eventId, account_id: d.accountId, deliveries: [] };
    data.deliveries.push({ delivery_id: d.id, endpoint_id: d.endpointId });
    byEvent.set(d.eventId, data);
  }
  return new Promise((resolve) => {
    waiting.push({ events: [...byEvent.values()], deliveries: deliveries.length, resolve });
    if (!handingOver) void handOverWaiting();
  });
}

// Concurrent publishes share hand-overs: while one is in flight, the next ones wait and then
// go together, in one request to Inngest and one delete. Nothing waits when nothing is in
// flight. A request and a statement each have a fixed cost (here, in the engine and in the
// database) far above one event's share of a shared one: under load this halved the engine's
// CPU per delivery. A hand-over is bounded in deliveries (an event alone always goes).
const HAND_OVER_MAX_DELIVERIES = 1_000;
const waiting: Array<{ events: DeliveriesRequestedData[]; deliveries: number; resolve: (ok: boolean) => void }> = [];
let handingOver = false;

async function handOverWaiting() {
  handingOver = true;
  while (waiting.length > 0) {
    let count = waiting[0]!.deliveries;
    let take = 1;
    while (take < waiting.length && count + waiting[take]!.deliveries <= HAND_OVER_MAX_DELIVERIES) count += waiting[take++]!.deliveries;
    const group = waiting.splice(0, take);
    const ok = await handOver(group.flatMap((g) => g.events), count);
    for (const g of group) g.resolve(ok);
  }
  handingOver = false;
}

async function handOver(events: DeliveriesRequestedData[], deliveries: number): Promise<boolean> {
  try {
    await inngest.send(events.map((data) => ({ name: DELIVERY_REQUESTED, id: data.event_id, data })));
    await markDispatched(events.map((e) => e.event_id));
    return true;
  } catch (error) {
    console.error(
      `[deliveries] handing ${deliveries} deliveries to Inngest failed; the sweep will retry:`,
      error instanceof Error ? error.message : error,
    );
    return false;
  }
}

function markDispatched(eventIds: string[]) {
  return sqlQuery("events_dispatched", "DELETE FROM undispatched_events WHERE event_id = ANY($1::text[])", [eventIds]);
}

// Older than this and still undispatched: the request that stored them did not hand them over.
export const UNDISPATCHED_GRACE_MS = 30_000;

/** The sweep: re-dispatches events stored but never handed over, oldest first. Returns how many deliveries. */
export async function dispatchStragglers(eventLimit = 100): Promise<number> {
  const { rows: events } = await sqlQuery<{ event_id: string }>(
    "events_undispatched",
    "SELECT event_id FROM undispatched_events WHERE created_at < $1 ORDER BY created_at LIMIT $2",
    [sqlTimestamp(new Date(Date.now() - UNDISPATCHED_GRACE_MS)), eventLimit],
  );
  if (events.length === 0) return 0;
  const eventIds = events.map((e) => e.event_id);
  const { rows } = await sqlQuery<{ id: string; event_id: string; endpoint_id: string; account_id: string }>(
    "events_undispatched_deliveries",
    "SELECT id, event_id, endpoint_id, account_id FROM deliveries WHERE event_id = ANY($1::text[]) AND NOT is_test",
    [eventIds],
  );
  const stragglers = rows.map((r) => ({ id: r.id, eventId: r.event_id, endpointId: r.endpoint_id, accountId: r.account_id }));
  if (!(await dispatchDeliveries(stragglers))) return 0;
  // Listed events left with no delivery to hand over (their endpoints' deliveries were deleted).
  const handedOver = new Set(stragglers.map((d) => d.eventId));
  const empty = eventIds.filter((id) => !handedOver.has(id));
  if (empty.length) await markDispatched(empty);
  return stragglers.length;
}
