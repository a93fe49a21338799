import "server-only";
import type { Delivery, DeliveryAttempt, Prisma } from "@prisma/client";
import { notFound } from "../api/errors";
import { afterCursor, newestFirst, page } from "../api/pagination";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { eventOutput } from "../events/schemas";
import { findEndpoint } from "../webhooks/queries";
import { deliveryConfig } from "./config";
import {
  deliveryDetailOutput,
  deliveryOutput,
  type DeliveryDetailOutput,
  type DeliveryOutput,
  type ListDeliveriesQuery,
} from "./schemas";

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toDeliveryOutput(d: Delivery): DeliveryOutput {
  return deliveryOutput.parse({
    id: d.id,
    event_id: d.eventId,
    endpoint_id: d.endpointId,
    event_type: d.eventType,
    status: d.status,
    is_test: d.isTest,
    attempt_count: d.attemptCount,
    next_attempt_at: iso(d.nextAttemptAt),
    last_attempt_at: iso(d.lastAttemptAt),
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    created_at: d.createdAt.toISOString(),
    completed_at: iso(d.completedAt),
  });
}

function toAttemptOutput(a: DeliveryAttempt, body: string) {
  return {
    id: a.id,
    number: a.number,
    trigger: a.trigger,
    created_at: a.createdAt.toISOString(),
    request: { url: a.requestUrl, headers: a.requestHeaders, body },
    response:
      a.responseStatus === null
        ? null
        : // A response always has a body, empty or not; only the retention purge sets it to null.
          { status: a.responseStatus, headers: a.responseHeaders ?? {}, body: a.responseBody ?? "", body_trimmed: a.responseBody === null },
    duration_ms: a.durationMs,
    succeeded: a.succeeded,
    error: a.errorClass ? { class: a.errorClass, message: a.errorMessage ?? "" } : null,
  };
}

export async function listEndpointDeliveries(caller: Caller, endpointId: string, query: ListDeliveriesQuery) {
  await findEndpoint(caller.accountId, endpointId);
  const where: Prisma.DeliveryWhereInput = {
    accountId: caller.accountId,
    endpointId,
    ...(query.status ? { status: query.status } : {}),
    ...(query.event_type ? { eventType: query.event_type } : {}),
    ...(query.event_id ? { eventId: query.event_id } : {}),
    ...afterCursor(query.cursor),
  };
  const rows = await db.delivery.findMany({ where, orderBy: newestFirst, take: query.limit + 1 });
  const result = page(rows, query.limit);
  return { data: result.rows.map(toDeliveryOutput), next_cursor: result.nextCursor };
}

export async function getDelivery(caller: Caller, deliveryId: string): Promise<DeliveryDetailOutput> {
  const delivery = await db.delivery.findFirst({
    where: { id: deliveryId, accountId: caller.accountId },
    include: { attempts: { orderBy: { number: "desc" } }, event: { select: { body: true } } },
  });
  if (!delivery) throw notFound("Delivery");
  return deliveryDetailOutput.parse({
    ...toDeliveryOutput(delivery),
    attempts: delivery.attempts.map((a) => toAttemptOutput(a, delivery.event.body)),
    max_attempts: delivery.isTest ? 1 : deliveryConfig().schedule.length,
  });
}

export async function getEvent(caller: Caller, eventId: string) {
  const event = await db.event.findFirst({
    where: { id: eventId, accountId: caller.accountId },
    include: { deliveries: { orderBy: newestFirst } },
  });
  if (!event) throw notFound("Event");
  const payload = JSON.parse(event.body) as { created_at: string; data: unknown };
  return eventOutput.parse({
    id: event.id,
    type: event.type,
    environment: event.environment,
    created_at: payload.created_at,
    external_id: event.externalId,
    is_test: event.isTest,
    data: payload.data,
    deliveries: event.deliveries.map(toDeliveryOutput),
  });
}
