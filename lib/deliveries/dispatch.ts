import "server-only";
import { inngest } from "@/inngest/client";
import { db, sqlQuery, sqlTimestamp } from "../db";

/** A stored delivery's first attempt is due: batched with others (deliver-first-attempts). */
export const DELIVERY_REQUESTED = "webhooks/delivery.requested";
/** A delivery goes on in a run of its own (deliver-webhook): retries, or a first attempt kept apart. */
export const DELIVERY_CONTINUED = "webhooks/delivery.continued";
/** "Retry all failed": one manual attempt (retry-delivery). */
export const DELIVERY_RETRY_REQUESTED = "webhooks/delivery.retry-requested";

export interface DeliveryRequestedData {
  delivery_id: string;
  endpoint_id: string;
  account_id: string;
  /** DELIVERY_CONTINUED: the 0-based index in the retry schedule of the next attempt. */
  from_attempt?: number;
  /** Set when a failed run hands the delivery on: continue the schedule where it stopped. */
  resume?: boolean;
}

type Dispatchable = {
  id: string;
  endpointId: string;
  accountId: string;
  /** The endpoint is failing (failing_since set): its deliveries would slow a batch down. */
  endpointFailing?: boolean;
};

/**
 * Hands stored deliveries to Inngest: first attempts to the batching function, except those to
 * endpoints already failing, which get a run of their own at once (a batch waits for its
 * slowest request, and a failing endpoint's are the slowest). The Inngest event id is the
 * delivery id either way, so a hand-over repeated by the sweep (after a crash between send and
 * mark) starts nothing twice. Never throws: what fails here stays undispatched for the sweep.
 */
export async function dispatchDeliveries(deliveries: Dispatchable[]): Promise<boolean> {
  if (deliveries.length === 0) return true;
  try {
    await inngest.send(
      deliveries.map((d) => ({
        name: d.endpointFailing ? DELIVERY_CONTINUED : DELIVERY_REQUESTED,
        id: d.id,
        data: {
          delivery_id: d.id,
          endpoint_id: d.endpointId,
          account_id: d.accountId,
          ...(d.endpointFailing ? { from_attempt: 0 } : {}),
        } satisfies DeliveryRequestedData,
      })),
    );
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

/** The sweep: re-dispatches deliveries stored but never handed over. Returns how many. */
export async function dispatchStragglers(batchSize = 500): Promise<number> {
  const stragglers = await db.delivery.findMany({
    where: { dispatchedAt: null, createdAt: { lt: new Date(Date.now() - UNDISPATCHED_GRACE_MS) }, isTest: false },
    select: { id: true, endpointId: true, accountId: true, endpoint: { select: { failingSince: true } } },
    orderBy: { createdAt: "asc" },
    take: batchSize,
  });
  const dispatchable = stragglers.map((d) => ({ ...d, endpointFailing: d.endpoint.failingSince !== null }));
  return (await dispatchDeliveries(dispatchable)) ? stragglers.length : 0;
}
