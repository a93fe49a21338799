import "server-only";
import { inngest } from "@/inngest/client";
import { db } from "../db";

export const DELIVERY_REQUESTED = "webhooks/delivery.requested";
export const DELIVERY_RETRY_REQUESTED = "webhooks/delivery.retry-requested";

export interface DeliveryRequestedData {
  delivery_id: string;
  endpoint_id: string;
  account_id: string;
  /** Set when a failed run hands the delivery on: continue the schedule where it stopped. */
  resume?: boolean;
}

type Dispatchable = { id: string; endpointId: string; accountId: string };

/**
 * Hands stored deliveries to Inngest, one durable run each. The Inngest event id is the
 * delivery id, so a hand-over repeated by the sweep (after a crash between send and mark)
 * starts no second run. Never throws: what fails here stays undispatched for the sweep.
 */
export async function dispatchDeliveries(deliveries: Dispatchable[]): Promise<boolean> {
  if (deliveries.length === 0) return true;
  try {
    await inngest.send(
      deliveries.map((d) => ({
        name: DELIVERY_REQUESTED,
        id: d.id,
        data: { delivery_id: d.id, endpoint_id: d.endpointId, account_id: d.accountId } satisfies DeliveryRequestedData,
      })),
    );
    await db.delivery.updateMany({
      where: { id: { in: deliveries.map((d) => d.id) }, dispatchedAt: null },
      data: { dispatchedAt: new Date() },
    });
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
    select: { id: true, endpointId: true, accountId: true },
    orderBy: { createdAt: "asc" },
    take: batchSize,
  });
  return (await dispatchDeliveries(stragglers)) ? stragglers.length : 0;
}
