import "server-only";
import type { DeliveryStatus, Prisma } from "@prisma/client";
import { db } from "../db";
import { newId } from "../ids";
import { SYSTEM_CALLER } from "../audit/system";
import { auditEntry } from "../audit/record";
import { signingSecretsFor } from "../webhooks/secrets";
import { deliveryConfig, TRANSACTION_OPTIONS } from "./config";
import { sendRequest, type SendResult } from "./send-request";
import { db24x7Signature, standardWebhooksSignature } from "./signing";

export type AttemptTrigger = "scheduled" | "manual" | "test";

export type AttemptOutcome =
  | { kind: "succeeded"; attemptId: string; status: number; durationMs: number }
  | { kind: "failed"; attemptId: string; final: boolean; status: number | null; errorClass: string; durationMs: number }
  // Nothing was sent: the delivery is already settled, or its endpoint is disabled or deleted.
  | { kind: "stopped"; reason: string };

/** Builds the exact headers of one attempt; the signature covers the exact body sent. */
export function attemptHeaders(input: {
  attemptId: string;
  eventId: string;
  body: string;
  timestamp: number;
  /** Signs the documented X-DB24x7-Signature. */
  signWith: string;
  /** During a rolled secret's grace period: the new secret, for X-DB24x7-Signature-Next. */
  nextSecret: string | null;
  /** Secrets for the opt-in Standard Webhooks header (it carries several), or none. */
  standardWebhooksSecrets: string[];
}): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": deliveryConfig().userAgent,
    "X-DB24x7-Signature": db24x7Signature(input.signWith, input.body),
    "X-DB24x7-Event-ID": input.eventId,
    "X-DB24x7-Delivery-ID": input.attemptId,
    "X-DB24x7-Timestamp": String(input.timestamp),
  };
  if (input.nextSecret) headers["X-DB24x7-Signature-Next"] = db24x7Signature(input.nextSecret, input.body);
  if (input.standardWebhooksSecrets.length) {
    headers["webhook-id"] = input.eventId;
    headers["webhook-timestamp"] = String(input.timestamp);
    headers["webhook-signature"] = input.standardWebhooksSecrets
      .map((secret) => standardWebhooksSignature(secret, input.eventId, input.timestamp, input.body))
      .join(" ");
  }
  return headers;
}

/** How many scheduled attempts a delivery has had: where a resumed run picks up. */
export async function scheduledAttemptsMade(deliveryId: string): Promise<number> {
  return db.deliveryAttempt.count({ where: { deliveryId, trigger: "scheduled" } });
}

const SETTLED: DeliveryStatus[] = ["succeeded", "cancelled"];

/**
 * One HTTP attempt of a delivery, recorded with the exact request and the response.
 * `scheduledIndex` is the 0-based position in the retry schedule for scheduled attempts.
 */
export async function attemptDelivery(
  deliveryId: string,
  trigger: AttemptTrigger,
  scheduledIndex = 0,
): Promise<AttemptOutcome> {
  const delivery = await db.delivery.findUnique({
    where: { id: deliveryId },
    include: { event: { select: { id: true, body: true } }, endpoint: true },
  });
  if (!delivery) return { kind: "stopped", reason: "delivery not found" };
  const { endpoint, event } = delivery;
  if (trigger === "scheduled" && (SETTLED.includes(delivery.status) || delivery.status === "failed")) {
    return { kind: "stopped", reason: `delivery already ${delivery.status}` };
  }
  if (endpoint.deletedAt || (endpoint.status === "disabled" && trigger !== "test")) {
    const reason = endpoint.deletedAt ? "endpoint deleted" : "endpoint disabled";
    if (trigger === "scheduled") {
      await db.delivery.updateMany({
        where: { id: deliveryId, status: { in: ["pending", "retrying"] } },
        data: { status: "cancelled", lastError: `Stopped: ${reason}`, nextAttemptAt: null, completedAt: new Date() },
      });
    }
    return { kind: "stopped", reason };
  }

  const config = deliveryConfig();
  const secrets = signingSecretsFor(endpoint);
  const send = async (signWith: string, nextSecret: string | null) => {
    const attemptId = newId("att");
    const headers = attemptHeaders({
      attemptId,
      eventId: event.id,
      body: event.body,
      timestamp: Math.floor(Date.now() / 1000),
      signWith,
      nextSecret,
      standardWebhooksSecrets: endpoint.standardWebhooks ? [secrets.current, secrets.previous].filter((x) => x !== null) : [],
    });
    const result = await sendRequest({
      url: endpoint.url,
      headers,
      body: event.body,
      timeoutMs: config.timeoutMs,
    });
    return { attemptId, headers, result, at: new Date() };
  };

  // During a rolled secret's grace period the documented header is signed with the previous
  // secret, so receivers that have not switched keep working. A receiver that already switched
  // (as the documentation's receivers do: one secret, one header) refuses that with 401/403:
  // the request is then sent again at once signed with the new secret, and if that is
  // accepted the grace period ends early. Either way no delivery fails over the switch.
  const sent = [await send(secrets.previous ?? secrets.current, secrets.previous ? secrets.current : null)];
  const refused = sent[0].result.status === 401 || sent[0].result.status === 403;
  if (secrets.previous && refused) sent.push(await send(secrets.current, null));
  const { result } = sent[sent.length - 1];
  const switchedSecret = sent.length === 2 && result.errorClass === null;
  const succeeded = result.errorClass === null;
  const lastScheduled = scheduledIndex >= config.schedule.length - 1;
  const final = trigger === "test" || (trigger === "scheduled" && lastScheduled);
  const now = new Date();

  await db.$transaction(async (tx) => {
    const { attemptCount } = await tx.delivery.update({
      where: { id: deliveryId },
      data: {
        attemptCount: { increment: sent.length },
        lastAttemptAt: now,
        lastStatusCode: result.status,
        lastError: result.errorMessage,
        // A success settles the delivery in this same statement (unconditionally, as a success does).
        ...(succeeded ? { status: "succeeded" as const, nextAttemptAt: null, completedAt: now } : {}),
      },
      select: { attemptCount: true },
    });
    await tx.deliveryAttempt.createMany({
      data: sent.map((attempt, i) => ({
        id: attempt.attemptId,
        deliveryId,
        accountId: delivery.accountId,
        number: attemptCount - sent.length + 1 + i,
        trigger,
        requestUrl: endpoint.url,
        requestHeaders: redactSignatures(attempt.headers),
        responseStatus: attempt.result.status,
        responseHeaders: attempt.result.headers ?? undefined,
        responseBody: attempt.result.body,
        durationMs: attempt.result.durationMs,
        errorClass: attempt.result.errorClass,
        errorMessage: attempt.result.errorMessage,
        succeeded: attempt.result.errorClass === null,
        createdAt: attempt.at,
      })),
    });
    if (!succeeded) await settleFailure(tx, deliveryId, trigger, final, scheduledIndex, now);
    if (!delivery.isTest) await trackEndpointHealth(tx, endpoint.id, delivery.accountId, succeeded, now);
    if (switchedSecret) await endGracePeriod(tx, endpoint.id, delivery.accountId, now);
  }, TRANSACTION_OPTIONS);

  const attemptId = sent[sent.length - 1].attemptId;
  return succeeded
    ? { kind: "succeeded", attemptId, status: result.status!, durationMs: result.durationMs }
    : { kind: "failed", attemptId, final, status: result.status, errorClass: result.errorClass!, durationMs: result.durationMs };
}

