// Endpoint health end to end: attempts against a real receiver on 127.0.0.1 keep the health
// columns, the hourly counts and the notices; the check-endpoint-health cron disables failing
// endpoints whose time has come (cancelling their open deliveries) and announces those near it.
// vitest.config.ts sets a short WEBHOOK_RETRY_SCHEDULE; health-env.ts sets WEBHOOK_FAILING_AFTER
// and WEBHOOK_AUTO_DISABLE_AFTER for this file.
import "./health-env";
import "./engine-env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as events from "@/app/api/v1/events/route";
import * as endpointItem from "@/app/api/v1/webhooks/[endpointId]/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { getEventType } from "@/lib/webhooks/event-types";
import { encryptSigningSecret, generateSigningSecret } from "@/lib/webhooks/secrets";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";
import { startReceiver, startStack, waitFor, type Stack } from "./stack";

const SCHEMA = "engine_health";
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let account: TestAccount;
const down = new Set<string>(); // paths answering 500

beforeAll(async () => {
  stack = await startStack(SCHEMA);
  receiver = await startReceiver((req) => (down.has(req.path) ? 500 : 200));
  account = await createTestAccount("Health");
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

async function endpoint(
  path: string,
  columns: { failureStreak?: number; recentFailures?: number; failingSince?: Date; eventTypes?: string[] } = {},
) {
  const id = newId("we");
  await db.webhookEndpoint.create({
    data: {
      id,
      accountId: account.accountId,
      url: receiver.base + path,
      eventTypes: ["backup.failed"],
      secretEncrypted: encryptSigningSecret(id, generateSigningSecret()),
      ...columns,
    },
  });
  return id;
}

const publish = () =>
  call(events.POST, { method: "POST", headers: bearer(account.keys.admin), body: { type: "backup.failed", data: getEventType("backup.failed")!.sample } });

const getEndpoint = async (id: string) => (await call(endpointItem.GET, { headers: bearer(account.keys.viewer), params: { endpointId: id } })).json;

const notices = (endpointId: string) => db.notice.findMany({ where: { accountId: account.accountId, endpointId }, orderBy: { createdAt: "asc" } });

/** A delivery waiting for its next attempt, as the schedule leaves it between attempts. */
async function openDelivery(endpointId: string, status: "pending" | "retrying") {
  const eventId = newId("evt");
  const id = newId("dlv");
  await db.event.create({ data: { id: eventId, accountId: account.accountId, type: "backup.failed", environment: "production", body: "{}" } });
  await db.delivery.create({
    data: {
      id,
      accountId: account.accountId,
      eventId,
      endpointId,
      eventType: "backup.failed",
      status,
      nextAttemptAt: status === "retrying" ? new Date(Date.now() + 3_600_000) : null,
    },
  });
  return id;
}

describe("endpoint health", () => {
  it("goes degraded then failing as attempts fail, tells once, counts attempts, and ends failing on a success", async () => {
    const id = await endpoint("/down");
    down.add("/down");
    const first = await publish();
    const firstDelivery = first.json.deliveries.find((d: { endpoint_id: string }) => d.endpoint_id === id).id;

    // After the first failed attempt the delivery is retrying, and already counts as a failure.
    await waitFor(async () => (await getEndpoint(id)).deliveries_24h.failed >= 1, 10_000, "the first failed attempt");
    const early = await getEndpoint(id);
    expect(["degraded", "failing"]).toContain(early.health.state);
    if (early.health.state === "degraded") {
      expect((await db.delivery.findUniqueOrThrow({ where: { id: firstDelivery } })).status).toBe("retrying");
      expect(early.health.diagnosis).toMatchObject({ code: "http_5xx" });
    }

    await publish();
    await waitFor(
      async () => (await db.delivery.count({ where: { endpointId: id, status: "failed" } })) === 2,
      20_000,
      "both deliveries to exhaust their schedules",
    );
    const failing = await getEndpoint(id);
    expect(failing.health).toMatchObject({
      state: "failing",
      consecutive_failures: 6,
      recent_failures: 6,
      recent_attempts_considered: 20,
      diagnosis: { code: "http_5xx", summary: expect.stringContaining("500") },
    });
    expect(new Date(failing.health.disables_at).getTime() - new Date(failing.health.since).getTime()).toBe(3_600_000);
    expect(failing.deliveries_24h).toEqual({ succeeded: 0, failed: 6, success_rate: 0 });

    const recorded = await notices(id);
    expect(recorded.filter((n) => n.kind === "endpoint_failing")).toHaveLength(1);
    expect(recorded.filter((n) => n.kind === "delivery_exhausted")).toHaveLength(2);

    down.delete("/down");
    await publish();
    await waitFor(async () => (await getEndpoint(id)).deliveries_24h.succeeded === 1, 10_000, "the successful attempt");
    const recovered = await getEndpoint(id);
    // No longer failing; the failures are still among its recent attempts.
    expect(recovered.health).toMatchObject({ state: "degraded", consecutive_failures: 0, recent_failures: 6, disables_at: null });
    expect(recovered.failing_since).toBeNull();
    expect(recovered.deliveries_24h).toEqual({ succeeded: 1, failed: 6, success_rate: 1 / 7 });
    expect((await notices(id)).filter((n) => n.kind === "endpoint_failing")).toHaveLength(1);
  });

  it("writes nothing to a healthy endpoint's row when its attempts succeed, and counts them in the hour", async () => {
    const id = await endpoint("/fine");
    // xmin changes with every write of the row.
    const version = async () => (await db.$queryRaw<{ v: string }[]>`SELECT xmin::text AS v FROM webhook_endpoints WHERE id = ${id}`)[0]!.v;
    const before = await version();
    await publish();
    await waitFor(async () => (await db.delivery.count({ where: { endpointId: id, status: "succeeded" } })) === 1, 10_000, "the success");
    expect(await version()).toBe(before);
    expect((await getEndpoint(id)).deliveries_24h).toEqual({ succeeded: 1, failed: 0, success_rate: 1 });
  });

  it("disables through the cron an endpoint failing for the configured time, cancelling its open deliveries, and warns one near it", async () => {
    // Not subscribed to what the test publishes to wake the engine: no attempt may end their runs.
    const quiet = { eventTypes: ["maintenance.completed"] };
    const due = await endpoint("/due", { ...quiet, failureStreak: 4, recentFailures: 0b1111, failingSince: new Date(Date.now() - 2 * 3_600_000) });
    const soon = await endpoint("/soon", { ...quiet, failureStreak: 3, recentFailures: 0b111, failingSince: new Date(Date.now() - 10 * 60_000) });
    const retrying = await openDelivery(due, "retrying");
    const pending = await openDelivery(due, "pending");
    const untouched = await openDelivery(soon, "retrying");

    // Make the cron's tick due now; the engine sees it at its next look at the queue.
    const pool = (await import("@/lib/db")).sqlPool();
    await pool.query(`UPDATE ${SCHEMA}.crons SET next_at = $1 WHERE fn_id LIKE '%check-endpoint-health'`, [Date.now() - 1000]);
    await publish();
    await waitFor(async () => (await db.webhookEndpoint.findUniqueOrThrow({ where: { id: due } })).status === "disabled", 20_000, "the cron to disable");

    const disabled = await getEndpoint(due);
    expect(disabled.health).toMatchObject({ state: "disabled", disabled_reason: "failing" });
    for (const deliveryId of [retrying, pending]) {
      const row = await db.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
      expect(row).toMatchObject({ status: "cancelled", nextAttemptAt: null });
      expect(row.lastError).toMatch(/endpoint was disabled/);
    }
    expect((await db.delivery.findUniqueOrThrow({ where: { id: untouched } })).status).toBe("retrying");
    expect((await notices(due)).map((n) => n.kind)).toContain("endpoint_disabled");
    const audit = await db.auditLogEntry.findFirst({ where: { targetId: due, action: "webhook_endpoint.auto_disabled" } });
    expect(audit?.actorType).toBe("system");

    await waitFor(async () => (await notices(soon)).some((n) => n.kind === "endpoint_disable_soon"), 10_000, "the disable-soon notice");
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: soon } })).status).toBe("active");
  });

  it("cancels the open deliveries of an endpoint a person disables, and records it", async () => {
    const id = await endpoint("/manual");
    const open = await openDelivery(id, "retrying");
    const res = await call(endpointItem.PATCH, {
      method: "PATCH",
      headers: bearer(account.keys.admin),
      params: { endpointId: id },
      body: { status: "disabled" },
    });
    expect(res.status).toBe(200);
    expect(res.json.health).toMatchObject({ state: "disabled", disabled_reason: "manual" });
    expect(await db.delivery.findUniqueOrThrow({ where: { id: open } })).toMatchObject({ status: "cancelled", nextAttemptAt: null });
    const [notice] = await notices(id);
    expect(notice).toMatchObject({ kind: "endpoint_disabled", data: { automatic: false } });
  });
});
