// The heart of the product, end to end: publish → fan-out → signed delivery on the schedule →
// history, with the real SDK, the embedded engine, PostgreSQL and receivers on 127.0.0.1.
// vitest.config.ts sets WEBHOOK_RETRY_SCHEDULE=0,1s,1s (three attempts).
import "./engine-env";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as events from "@/app/api/v1/events/route";
import * as eventItem from "@/app/api/v1/events/[eventId]/route";
import * as deliveryItem from "@/app/api/v1/deliveries/[deliveryId]/route";
import * as deliveryRetry from "@/app/api/v1/deliveries/[deliveryId]/retry/route";
import * as endpointDeliveries from "@/app/api/v1/webhooks/[endpointId]/deliveries/route";
import * as endpointTest from "@/app/api/v1/webhooks/[endpointId]/test/route";
import * as retryFailed from "@/app/api/v1/webhooks/[endpointId]/retry-failed/route";
import { db } from "@/lib/db";
import { scheduleContinued } from "@/inngest/events";
import { deliveriesDueMessage, dispatchStragglers } from "@/lib/deliveries/outbox";
import { getEventType } from "@/lib/webhooks/event-types";
import { encryptSigningSecret, generateSigningSecret } from "@/lib/webhooks/secrets";
import { newId } from "@/lib/ids";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";
import { startReceiver, startStack, verifiesWith, waitFor, type Stack } from "./stack";

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let account: TestAccount;
let other: TestAccount;
const failUntil = new Map<string, number>(); // path → succeed from this request on

