// The retention purge against a real database: rows inserted directly with chosen ages, then
// purged as the daily function does (lib/retention/purge.ts) with tiny batches.
import { beforeAll, describe, expect, it } from "vitest";
import type { DeliveryStatus } from "@prisma/client";
import { db, sqlPool } from "@/lib/db";
import { getDelivery } from "@/lib/deliveries/queries";
import { newId } from "@/lib/ids";
import { accountsToPurge, purgeAccountSlice, purgeAccountsSlice, type AccountRetention } from "@/lib/retention/purge";
import { createTestAccount, type TestAccount } from "../support/fixtures";

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

async function endpoint(acc: TestAccount, extra: { failingSince?: Date } = {}) {
  const id = newId("we");
  await db.webhookEndpoint.create({
    data: { id, accountId: acc.accountId, url: "https://hooks.example.com/r", eventTypes: ["alert.critical"], secretEncrypted: "unused", ...extra },
  });
  return id;
}

async function event(acc: TestAccount, createdAt: Date) {
  const id = newId("evt");
  await db.event.create({ data: { id, accountId: acc.accountId, type: "alert.critical", environment: "production", body: "{}", createdAt } });
  return id;
}

/** A delivery with two attempts (the second with a response body), all created at `createdAt`. */
async function delivery(acc: TestAccount, endpointId: string, eventId: string, status: DeliveryStatus, createdAt: Date) {
  const id = newId("dlv");
  await db.delivery.create({
    data: { id, accountId: acc.accountId, eventId, endpointId, eventType: "alert.critical", status, attemptCount: 2, createdAt },
  });
  await db.deliveryAttempt.createMany({
    data: [1, 2].map((number) => ({
      id: newId("att"),
      deliveryId: id,
      accountId: acc.accountId,
      number,
      trigger: "scheduled",
      requestUrl: "https://hooks.example.com/r",
      requestHeaders: {},
      responseStatus: number === 2 ? 200 : 500,
      responseBody: number === 2 ? "thanks" : "oops",
      durationMs: 10,
      succeeded: number === 2,
      createdAt,
    })),
  });
  return id;
}

async function notice(acc: TestAccount, endpointId: string, kind: string, createdAt: Date) {
  await db.notice.create({
    data: { id: newId("ntc"), accountId: acc.accountId, kind, endpointId, reason: "test", dedupeKey: newId("key"), createdAt },
  });
}

async function hour(acc: TestAccount, endpointId: string, at: Date) {
  await db.endpointAttemptHour.create({
    data: { endpointId, accountId: acc.accountId, hour: new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000), succeeded: 1 },
  });
}

/** One account's history: what retention 30 / bodies 7 must remove and what it must keep. */
async function history(acc: TestAccount) {
  const ep = await endpoint(acc);
  const failingEp = await endpoint(acc, { failingSince: daysAgo(40) });
  const old: string[] = [];
  const oldEvents: string[] = [];
  for (let i = 0; i < 5; i++) {
    const evt = await event(acc, daysAgo(40 + i));
    oldEvents.push(evt);
    old.push(await delivery(acc, ep, evt, i % 2 === 0 ? "succeeded" : "failed", daysAgo(40 + i)));
  }
  // An old event with an old delivery and one made later (a replay) stays with the younger one.
  const sharedEvent = await event(acc, daysAgo(45));
  old.push(await delivery(acc, ep, sharedEvent, "succeeded", daysAgo(45)));
  const replayed = await delivery(acc, failingEp, sharedEvent, "succeeded", daysAgo(3));
  // Still in flight, however old: kept with their events.
  const retryingEvent = await event(acc, daysAgo(50));
  const retrying = await delivery(acc, ep, retryingEvent, "retrying", daysAgo(50));
  const pendingEvent = await event(acc, daysAgo(50));
  const pending = await delivery(acc, ep, pendingEvent, "pending", daysAgo(50));
  // An old event no endpoint was subscribed to.
  const lonelyEvent = await event(acc, daysAgo(35));
  // Young: kept; bodies trimmed after 7 days.
  const tenDaysEvent = await event(acc, daysAgo(10));
  const tenDays = await delivery(acc, ep, tenDaysEvent, "succeeded", daysAgo(10));
  const twoDaysEvent = await event(acc, daysAgo(2));
  const twoDays = await delivery(acc, ep, twoDaysEvent, "succeeded", daysAgo(2));
  await notice(acc, ep, "delivery_exhausted", daysAgo(40));
  await notice(acc, ep, "endpoint_disabled", daysAgo(5));
  await notice(acc, failingEp, "endpoint_failing", daysAgo(40)); // still failing: its dedupe key stays
  await hour(acc, ep, daysAgo(40));
  await hour(acc, ep, daysAgo(2));
  return {
    ep,
    old,
    oldEvents,
    sharedEvent,
    kept: [replayed, retrying, pending, tenDays, twoDays],
    keptEvents: [sharedEvent, retryingEvent, pendingEvent, tenDaysEvent, twoDaysEvent],
    lonelyEvent,
    tenDays,
    twoDays,
  };
}

