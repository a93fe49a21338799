import "server-only";
import { Prisma } from "@prisma/client";
import { ApiError } from "../api/errors";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { TRANSACTION_OPTIONS } from "../deliveries/config";
import { dispatchDeliveries } from "../deliveries/dispatch";
import { newId } from "../ids";
import { parseEventData } from "../webhooks/event-types";
import { eventBody } from "./payload";
import { MAX_EVENT_BYTES, type PublishEventInput, type PublishEventOutput } from "./schemas";

/**
 * Stores the event and one delivery per subscribed active endpoint in one transaction, then
 * hands the deliveries to Inngest. Once this returns, nothing can be lost: a hand-over that
 * fails is retried by the sweep (inngest/functions/sweep-undispatched-deliveries.ts).
 */
export async function publishEvent(caller: Caller, input: PublishEventInput): Promise<PublishEventOutput> {
  parseEventData(input.type, input.data);
  if (input.id) {
    const existing = await findByExternalId(caller.accountId, input.id);
    if (existing) return existing;
  }

  const id = newId("evt");
  const body = eventBody({
    id,
    type: input.type,
    createdAt: new Date(),
    data: input.data,
    accountId: caller.accountId,
    environment: input.environment,
  });
  if (Buffer.byteLength(body) > MAX_EVENT_BYTES) {
    throw new ApiError(413, "payload_too_large", `The event is ${Math.ceil(Buffer.byteLength(body) / 1024)} KB; events are at most 256 KB`);
  }

  let deliveries: { id: string; endpointId: string; accountId: string }[];
  try {
    deliveries = await db.$transaction(async (tx) => {
      const endpoints = await tx.webhookEndpoint.findMany({
        where: {
          accountId: caller.accountId,
          status: "active",
          deletedAt: null,
          environment: input.environment,
          eventTypes: { has: input.type },
        },
        select: { id: true },
      });
      await tx.event.create({
        data: { id, accountId: caller.accountId, type: input.type, environment: input.environment, externalId: input.id, body },
      });
      const rows = endpoints.map((e) => ({ id: newId("dlv"), accountId: caller.accountId, eventId: id, endpointId: e.id, eventType: input.type }));
      if (rows.length) await tx.delivery.createMany({ data: rows });
      return rows;
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    // The same producer id published concurrently: the other request stored it first.
    if (input.id && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = await findByExternalId(caller.accountId, input.id);
      if (existing) return existing;
    }
    throw error;
  }

  await dispatchDeliveries(deliveries);
  return { id, deliveries: deliveries.map((d) => ({ id: d.id, endpoint_id: d.endpointId })), duplicate: false };
}

async function findByExternalId(accountId: string, externalId: string): Promise<PublishEventOutput | null> {
  const event = await db.event.findUnique({
    where: { accountId_externalId: { accountId, externalId } },
    select: { id: true, deliveries: { select: { id: true, endpointId: true }, orderBy: { id: "asc" } } },
  });
  if (!event) return null;
  return { id: event.id, deliveries: event.deliveries.map((d) => ({ id: d.id, endpoint_id: d.endpointId })), duplicate: true };
}
