// The accounts, ids and helpers the bad-input suites share: two accounts with one of everything
// (endpoint, event, failed delivery, API keys including an expired and a revoked one), a
// snapshot of every table an API call could write, and the check that an answer is a 4xx in the
// documented error shape.
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { db } from "@/lib/db";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { eventBody } from "@/lib/events/payload";
import { newId } from "@/lib/ids";
import { getEventType } from "@/lib/webhooks/event-types";
import { encryptSigningSecret, generateSigningSecret } from "@/lib/webhooks/secrets";
import { createTestAccount, sessionCookie, type TestAccount } from "../support/fixtures";

export interface World {
  account: TestAccount;
  endpointId: string;
  eventId: string;
  deliveryId: string;
  /** An API key of this account nobody uses in a request (the target of DELETE /api-keys/:id). */
  spareKeyId: string;
  /** A notice about the endpoint (the target of POST /notifications/:id/read). */
  noticeId: string;
  expiredKey: string;
  revokedKey: string;
  /** Session cookies of the owner, admin and viewer users. */
  ownerCookie: string;
  adminCookie: string;
  viewerCookie: string;
}

export async function createWorld(name: string): Promise<World> {
  const account = await createTestAccount(name);
  const { accountId } = account;
  const endpointId = newId("we");
  await db.webhookEndpoint.create({
    data: {
      id: endpointId,
      accountId,
      url: "https://hooks.example.com/db24x7",
      environment: "production",
      eventTypes: ["alert.critical"],
      secretEncrypted: encryptSigningSecret(endpointId, generateSigningSecret()),
    },
  });
  const eventId = newId("evt");
  const deliveryId = newId("dlv");
  await db.event.create({
    data: {
      id: eventId,
      accountId,
      type: "alert.critical",
      environment: "production",
      body: eventBody({ id: eventId, type: "alert.critical", createdAt: new Date(), data: getEventType("alert.critical")!.sample, accountId, environment: "production" }),
    },
  });
  // Failed: the one state in which "retry" would send a request if the call got that far.
  await db.delivery.create({
    data: { id: deliveryId, accountId, eventId, endpointId, eventType: "alert.critical", status: "failed", attemptCount: 3, completedAt: new Date() },
  });
  const caller = account.users.admin.caller;
  const spare = await createApiKey(caller, { name: "spare", role: "admin" });
  const expired = await createApiKey(caller, { name: "expired", role: "admin", expires_in_days: 1 });
  await db.apiKey.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const revoked = await createApiKey(caller, { name: "revoked", role: "admin" });
  await db.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
  const noticeId = newId("ntc");
  await db.notice.create({
    data: {
      id: noticeId,
      accountId,
      kind: "endpoint_failing",
      endpointId,
      reason: "The last 5 attempts failed",
      dedupeKey: `bad-input:${noticeId}`,
      createdAt: new Date(),
    },
  });
  return {
    account,
    endpointId,
    eventId,
    deliveryId,
    spareKeyId: spare.id,
    noticeId,
    expiredKey: expired.key,
    revokedKey: revoked.key,
    ownerCookie: await sessionCookie(account.users.owner.id, account.users.owner.email),
    adminCookie: await sessionCookie(account.users.admin.id, account.users.admin.email),
    viewerCookie: await sessionCookie(account.users.viewer.id, account.users.viewer.email),
  };
}

/**
 * Row counts of every table an API call can write, plus a digest of the rows a call could
 * change in place (endpoint fields, key revocation, delivery state, retention, mail opt-outs),
 * for one account.
 */
export async function snapshot(accountId: string) {
  const where = { where: { accountId } };
  const [events, deliveries, attempts, endpoints, apiKeys, audit, noticeReads, endpointRows, keyRows, deliveryRows, accountRow, memberships] = await Promise.all([
    db.event.count(where),
    db.delivery.count(where),
    db.deliveryAttempt.count(where),
    db.webhookEndpoint.count(where),
    db.apiKey.count(where),
    db.auditLogEntry.count(where),
    db.noticeRead.count({ where: { notice: { accountId } } }),
    db.webhookEndpoint.findMany({ ...where, orderBy: { id: "asc" }, omit: { failingSince: true } }),
    db.apiKey.findMany({ ...where, orderBy: { id: "asc" }, select: { id: true, name: true, role: true, revokedAt: true, expiresAt: true } }),
    db.delivery.findMany({ ...where, orderBy: { id: "asc" }, select: { id: true, status: true, attemptCount: true, nextAttemptAt: true, completedAt: true } }),
    db.account.findUnique({ where: { id: accountId }, select: { retentionDays: true, bodyRetentionDays: true } }),
    db.membership.findMany({ ...where, orderBy: { userId: "asc" }, select: { userId: true, noticeEmails: true } }),
  ]);
  const digest = createHash("sha256")
    .update(JSON.stringify([endpointRows, keyRows, deliveryRows, accountRow, memberships]))
    .digest("hex")
    .slice(0, 16);
  return { events, deliveries, attempts, endpoints, apiKeys, audit, noticeReads, digest };
}

export type Res = { status: number; json: unknown; headers: Headers };

/** A 4xx in the documented shape `{ error: { code, message, details? } }`, nothing else. */
export function expectApiError(res: Res, status: number | number[], code?: string | RegExp, label = "") {
  const shown = `${label}: ${res.status} ${JSON.stringify(res.json)?.slice(0, 600)}`;
  expect(res.status, shown).toBeGreaterThanOrEqual(400);
  expect(res.status, shown).toBeLessThan(500);
  if (Array.isArray(status)) expect(status, shown).toContain(res.status);
  else expect(res.status, shown).toBe(status);
  expect(res.headers.get("content-type") ?? "", shown).toMatch(/^application\/json/);
  const body = res.json as { error?: { code?: unknown; message?: unknown } };
  expect(Object.keys(body ?? {}), shown).toEqual(["error"]);
  expect(Object.keys(body.error ?? {}).filter((k) => !["code", "message", "details"].includes(k)), shown).toEqual([]);
  expect(typeof body.error?.code, shown).toBe("string");
  expect(typeof body.error?.message, shown).toBe("string");
  expect((body.error!.message as string).length, shown).toBeGreaterThan(0);
  if (code instanceof RegExp) expect(body.error!.code, shown).toMatch(code);
  else if (code) expect(body.error!.code, shown).toBe(code);
}