beforeAll(async () => {
  stack = await startStack("engine_deliveries");
  receiver = await startReceiver((req, nth) => (nth >= (failUntil.get(req.path) ?? 1) ? 200 : 500));
  [account, other] = await Promise.all([createTestAccount("Deliveries"), createTestAccount("Other")]);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

async function endpoint(
  acc: TestAccount,
  path: string,
  options: {
    types?: string[];
    environment?: "production" | "staging" | "development";
    status?: "active" | "disabled";
    standardWebhooks?: boolean;
    /** Another receiver than the shared one. */
    base?: string;
  } = {},
) {
  const id = newId("we");
  const secret = generateSigningSecret();
  await db.webhookEndpoint.create({
    data: {
      id,
      accountId: acc.accountId,
      url: (options.base ?? receiver.base) + path,
      environment: options.environment ?? "production",
      eventTypes: options.types ?? ["alert.critical"],
      status: options.status ?? "active",
      standardWebhooks: options.standardWebhooks ?? false,
      secretEncrypted: encryptSigningSecret(id, secret),
    },
  });
  return { id, secret, path };
}

const sample = (type: string) => getEventType(type)!.sample;

/** The delivery of a publish result that went to this endpoint. */
function deliveryTo(res: { json: { deliveries: { id: string; endpoint_id: string }[] } }, ep: { id: string }): string {
  const found = res.json.deliveries.find((d) => d.endpoint_id === ep.id);
  if (!found) throw new Error(`no delivery to ${ep.id}`);
  return found.id;
}

async function publish(acc: TestAccount, body: Record<string, unknown>) {
  return call(events.POST, { method: "POST", headers: bearer(acc.keys.admin), body });
}

async function delivery(acc: TestAccount, id: string) {
  return (await call(deliveryItem.GET, { headers: bearer(acc.keys.admin), params: { deliveryId: id } })).json;
}

async function settled(acc: TestAccount, id: string, timeoutMs = 20_000) {
  let last: { status: string } | undefined;
  await waitFor(async () => {
    last = await delivery(acc, id);
    return last!.status === "succeeded" || last!.status === "failed" || last!.status === "cancelled";
  }, timeoutMs, `delivery ${id} to settle`);
  return delivery(acc, id);
}

describe("publishing and fan-out", () => {
  it("delivers to every active endpoint subscribed to the type in the environment, signed as documented", async () => {
    const a = await endpoint(account, "/fanout/a");
    const b = await endpoint(account, "/fanout/b", { types: ["alert.critical", "backup.failed"] });
    await endpoint(account, "/fanout/wrong-type", { types: ["backup.failed"] });
    await endpoint(account, "/fanout/staging", { environment: "staging" });
    const disabled = await endpoint(account, "/fanout/disabled", { status: "disabled" });
    await endpoint(other, "/fanout/other-account");

    const res = await publish(account, { type: "alert.critical", data: sample("alert.critical") });
    expect(res.status).toBe(202);
    expect(res.json.id).toMatch(/^evt_/);
    expect(res.json.deliveries.map((d: { endpoint_id: string }) => d.endpoint_id).sort()).toEqual([a.id, b.id].sort());

    for (const d of res.json.deliveries) expect((await settled(account, d.id)).status).toBe("succeeded");
    expect(receiver.on("/fanout/wrong-type")).toHaveLength(0);
    expect(receiver.on("/fanout/staging")).toHaveLength(0);
    expect(receiver.on("/fanout/disabled")).toHaveLength(0);
    expect(receiver.on("/fanout/other-account")).toHaveLength(0);

    for (const { path, secret } of [a, b]) {
      const [req] = receiver.on(path);
      expect(verifiesWith(secret, req)).toBe(true);
      expect(verifiesWith("whsec_wrong", req)).toBe(false);
      expect(req.headers["content-type"]).toBe("application/json");
      expect(req.headers["user-agent"]).toMatch(/^DB24x7-Webhooks\//);
      expect(req.headers["x-db24x7-event-id"]).toBe(res.json.id);
      expect(req.headers["x-db24x7-delivery-id"]).toMatch(/^att_/);
      expect(Math.abs(Number(req.headers["x-db24x7-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
      const payload = JSON.parse(req.body);
      expect(Object.keys(payload)).toEqual(["id", "type", "created_at", "data", "account_id", "environment"]);
      expect(payload).toMatchObject({ id: res.json.id, type: "alert.critical", account_id: account.accountId, environment: "production", data: sample("alert.critical") });
      expect(payload.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(JSON.stringify(payload)).toBe(req.body);
    }

    const shown = await call(eventItem.GET, { headers: bearer(account.keys.viewer), params: { eventId: res.json.id } });
    expect(shown.status).toBe(200);
    // The disabled endpoint's delivery is kept, skipped, for a recovery or re-enabling to send.
    const listed = shown.json.deliveries as Array<{ endpoint_id: string; status: string }>;
    expect(listed.map((d) => `${d.endpoint_id}:${d.status}`).sort()).toEqual(
      [`${a.id}:succeeded`, `${b.id}:succeeded`, `${disabled.id}:skipped`].sort(),
    );
    expect(shown.json.data).toEqual(sample("alert.critical"));
  });

  it("answers a repeated producer id with the first result and delivers nothing again", async () => {
    const ep = await endpoint(account, "/idempotent", { types: ["backup.completed"] });
    const body = { type: "backup.completed", data: sample("backup.completed"), id: `producer-${Date.now()}` };
    const [first, second] = await Promise.all([publish(account, body), publish(account, body)]);
    const third = await publish(account, body);
    expect(first.status).toBe(202);
    const ids = [first, second, third].map((r) => r.json.id);
    expect(new Set(ids).size, JSON.stringify([first, second, third].map((r) => [r.status, r.json]))).toBe(1);
    expect(third.json.duplicate).toBe(true);
    expect([...third.json.deliveries].sort()).toEqual([...first.json.deliveries].sort());
    await settled(account, deliveryTo(first, ep));
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.on("/idempotent")).toHaveLength(1);
    // Another account may use the same producer id for its own event.
    const theirs = await publish(other, body);
    expect(theirs.json.id).not.toBe(first.json.id);
  });

  it("refuses bad events with the error shape and stores nothing", async () => {
    const before = await db.event.count({ where: { accountId: account.accountId } });
    const unknown = await publish(account, { type: "alert.unknown", data: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("unknown_event_type");
    const invalid = await publish(account, { type: "alert.critical", data: { severity: 42 } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe("invalid_event_data");
    const huge = await publish(account, { type: "alert.critical", data: { ...sample("alert.critical"), message: "x".repeat(300 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe("payload_too_large");
    const viewer = await call(events.POST, { method: "POST", headers: bearer(account.keys.viewer), body: { type: "alert.critical", data: sample("alert.critical") } });
    expect(viewer.status).toBe(403);
    expect(await db.event.count({ where: { accountId: account.accountId } })).toBe(before);
  });
});

describe("the retry schedule", () => {
  it("retries a failing endpoint until it answers 2xx, recording every attempt", async () => {
    const ep = await endpoint(account, "/flaky", { types: ["maintenance.started"] });
    failUntil.set("/flaky", 3);
    const res = await publish(account, { type: "maintenance.started", data: sample("maintenance.started") });
    const done = await settled(account, deliveryTo(res, ep));
    expect(done.status).toBe("succeeded");
    expect(done.attempt_count).toBe(3);
    expect(done.attempts.map((a: { number: number }) => a.number)).toEqual([3, 2, 1]);
    expect(done.attempts.map((a: { succeeded: boolean }) => a.succeeded)).toEqual([true, false, false]);
    expect(done.attempts[2]).toMatchObject({ trigger: "scheduled", response: { status: 500 }, error: { class: "http_status" } });
    expect(done.attempts[0].request.body).toBe(receiver.on("/flaky")[2].body);
    const got = receiver.on("/flaky");
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers["x-db24x7-event-id"])).size).toBe(1);
    expect(new Set(got.map((r) => r.headers["x-db24x7-delivery-id"])).size).toBe(3);
    expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(900); // the schedule's 1 s wait
    expect(got.every((r) => verifiesWith(ep.secret, r))).toBe(true);
  });

  it("fails a delivery after exactly the scheduled attempts, then retries it by hand", async () => {
    const ep = await endpoint(account, "/down", { types: ["backup.failed"] });
    failUntil.set("/down", 100);
    const res = await publish(account, { type: "backup.failed", data: sample("backup.failed") });
    const id = deliveryTo(res, ep);
    const done = await settled(account, id);
    expect(done).toMatchObject({ status: "failed", attempt_count: 3, next_attempt_at: null, max_attempts: 3 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.on("/down")).toHaveLength(3);

    failUntil.set("/down", 4);
    const retried = await call(deliveryRetry.POST, { method: "POST", headers: { ...bearer(account.keys.admin) }, params: { deliveryId: id } });
    // Answered at once, queued; the attempt follows.
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ status: "retrying", attempt_count: 3, completed_at: null });
    const done2 = await settled(account, id);
    expect(done2).toMatchObject({ status: "succeeded", attempt_count: 4 });
    expect(done2.attempts[0]).toMatchObject({ number: 4, trigger: "manual", succeeded: true });
    const again = await call(deliveryRetry.POST, { method: "POST", headers: bearer(account.keys.admin), params: { deliveryId: id } });
    expect(again.status).toBe(409);
  });

  it("stops pending retries when the endpoint is disabled", async () => {
    const ep = await endpoint(account, "/disabled-later", { types: ["alert.warning"] });
    failUntil.set("/disabled-later", 100);
    const res = await publish(account, { type: "alert.warning", data: sample("alert.warning") });
    const id = deliveryTo(res, ep);
    await waitFor(async () => (await delivery(account, id)).status === "retrying", 10_000, "the first failure");
    await db.webhookEndpoint.update({ where: { id: ep.id }, data: { status: "disabled" } });
    const done = await settled(account, id);
    expect(done.status).toBe("cancelled");
    expect(receiver.on("/disabled-later")).toHaveLength(1);
  });

  it("retries every failed delivery since a time", async () => {
    const ep = await endpoint(account, "/bulk", { types: ["alert.resolved"] });
    failUntil.set("/bulk", 100);
    const since = new Date(Date.now() - 1000).toISOString();
    const published = await Promise.all([1, 2].map(() => publish(account, { type: "alert.resolved", data: sample("alert.resolved") })));
    const ids = published.map((p) => deliveryTo(p, ep));
    for (const id of ids) expect((await settled(account, id)).status).toBe("failed");
    failUntil.set("/bulk", 0);
    const res = await call(retryFailed.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId: ep.id }, body: { since } });
    expect(res.status).toBe(202);
    expect(res.json.retried).toBe(2);
    for (const id of ids) expect((await settled(account, id)).status).toBe("succeeded");
    const list = await call(endpointDeliveries.GET, { headers: bearer(account.keys.viewer), params: { endpointId: ep.id }, path: `/api/v1/webhooks/${ep.id}/deliveries?status=succeeded` });
    expect(list.json.data.map((d: { id: string }) => d.id).sort()).toEqual([...ids].sort());
  });

  it("fails a replayed delivery again when the endpoint still fails, and replays stopped ones", async () => {
    const ep = await endpoint(account, "/still-down", { types: ["alert.resolved"] });
    failUntil.set("/still-down", 100);
    const since = new Date(Date.now() - 1000).toISOString();
    const res = await publish(account, { type: "alert.resolved", data: sample("alert.resolved") });
    const id = deliveryTo(res, ep);
    expect((await settled(account, id)).status).toBe("failed");
    const retried = await call(retryFailed.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId: ep.id }, body: { since } });
    expect(retried.json.retried).toBe(1);
    await waitFor(async () => (await delivery(account, id)).attempt_count === 4, 10_000, "the replayed attempt");
    expect(await settled(account, id)).toMatchObject({ status: "failed", attempt_count: 4, next_attempt_at: null });
    // A delivery stopped by disabling the endpoint is replayed too.
    await db.delivery.update({ where: { id }, data: { status: "cancelled" } });
    failUntil.set("/still-down", 0);
    const again = await call(retryFailed.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId: ep.id }, body: { since } });
    expect(again.json.retried).toBe(1);
    await waitFor(async () => (await delivery(account, id)).status === "succeeded", 10_000, "the replay of a stopped delivery");
  });

  it("disables an endpoint whose attempts have all failed for the configured time", async () => {
    const ep = await endpoint(account, "/failing-for-days", { types: ["database.connection_failed"] });
    failUntil.set("/failing-for-days", 100);
    await db.webhookEndpoint.update({
      where: { id: ep.id },
      data: { failingSince: new Date(Date.now() - 6 * 86_400_000), failureStreak: 30, recentFailures: 0xfffff },
    });
    const res = await publish(account, { type: "database.connection_failed", data: sample("database.connection_failed") });
    await waitFor(async () => (await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } })).status === "disabled", 10_000, "auto-disable");
    const saved = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } });
    expect(saved.disabledReason).toBe("failing");
    const audit = await db.auditLogEntry.findFirst({ where: { targetId: ep.id, action: "webhook_endpoint.auto_disabled" } });
    expect(audit?.actorType).toBe("system");
    expect((await settled(account, deliveryTo(res, ep))).status).toBe("cancelled");
  });
});

