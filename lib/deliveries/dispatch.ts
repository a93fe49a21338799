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
 * deliveries, for the batching function. The Inngest event id is the event's id, so a hand-over
 * repeated by the sweep (after a crash between send and mark) starts nothing twice; for that,
 * callers pass every delivery of an event or none. Never throws: what fails here stays
 * undispatched for the sweep.
 */
export async function dispatchDeliveries(deliveries: Dispatchable[]): Promise<boolean> {
  if (deliveries.length === 0) return true;
  const byEvent = new Map<string, DeliveriesRequestedData>();
  for (const d of deliveries) {
    const data = byEvent.get(d.eventId) ?? { event_id: d.eventId, account_id: d.accountId, deliveries: [] };
    data.deliveries.push({ delivery_id: d.id, endpoint_id: d.endpointId });
    byEvent.set(d.eventId, data);
  }
  try {
    await inngest.send([...byEvent.values()].map((data) => ({ name: DELIVERY_REQUESTED, id: data.event_id, data })));
    const now = sqlTimestamp(new Date());
    await sqlQuery(
      "deliveries_dispatched",
      "UPDATE deliveries SET dispatched_at = $2, updated_at = $2 WHERE id = ANY($1::text[]) AND dispatched_at IS NULL",
      [deliveries.map((d) => d.id), now],
    );
    return true;
  } catch (error) {
    console.error(
      `[deliveries] handing ${deliveries.length} deliveries to Inngest failed; the sweep will retry:`,
      error instanceof Error ? error.message : error,
    );
    return false;
  }
}

// Older than this and still undispatched: the request that stored them did not hand them over.
export const UNDISPATCHED_GRACE_MS = 30_000;

/**
 * The sweep: re-dispatches deliveries stored but never handed over, whole events at a time (a
 * publish marks all of an event's deliveries in one statement). Returns how many deliveries.
 */
export async function dispatchStragglers(eventLimit = 100): Promise<number> {
  const { rows } = await sqlQuery<{ id: string; event_id: string; endpoint_id: string; account_id: string }>(
    "deliveries_stragglers",
    `SELECT d.id, d.event_id, d.endpoint_id, d.account_id FROM deliveries d
      WHERE d.is_test = false AND d.event_id IN (
        SELECT event_id FROM deliveries
         WHERE dispatched_at IS NULL AND created_at < $1 AND is_test = false
         GROUP BY event_id ORDER BY min(created_at) LIMIT $2)`,
    [sqlTimestamp(new Date(Date.now() - UNDISPATCHED_GRACE_MS)), eventLimit],
  );
  const stragglers = rows.map((r) => ({ id: r.id, eventId: r.event_id, endpointId: r.endpoint_id, accountId: r.account_id }));
  return (await dispatchDeliveries(stragglers)) ? stragglers.length : 0;
}
