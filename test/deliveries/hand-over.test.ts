// Every kind of hand-over to Inngest made while the engine is down — publish, the batch's
// continue after a failed first attempt and its deferral, Retry now, Retry all failed and the
// replay of cancelled deliveries, a test event — is kept in the outbox; once the engine is back
// and the sweep has run, every delivery is done exactly as scheduled, none twice, none stuck.
// vitest.config.ts sets a short retry schedule, so the whole schedule runs in seconds.
import "./engine-env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as events from "@/app/api/v1/events/route";
import * as deliveryItem from "@/app/api/v1/deliveries/[deliveryId]/route";
import * as deliveryRetry from "@/app/api/v1/deliveries/[deliveryId]/retry/route";
import * as endpointTest from "@/app/api/v1/webhooks/[endpointId]/test/route";
import * as retryFailed from "@/app/api/v1/webhooks/[endpointId]/retry-failed/route";
import { db } from "@/lib/db";
import { attemptDeliveries } from "@/lib/deliveries/attempt-delivery";
import { dispatchStragglers } from "@/lib/deliveries/outbox";
import { newId } from "@/lib/ids";
import { getEventType } from "@/lib/webhooks/event-types";
import { encryptSigningSecret, generateSigningSecret } from "@/lib/webhooks/secrets";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";
import { startReceiver, startStack, waitFor, type Stack } from "./stack";

const SCHEMA = "engine_hand_over";
let stack: Stack | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let account: TestAccount;