describe("batched first attempts", () => {
  const runsOf = async (fn: string) => {
    const runs = await fetch(`${stack.engine.url}/v1/runs?limit=1000`).then((r) => r.json() as Promise<{ data: { fn_id: string }[] }>);
    return runs.data.filter((r) => r.fn_id.endsWith(fn)).length;
  };

  it("makes the first attempts of many deliveries in one run, each recorded on its own", async () => {
    const a = await endpoint(account, "/batch-a", { types: ["backup.completed"] });
    const b = await endpoint(account, "/batch-b", { types: ["backup.completed"] });
    const before = await runsOf("deliver-first-attempts");
    const published = await Promise.all(
      Array.from({ length: 20 }, () => publish(account, { type: "backup.completed", data: sample("backup.completed") })),
    );
    const ids = published.flatMap((res) => [deliveryTo(res, a), deliveryTo(res, b)]);
    for (const id of ids) expect(await settled(account, id)).toMatchObject({ status: "succeeded", attempt_count: 1 });
    const runs = (await runsOf("deliver-first-attempts")) - before;
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(ids.length / 2);
    for (const ep of [a, b]) {
      const got = receiver.on(ep.path);
      expect(got).toHaveLength(20);
      expect(got.every((r) => verifiesWith(ep.secret, r))).toBe(true);
      expect(new Set(got.map((r) => r.headers["x-db24x7-delivery-id"])).size).toBe(20);
    }
    const attempts = await db.deliveryAttempt.findMany({ where: { deliveryId: { in: ids } } });
    expect(attempts).toHaveLength(ids.length);
    expect(attempts.every((x) => x.number === 1 && x.trigger === "scheduled" && x.succeeded)).toBe(true);
  });

  it("keeps first attempts to an endpoint already failing out of the batch, in runs of their own", async () => {
    const own = await createTestAccount("Batch and failing");
    const healthy = await endpoint(own, "/batch-healthy", { types: ["maintenance.started"] });
    const failing = await endpoint(own, "/batch-failing", { types: ["maintenance.started"] });
    await db.webhookEndpoint.update({ where: { id: failing.id }, data: { failingSince: new Date(Date.now() - 60_000) } });
    const res = await publish(own, { type: "maintenance.started", data: sample("maintenance.started") });
    for (const ep of [healthy, failing]) {
      expect(await settled(own, deliveryTo(res, ep))).toMatchObject({ status: "succeeded", attempt_count: 1 });
      expect(receiver.on(ep.path)).toHaveLength(1);
    }
    const ownRuns = (id: string) =>
      db.$queryRawUnsafe<unknown[]>(
        `SELECT 1 FROM engine_deliveries.runs WHERE fn_id LIKE '%deliver-webhook' AND event->'data'->>'delivery_id' = $1`,
        id,
      );
    expect(await ownRuns(deliveryTo(res, failing))).toHaveLength(1);
    expect(await ownRuns(deliveryTo(res, healthy))).toHaveLength(0);
    // Its success ends the endpoint's failing streak.
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: failing.id } })).failingSince).toBeNull();
  });

  it("hands first attempts its time budget did not reach to runs of their own", async () => {
    // Answers after 1.2 s: a batch (budget 1 s in tests, 2 requests per endpoint at once)
    // starts two attempts, and the rest go on in deliver-webhook runs.
    const slow = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.writeHead(200).end("ok"), 1200));
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    try {
      const { id } = await endpoint(account, "/slow", {
        types: ["maintenance.completed"],
        base: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      });
      const before = await runsOf("deliver-webhook");
      const published = await Promise.all(
        Array.from({ length: 8 }, () => publish(account, { type: "maintenance.completed", data: sample("maintenance.completed") })),
      );
      for (const res of published) {
        expect(await settled(account, deliveryTo(res, { id }), 30_000)).toMatchObject({ status: "succeeded", attempt_count: 1 });
      }
      expect((await runsOf("deliver-webhook")) - before).toBeGreaterThan(0);
    } finally {
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });
});