async function snapshot(accountId: string) {
  const [deliveries, attempts, events, notices, hours] = await Promise.all([
    db.delivery.findMany({ where: { accountId }, select: { id: true } }),
    db.deliveryAttempt.findMany({ where: { accountId }, select: { deliveryId: true, responseBody: true, number: true } }),
    db.event.findMany({ where: { accountId }, select: { id: true } }),
    db.notice.findMany({ where: { accountId }, select: { kind: true } }),
    db.endpointAttemptHour.findMany({ where: { accountId }, select: { hour: true } }),
  ]);
  return {
    deliveries: deliveries.map((d) => d.id).sort(),
    attempts,
    events: events.map((e) => e.id).sort(),
    notices: notices.map((n) => n.kind).sort(),
    hours: hours.length,
  };
}

async function purgeAll(account: AccountRetention, batchSize: number) {
  let slices = 0;
  let deliveries = 0;
  for (;;) {
    // A budget of zero does one batch a slice: every slice is a separate, bounded round.
    const result = await purgeAccountSlice(sqlPool(), account, { now: NOW, batchSize, budgetMs: 0 });
    slices++;
    deliveries += result.counts.deliveries;
    if (result.done) return { slices, deliveries };
    if (slices > 100) throw new Error("the purge does not finish");
  }
}

let a: TestAccount;
let b: TestAccount;
let aRows: Awaited<ReturnType<typeof history>>;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestAccount("Retention A"), createTestAccount("Retention B")]);
  aRows = await history(a);
  await history(b);
  await db.account.update({ where: { id: b.accountId }, data: { retentionDays: 60, bodyRetentionDays: 60 } });
});

describe("the retention purge", () => {
  it("removes old finished history in bounded batches and keeps the young, the in-flight and other accounts'", async () => {
    const bBefore = await snapshot(b.accountId);
    const accounts = await accountsToPurge(sqlPool());
    const account = accounts.find((x) => x.id === a.accountId)!;
    expect(account).toEqual({ id: a.accountId, retentionDays: 30, bodyRetentionDays: 7 });

    const run = await purgeAll(account, 2);
    expect(run.deliveries).toBe(6);
    // 6 deliveries in batches of 2 (and the other phases' batches) took several rounds.
    expect(run.slices).toBeGreaterThan(5);

    const after = await snapshot(a.accountId);
    expect(after.deliveries).toEqual([...aRows.kept].sort());
    expect(new Set(after.attempts.map((x) => x.deliveryId))).toEqual(new Set(aRows.kept));
    expect(after.events).toEqual([...aRows.keptEvents].sort());
    expect(after.events).not.toContain(aRows.lonelyEvent);
    expect(after.notices).toEqual(["endpoint_disabled", "endpoint_failing"]);
    expect(after.hours).toBe(1);
    // Bodies older than 7 days are trimmed, young ones kept; the attempts themselves stay.
    const bodies = (id: string) => after.attempts.filter((x) => x.deliveryId === id).map((x) => x.responseBody);
    expect(bodies(aRows.tenDays)).toEqual([null, null]);
    expect(bodies(aRows.twoDays).sort()).toEqual(["oops", "thanks"]);

    // The API tells a trimmed body from an empty one.
    const trimmed = await getDelivery(a.users.viewer.caller, aRows.tenDays);
    expect(trimmed.attempts.map((x) => x.response)).toMatchObject([
      { status: 200, body: "", body_trimmed: true },
      { status: 500, body: "", body_trimmed: true },
    ]);
    const kept = await getDelivery(a.users.viewer.caller, aRows.twoDays);
    expect(kept.attempts.map((x) => x.response)).toMatchObject([{ body: "thanks", body_trimmed: false }, { body: "oops", body_trimmed: false }]);

    // Another account with its own, longer retention is untouched.
    expect(await snapshot(b.accountId)).toEqual(bBefore);

    // A second run finds nothing more.
    expect(await purgeAccountSlice(sqlPool(), account, { now: NOW, batchSize: 2, budgetMs: 60_000 })).toEqual({
      done: true,
      counts: { deliveries: 0, attempts: 0, events: 0, bodies: 0, notices: 0, hours: 0 },
    });
  });

  it("stops at its time budget and says so, leaving the rest to the next slice", async () => {
    const c = await createTestAccount("Retention C");
    await history(c);
    const account = { id: c.accountId, retentionDays: 30, bodyRetentionDays: 7 };
    const first = await purgeAccountSlice(sqlPool(), account, { now: NOW, batchSize: 2, budgetMs: 0 });
    expect(first.done).toBe(false);
    expect(first.counts.deliveries).toBe(2);
    expect((await purgeAll(account, 1000)).deliveries).toBe(4);
  });

  it("goes through many accounts in slices, each resuming where the last stopped", async () => {
    const [d, e] = await Promise.all([createTestAccount("Retention D"), createTestAccount("Retention E")]);
    await history(d);
    await history(e);
    const accounts = [d, e].map((x) => ({ id: x.accountId, retentionDays: 30, bodyRetentionDays: 7 }));
    let slices = 0;
    let deliveries = 0;
    for (let next = 0; next < accounts.length; slices++) {
      const slice = await purgeAccountsSlice(sqlPool(), accounts, next, { now: NOW, batchSize: 2, budgetMs: 0 });
      expect(slice.next).toBeGreaterThanOrEqual(next);
      next = slice.next;
      deliveries += slice.counts.deliveries;
    }
    expect(slices).toBeGreaterThan(4);
    expect(deliveries).toBe(12);
    for (const x of [d, e]) expect(await db.delivery.count({ where: { accountId: x.accountId } })).toBe(5);
  });
});