beforeAll(async () => {
  // /continued refuses its first request; everything else is accepted.
  receiver = await startReceiver((req, nth) => (req.path === "/continued" && nth === 1 ? 503 : 200));
  account = await createTestAccount("Hand-overs");
  stack = await startStack(SCHEMA);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

async function endpoint(path: string, options: { failing?: boolean } = {}) {
  const id = newId("we");
  await db.webhookEndpoint.create({
    data: {
      id,
      accountId: account.accountId,
      url: receiver.base + path,
      environment: "production",
      eventTypes: ["backup.completed"],
      failingSince: options.failing ? new Date() : null,
      secretEncrypted: encryptSigningSecret(id, generateSigningSecret()),
    },
  });
  return id;
}

/** A delivery stored as settled before this test: failed after its schedule, or cancelled. */
async function settledDelivery(endpointId: string, status: "failed" | "cancelled") {
  const eventId = newId("evt");
  const id = newId("dlv");
  await db.event.create({
    data: { id: eventId, accountId: account.accountId, type: "backup.completed", environment: "production", body: JSON.stringify({ id: eventId }) },
  });
  await db.delivery.create({
    data: {
      id, accountId: account.accountId, eventId, endpointId, eventType: "backup.completed", status,
      attemptCount: status === "failed" ? 3 : 0, scheduledAttempts: status === "failed" ? 3 : 0, completedAt: new Date(),
    },
  });
  return id;
}

const delivery = async (id: string) => (await call(deliveryItem.GET, { headers: bearer(account.keys.admin), params: { deliveryId: id } })).json;
const isSettled = (d: { status: string }) => ["succeeded", "failed", "cancelled"].includes(d.status);

describe("hand-overs while the engine is down", () => {
  it("are all made once it is back: every delivery done as scheduled, none twice, none stuck", async () => {
    const published = await endpoint("/published");
    const continued = await endpoint("/continued");
    const deferred = await endpoint("/deferred", { failing: true });
    const retriedNow = await endpoint("/retried-now");
    const bulk = await endpoint("/bulk");
    const tested = await endpoint("/test-event");
    // Subscribed to another type: only the first three get the published event.
    for (const id of [retriedNow, bulk, tested]) await db.webhookEndpoint.update({ where: { id }, data: { eventTypes: ["alert.critical"] } });
    const failedOne = await settledDelivery(retriedNow, "failed");
    const bulkSince = new Date(Date.now() - 1000).toISOString();
    const bulkIds = [await settledDelivery(bulk, "failed"), await settledDelivery(bulk, "failed"), await settledDelivery(bulk, "cancelled")];

    // The engine stops: every hand-over below fails and stays in the outbox.
    await stack!.stop();
    stack = undefined;
    const publish = await call(events.POST, {
      method: "POST",
      headers: bearer(account.keys.admin),
      body: { type: "backup.completed", data: getEventType("backup.completed")!.sample },
    });
    expect(publish.status).toBe(202);
    const ids = new Map<string, string>(publish.json.deliveries.map((d: { id: string; endpoint_id: string }) => [d.endpoint_id, d.id]));
    expect(ids.size).toBe(3);
    // The batch's step, as deliver-first-attempts runs it: /continued fails its first attempt
    // (its schedule goes on in a run of its own), /deferred is kept apart (its endpoint is failing).
    const batch = await attemptDeliveries([ids.get(continued)!, ids.get(deferred)!], "scheduled", 0, {
      deferFailing: true,
      isolateFaults: true,
      handOver: true,
    });
    expect(batch.get(ids.get(continued)!)).toMatchObject({ kind: "attempted", result: "http_status" });
    expect(batch.get(ids.get(deferred)!)).toEqual({ kind: "deferred" });
    const firstFailure = await delivery(ids.get(continued)!);
    expect(firstFailure).toMatchObject({ status: "retrying", attempt_count: 1 });

    const retried = await call(deliveryRetry.POST, { method: "POST", headers: bearer(account.keys.admin), params: { deliveryId: failedOne } });
    expect(retried.json).toMatchObject({ status: "retrying", attempt_count: 3 });
    const replay = await call(retryFailed.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId: bulk }, body: { since: bulkSince } });
    expect(replay.json).toEqual({ retried: 3 });
    const test = await call(endpointTest.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId: tested }, body: { event_type: "alert.critical" } });
    expect(test.status).toBe(202);

    // Publish, continue, defer, retry now, three bulk retries, the test event.
    const outbox = () => db.outboxMessage.findMany({ where: { accountId: account.accountId }, select: { id: true, name: true } });
    expect((await outbox()).map((m) => m.name).sort()).toEqual([
      ...Array(5).fill("webhooks/delivery.attempt-requested"),
      "webhooks/delivery.schedule-continued",
      "webhooks/delivery.schedule-continued",
      "webhooks/event.deliveries-due",
    ]);
    expect(receiver.received).toHaveLength(1);

    stack = await startStack(SCHEMA);
    // The sweep's own step, without waiting out its grace period and the next minute.
    expect(await dispatchStragglers({ graceMs: 0 })).toBeGreaterThanOrEqual(8);
    expect(await outbox()).toEqual([]);

    const all = [...ids.values(), failedOne, ...bulkIds, test.json.id as string];
    await waitFor(async () => (await Promise.all(all.map(delivery))).every(isSettled), 30_000, "every delivery to settle");
    for (const id of all) expect((await delivery(id)).status).toBe("succeeded");

    // Each receiver got exactly what the schedule and the requests call for.
    const counts = Object.fromEntries(["/published", "/continued", "/deferred", "/retried-now", "/bulk", "/test-event"].map((p) => [p, receiver.on(p).length]));
    expect(counts).toEqual({ "/published": 1, "/continued": 2, "/deferred": 1, "/retried-now": 1, "/bulk": 3, "/test-event": 1 });
    // The second attempt waited for its recorded time, not less.
    const [first, second] = receiver.on("/continued");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    const continuedDone = await delivery(ids.get(continued)!);
    expect(continuedDone.attempts.map((a: { trigger: string; number: number }) => `${a.trigger}#${a.number}`)).toEqual(["scheduled#2", "scheduled#1"]);
    expect((await delivery(failedOne)).attempts[0]).toMatchObject({ trigger: "manual", number: 4, succeeded: true });

    // A hand-over repeated (a crash between Inngest accepting it and its row's delete) starts nothing twice.
    await db.outboxMessage.create({
      data: {
        id: publish.json.id,
        accountId: account.accountId,
        name: "webhooks/event.deliveries-due",
        data: { event_id: publish.json.id, account_id: account.accountId, deliveries: [{ delivery_id: ids.get(published)!, endpoint_id: published }] },
        createdAt: new Date(0),
      },
    });
    expect(await dispatchStragglers({ graceMs: 0 })).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.on("/published")).toHaveLength(1);
  }, 60_000);
});