describe("our own faults", () => {
  it("resumes a delivery whose run failed on our side, so it is never left pending", async () => {
    const ep = await endpoint(account, "/resumed", { types: ["optimization.suggested"] });
    const saved = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } });
    // A fault of ours on every try: the secret cannot be decrypted, so the attempt step throws.
    await db.webhookEndpoint.update({ where: { id: ep.id }, data: { secretEncrypted: "v1:broken" } });
    const res = await publish(account, { type: "optimization.suggested", data: sample("optimization.suggested") });
    const id = deliveryTo(res, ep);
    const failedRuns = async () => {
      const runs = await fetch(`${stack.engine.url}/v1/runs?limit=500`).then((r) => r.json() as Promise<{ data: { fn_id: string; status: string }[] }>);
      return runs.data.filter((r) => r.fn_id.endsWith("deliver-webhook") && r.status === "Failed").length;
    };
    const before = await failedRuns();
    await waitFor(async () => (await failedRuns()) > before, 30_000, "the run to exhaust its retries");
    expect((await delivery(account, id)).status).toBe("pending");
    await db.webhookEndpoint.update({ where: { id: ep.id }, data: { secretEncrypted: saved.secretEncrypted } });
    const done = await settled(account, id, 30_000);
    expect(done).toMatchObject({ status: "succeeded", attempt_count: 1 });
    expect(receiver.on("/resumed")).toHaveLength(1);
  });

  it("goes on with the schedule when a first attempt's step runs again after the attempt was recorded", async () => {
    // What a crash between recording the attempt and saving the step's result leaves: the
    // delivery is retrying after one failed attempt, and its run starts that step again.
    const ep = await endpoint(account, "/attempted-before-crash", { types: ["maintenance.completed"] });
    const eventId = newId("evt");
    const deliveryId = newId("dlv");
    await db.event.create({ data: { id: eventId, accountId: account.accountId, type: "maintenance.completed", environment: "production", body: JSON.stringify({ id: eventId }) } });
    await db.delivery.create({
      data: {
        id: deliveryId, accountId: account.accountId, eventId, endpointId: ep.id, eventType: "maintenance.completed",
        status: "retrying", attemptCount: 1, scheduledAttempts: 1, lastStatusCode: 503, nextAttemptAt: new Date(Date.now() + 1000),
        attempts: { create: { id: newId("att"), accountId: account.accountId, number: 1, trigger: "scheduled", requestUrl: receiver.base + ep.path, requestHeaders: {}, responseStatus: 503, durationMs: 5, errorClass: "http_status", succeeded: false } },
      },
    });
    // A run of its own from the first attempt, as for an endpoint already failing.
    const { inngest } = await import("@/inngest/client");
    await inngest.send(
      scheduleContinued.create({ delivery_id: deliveryId, endpoint_id: ep.id, account_id: account.accountId, attempt: 0 }, { id: `${deliveryId}:continue` }),
    );
    expect(await settled(account, deliveryId)).toMatchObject({ status: "succeeded", attempt_count: 2 });
    expect(receiver.on("/attempted-before-crash")).toHaveLength(1);
  });
});

