// The dashboard's delivery statistics against a real database: rows inserted directly, read
// back through GET /api/v1/stats/deliveries and the lib function with a fixed clock.
import { beforeAll, describe, expect, it } from "vitest";
import type { DeliveryStatus } from "@prisma/client";
import * as statsRoute from "@/app/api/v1/stats/deliveries/route";
import { db } from "@/lib/db";
import { deliveryStats, HOURS } from "@/lib/deliveries/stats";
import { newId } from "@/lib/ids";
import { createTestAccount, sessionCookie, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";

const HOUR = 3_600_000;
// A fixed clock 25 minutes into the previous hour: bucket boundaries are predictable and every
// row is in the past for the route, which reads the real clock.
const NOW = new Date((Math.floor(Date.now() / HOUR) - 1) * HOUR + 25 * 60_000);
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let a: TestAccount;
let b: TestAccount;

async function endpoint(acc: TestAccount, url: string, extra: { deletedAt?: Date; status?: "active" | "disabled" } = {}) {
  const id = newId("we");
  await db.webhookEndpoint.create({
    data: { id, accountId: acc.accountId, url, eventTypes: ["alert.critical"], secretEncrypted: "unused", ...extra },
  });
  return id;
}

async function delivery(
  acc: TestAccount,
  endpointId: string,
  status: DeliveryStatus,
  completedAt: Date | null,
  options: { isTest?: boolean; createdAt?: Date } = {},
) {
  const eventId = newId("evt");
  await db.event.create({
    data: { id: eventId, accountId: acc.accountId, type: "alert.critical", environment: "production", body: "{}", isTest: options.isTest ?? false },
  });
  await db.delivery.create({
    data: {
      id: newId("dlv"),
      accountId: acc.accountId,
      eventId,
      endpointId,
      eventType: "alert.critical",
      status,
      isTest: options.isTest ?? false,
      completedAt,
      createdAt: options.createdAt ?? completedAt ?? NOW,
    },
  });
}

let healthy: string;
let flaky: string;
let idle: string;
let deleted: string;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestAccount("Stats A"), createTestAccount("Stats B")]);
  healthy = await endpoint(a, "https://hooks.example.com/healthy");
  flaky = await endpoint(a, "https://hooks.example.com/flaky");
  idle = await endpoint(a, "https://hooks.example.com/idle", { status: "disabled" });
  deleted = await endpoint(a, "https://hooks.example.com/deleted", { deletedAt: ago(HOUR) });
  const other = await endpoint(b, "https://hooks.example.com/other-account");

  // healthy: 3 successes this hour, 1 two hours ago.
  for (let i = 0; i < 3; i++) await delivery(a, healthy, "succeeded", ago(60_000 * (i + 1)));
  await delivery(a, healthy, "succeeded", ago(2 * HOUR));
  // flaky: 1 success and 2 failures an hour ago; 1 failure settled now from an event created
  // 20 hours ago (counts when it settled).
  await delivery(a, flaky, "succeeded", ago(HOUR));
  await delivery(a, flaky, "failed", ago(HOUR));
  await delivery(a, flaky, "failed", ago(HOUR + 30 * 60_000));
  await delivery(a, flaky, "failed", ago(60_000), { createdAt: ago(20 * HOUR) });

  // None of these count.
  await delivery(a, healthy, "failed", ago(60_000), { isTest: true }); // a test delivery
  await delivery(a, healthy, "succeeded", ago(25 * HOUR)); // before the window
  await delivery(a, healthy, "retrying", null); // not settled
  await delivery(a, healthy, "pending", null);
  await delivery(a, healthy, "cancelled", ago(60_000));
  await delivery(a, deleted, "failed", ago(60_000)); // deleted endpoint
  await delivery(b, other, "failed", ago(60_000)); // another account
});

describe("delivery statistics", () => {
  it("counts settled deliveries per endpoint per hour, failing endpoints first", async () => {
    const stats = await deliveryStats(a.users.viewer.caller, NOW);
    expect(stats.totals).toEqual({ deliveries: 8, succeeded: 5, failed: 3, success_rate: 5 / 8, failing_endpoints: 1 });
    expect(stats.from).toBe(new Date(Math.floor(NOW.getTime() / HOUR) * HOUR - (HOURS - 1) * HOUR).toISOString());
    expect(stats.to).toBe(NOW.toISOString());
    expect(stats.truncated).toBe(false);

    // Failing first; an endpoint without deliveries is listed last, with no rate.
    expect(stats.endpoints.map((e) => e.id)).toEqual([flaky, healthy, idle]);
    const [f, h, i] = stats.endpoints;
    expect(f).toMatchObject({ url: "https://hooks.example.com/flaky", succeeded: 1, failed: 3, success_rate: 0.25 });
    expect(h).toMatchObject({ succeeded: 4, failed: 0, success_rate: 1 });
    expect(i).toMatchObject({ status: "disabled", succeeded: 0, failed: 0, success_rate: null });
    expect(stats.endpoints.some((e) => e.id === deleted)).toBe(false);

    for (const e of stats.endpoints) {
      expect(e.hours).toHaveLength(HOURS);
      expect(e.hours[0].hour).toBe(stats.from);
    }
    const last = HOURS - 1;
    expect(h.hours[last]).toMatchObject({ succeeded: 3, failed: 0 });
    expect(h.hours[last - 2]).toMatchObject({ succeeded: 1, failed: 0 });
    expect(f.hours[last - 1]).toMatchObject({ succeeded: 1, failed: 1 }); // exactly an hour ago
    expect(f.hours[last - 2]).toMatchObject({ succeeded: 0, failed: 1 }); // an hour and a half ago: the hour before
    expect(f.hours[last]).toMatchObject({ succeeded: 0, failed: 1 });
  });

  it("serves the account's statistics to API keys and sessions, and nothing of other accounts", async () => {
    const res = await call(statsRoute.GET, { path: "/api/v1/stats/deliveries", headers: bearer(b.keys.viewer) });
    expect(res.status).toBe(200);
    expect(res.json.endpoints.map((e: { url: string }) => e.url)).toEqual(["https://hooks.example.com/other-account"]);
    expect(res.json.totals).toMatchObject({ deliveries: 1, failed: 1, success_rate: 0, failing_endpoints: 1 });

    const cookie = await sessionCookie(a.users.viewer.id, a.users.viewer.email);
    const viaSession = await call(statsRoute.GET, { path: "/api/v1/stats/deliveries", headers: { cookie } });
    expect(viaSession.status).toBe(200);
    expect(viaSession.json.endpoints.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining([flaky, healthy, idle]));
  });

  it("refuses anonymous callers", async () => {
    const res = await call(statsRoute.GET, { path: "/api/v1/stats/deliveries" });
    expect(res.status).toBe(401);
  });

  it("answers an empty account with zeroes", async () => {
    const empty = await createTestAccount("Stats empty");
    const res = await call(statsRoute.GET, { path: "/api/v1/stats/deliveries", headers: bearer(empty.keys.admin) });
    expect(res.json).toMatchObject({
      totals: { deliveries: 0, succeeded: 0, failed: 0, success_rate: null, failing_endpoints: 0 },
      endpoints: [],
    });
  });
});