// Signatures are recorded only as their first characters: the full value is a MAC anyone
// reading the history could replay against the receiver.
function redactSignatures(headers: Record<string, string>): Prisma.InputJsonObject {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = /signature/i.test(name) ? value.replace(/([0-9a-f]{8}|[A-Za-z0-9+/]{8})[0-9A-Za-z+/=]+/g, "$1…") : value;
  }
  return out;
}

async function settleFailure(
  tx: Prisma.TransactionClient,
  deliveryId: string,
  trigger: AttemptTrigger,
  final: boolean,
  scheduledIndex: number,
  now: Date,
) {
  // A failure never overwrites a success that landed meanwhile (a manual retry racing the schedule).
  const notSucceeded = { id: deliveryId, status: { notIn: ["succeeded", "cancelled"] as DeliveryStatus[] } };
  if (final) {
    await tx.delivery.updateMany({ where: notSucceeded, data: { status: "failed", nextAttemptAt: null, completedAt: now } });
  } else if (trigger === "scheduled") {
    const delay = deliveryConfig().schedule[scheduledIndex + 1];
    await tx.delivery.updateMany({
      where: notSucceeded,
      data: { status: "retrying", nextAttemptAt: new Date(now.getTime() + delay) },
    });
  }
  // A failed manual attempt keeps a pending schedule (retrying, next attempt still ahead);
  // otherwise (a failed, stopped, or bulk-replayed delivery) the delivery is failed again.
  else {
    await tx.delivery.updateMany({
      where: { ...notSucceeded, OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
      data: { status: "failed", nextAttemptAt: null, completedAt: now },
    });
  }
}

async function endGracePeriod(tx: Prisma.TransactionClient, endpointId: string, accountId: string, now: Date) {
  const { count } = await tx.webhookEndpoint.updateMany({
    where: { id: endpointId, previousSecretEncrypted: { not: null } },
    data: { previousSecretEncrypted: null, previousSecretExpiresAt: null },
  });
  if (count > 0) {
    await tx.auditLogEntry.create({
      data: auditEntry(SYSTEM_CALLER(accountId), "webhook_endpoint.secret_switch_detected", { type: "webhook_endpoint", id: endpointId }, {
        reason: `The endpoint accepted the new signing secret at ${now.toISOString()}; the previous one is no longer used`,
      }),
    });
  }
}

async function trackEndpointHealth(
  tx: Prisma.TransactionClient,
  endpointId: string,
  accountId: string,
  succeeded: boolean,
  now: Date,
) {
  if (succeeded) {
    await tx.webhookEndpoint.updateMany({ where: { id: endpointId, failingSince: { not: null } }, data: { failingSince: null } });
    return;
  }
  await tx.webhookEndpoint.updateMany({ where: { id: endpointId, failingSince: null }, data: { failingSince: now } });
  const threshold = new Date(now.getTime() - deliveryConfig().autoDisableAfterMs);
  const { count } = await tx.webhookEndpoint.updateMany({
    where: { id: endpointId, status: "active", deletedAt: null, failingSince: { lte: threshold } },
    data: { status: "disabled", disabledReason: "failing", disabledAt: now },
  });
  if (count > 0) {
    await tx.auditLogEntry.create({
      data: auditEntry(SYSTEM_CALLER(accountId), "webhook_endpoint.auto_disabled", { type: "webhook_endpoint", id: endpointId }, {
        reason: `Every delivery failed since ${threshold.toISOString()}`,
      }),
    });
  }
}

export type { SendResult };
