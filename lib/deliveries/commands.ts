import "server-only";
import { ApiError, notFound } from "../api/errors";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { getEventType } from "../webhooks/event-types";
import { newId } from "../ids";
import { eventBody } from "../events/payload";
import { inngest } from "@/inngest/client";
import { attemptDelivery } from "./attempt-delivery";
import { DELIVERY_RETRY_REQUESTED, type DeliveryRequestedData } from "./dispatch";
import { getDelivery, requireEndpoint } from "./queries";

/** "Retry now": one immediate attempt, recorded as manual; answers with the updated delivery. */
export async function retryDeliveryNow(caller: Caller, deliveryId: string) {
  const delivery = await db.delivery.findFirst({
    where: { id: deliveryId, accountId: caller.accountId },
    include: { endpoint: { select: { status: true, deletedAt: true } } },
  });
  if (!delivery) throw notFound("Delivery");
  if (delivery.isTest) throw new ApiError(409, "test_delivery", "Test deliveries are attempted once; send a new test event instead");
  if (delivery.status !== "failed" && delivery.status !== "retrying" && delivery.status !== "cancelled") {
    throw new ApiError(409, "not_retryable", `Only failed, retrying or cancelled deliveries can be retried; this one is ${delivery.status}`);
  }
  if (delivery.endpoint.deletedAt || delivery.endpoint.status !== "active") {
    throw new ApiError(409, "endpoint_disabled", "Enable the endpoint before retrying its deliveries");
  }
  await attemptDelivery(deliveryId, "manual");
  return getDelivery(caller, deliveryId);
}

const MAX_BULK_RETRY = 10_000;

/**
 * "Retry all failed": a manual attempt for every delivery of the endpoint since a time that
 * failed, or was stopped because the endpoint was disabled (the replay offered on re-enabling).
 */
export async function retryFailedDeliveries(caller: Caller, endpointId: string, since: Date) {
  const endpoint = await requireEndpoint(caller, endpointId);
  if (endpoint.status !== "active") throw new ApiError(409, "endpoint_disabled", "Enable the endpoint before retrying its deliveries");
  const failed = await db.delivery.findMany({
    where: { accountId: caller.accountId, endpointId, status: { in: ["failed", "cancelled"] }, isTest: false, createdAt: { gte: since } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: MAX_BULK_RETRY + 1,
  });
  if (failed.length > MAX_BULK_RETRY) {
    throw new ApiError(422, "too_many_deliveries", `More than ${MAX_BULK_RETRY} failed deliveries since then; pick a later time`);
  }
  // Marked retrying at once so the history shows them queued; each run then makes one attempt.
  await db.delivery.updateMany({
    where: { id: { in: failed.map((d) => d.id) }, status: { in: ["failed", "cancelled"] } },
    data: { status: "retrying", nextAttemptAt: new Date(), completedAt: null },
  });
  for (let i = 0; i < failed.length; i += 500) {
    await inngest.send(
      failed.slice(i, i + 500).map((d) => ({
        name: DELIVERY_RETRY_REQUESTED,
        data: { delivery_id: d.id, endpoint_id: endpointId, account_id: caller.accountId } satisfies DeliveryRequestedData,
      })),
    );
  }
  return { retried: failed.length };
}

/** "Send Test Event": the type's sample, signed like any delivery, attempted once, now. */
export async function sendTestEvent(caller: Caller, endpointId: string, eventType: string) {
  const endpoint = await requireEndpoint(caller, endpointId);
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
  await db.$transaction([
    db.event.create({ data: { id: eventId, accountId: caller.accountId, type: eventType, environment: endpoint.environment, body, isTest: true } }),
    db.delivery.create({
      data: { id: deliveryId, accountId: caller.accountId, eventId, endpointId, eventType, isTest: true },
    }),
  ]);
  await attemptDelivery(deliveryId, "test");
  return getDelivery(caller, deliveryId);
}