describe("test events, history and the sweep", () => {
  it("sends a test event once, signed: answered at once, queued, then attempted", async () => {
    const ep = await endpoint(account, "/test-event", { types: ["alert.critical"] });
    const res = await call(endpointTest.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId: ep.id }, body: { event_type: "optimization.completed" } });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "pending", is_test: true, attempt_count: 0, event_type: "optimization.completed", attempts: [] });
    const done = await settled(account, res.json.id);
    expect(done).toMatchObject({ status: "succeeded", attempt_count: 1 });
    expect(done.attempts[0]).toMatchObject({ trigger: "test", response: { status: 200 } });
    const [req] = receiver.on("/test-event");
    expect(verifiesWith(ep.secret, req)).toBe(true);
    expect(JSON.parse(req.body).data).toEqual(sample("optimization.completed"));
    const viewer = await call(endpointTest.POST, { method: "POST", headers: bearer(account.keys.viewer), params: { endpointId: ep.id }, body: { event_type: "alert.critical" } });
    expect(viewer.status).toBe(403);
    const foreign = await call(endpointTest.POST, { method: "POST", headers: bearer(other.keys.admin), params: { endpointId: ep.id }, body: { event_type: "alert.critical" } });
    expect(foreign.status).toBe(404);
  });

  it("lists history newest first with filters and a cursor, and hides other accounts'", async () => {
    const ep = await endpoint(account, "/history", { types: ["alert.critical", "alert.warning"] });
    const published = [];
    for (const type of ["alert.critical", "alert.warning", "alert.critical"]) {
      published.push(await publish(account, { type, data: sample(type) }));
    }
    for (const p of published) await settled(account, deliveryTo(p, ep));
    const path = (q: string) => `/api/v1/webhooks/${ep.id}/deliveries?${q}`;
    const get = (q: string) => call(endpointDeliveries.GET, { headers: bearer(account.keys.viewer), params: { endpointId: ep.id }, path: path(q) });
    const mine = published.map((p) => deliveryTo(p, ep));
    const page1 = await get("limit=2");
    expect(page1.json.data.map((d: { id: string }) => d.id)).toEqual([mine[2], mine[1]]);
    const page2 = await get(`limit=2&cursor=${page1.json.next_cursor}`);
    expect(page2.json.data.map((d: { id: string }) => d.id)).toEqual([mine[0]]);
    expect(page2.json.next_cursor).toBeNull();
    expect((await get("event_type=alert.warning")).json.data).toHaveLength(1);
    expect((await get(`event_id=${published[0].json.id}`)).json.data.map((d: { id: string }) => d.id)).toEqual([mine[0]]);
    expect((await get("status=failed")).json.data).toHaveLength(0);
    const foreign = await call(endpointDeliveries.GET, { headers: bearer(other.keys.admin), params: { endpointId: ep.id }, path: path("") });
    expect(foreign.status).toBe(404);
    const foreignDelivery = await call(deliveryItem.GET, { headers: bearer(other.keys.admin), params: { deliveryId: mine[0] } });
    expect(foreignDelivery.status).toBe(404);
  });

  it("hands over deliveries that were stored but never dispatched", async () => {
    // What a crash between storing an event and handing it over leaves: its hand-over in the outbox.
    const ep = await endpoint(account, "/sweep", { types: ["maintenance.completed"] });
    const other = await endpoint(account, "/sweep-other", { types: ["maintenance.completed"] });
    const eventId = newId("evt");
    const createdAt = new Date(Date.now() - 60_000);
    const deliveries = [ep, other].map((e) => ({ id: newId("dlv"), endpointId: e.id }));
    const due = (id: string, list: typeof deliveries) =>
      deliveriesDueMessage({ event_id: id, account_id: account.accountId, deliveries: list.map((d) => ({ delivery_id: d.id, endpoint_id: d.endpointId })) });
    const stored = due(eventId, deliveries);
    await db.event.create({
      data: {
        id: eventId, accountId: account.accountId, type: "maintenance.completed", environment: "production", body: JSON.stringify({ id: eventId }),
        deliveries: { create: deliveries.map((d) => ({ ...d, accountId: account.accountId, eventType: "maintenance.completed", createdAt })) },
      },
    });
    await db.outboxMessage.create({ data: { id: stored.id, accountId: account.accountId, name: stored.name, data: stored.data, createdAt } });
    // Written a moment ago: not the sweep's yet (its publish may still be handing it over).
    const recent = newId("evt");
    const recentDeliveries = [{ id: newId("dlv"), endpointId: ep.id }];
    await db.event.create({ data: { id: recent, accountId: account.accountId, type: "maintenance.completed", environment: "production", body: "{}" } });
    const pendingHandOver = due(recent, recentDeliveries);
    await db.outboxMessage.create({ data: { id: pendingHandOver.id, accountId: account.accountId, name: pendingHandOver.name, data: pendingHandOver.data, createdAt: new Date() } });
    expect(await dispatchStragglers()).toBeGreaterThanOrEqual(1);
    for (const e of [ep, other]) {
      const { id: deliveryId } = await db.delivery.findFirstOrThrow({ where: { eventId, endpointId: e.id } });
      expect((await settled(account, deliveryId)).status).toBe("succeeded");
    }
    expect(receiver.on("/sweep")).toHaveLength(1);
    expect(receiver.on("/sweep-other")).toHaveLength(1);
    expect(await db.outboxMessage.findMany({ where: { id: { in: [eventId, recent] } }, select: { id: true } })).toEqual([{ id: recent }]);
    // A second sweep finds nothing left to hand over for it.
    await dispatchStragglers();
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.on("/sweep")).toHaveLength(1);
  });
});
