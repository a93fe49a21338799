// The dashboard's statistics against a real database: hourly attempt counts and endpoint health
// columns written directly, read back through GET /api/v1/stats/deliveries and the lib function
// with a fixed clock. (test/deliveries/health.test.ts has the attempts themselves keep them.)
import { beforeAll, describe, expect, it } from "vitest";
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

async function endpoint(
  acc: TestAccount,
  url: string,
  extra: { deletedAt?: Date; status?: "active" | "disabled"; failureStreak?: number; recentFailures?: number; failingSince?: Date } = {},
) {
  const id = newId("we");
  await db.webhookEndpoint.create({
    data: { id, accountId: acc.accountId, url, eventTypes: ["alert.critical"], secretEncrypted: "unused", ...extra },
  });
  return id;
}

/** Attempts counted in the hour `at` falls in. */
async function attempts(acc: TestAccount, endpointId: string, at: Date, succeeded: number, failed: number) {
  const hour = new Date(Math.floor(at.getTime() / HOUR) * HOUR);
  await db.endpointAttemptHour.upsert({
    where: { endpointId_hour: { endpointId, hour } },
    create: { endpointId, accountId: acc.accountId, hour, succeeded, failed },
    update: { succeeded: { increment: succeeded }, failed: { increment: failed } },
  });
}

let healthy: string;
let flaky: string;
let idle: string;
let deleted: string;
let failing: string;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestAccount("Stats A"), createTestAccount("Stats B")]);
  healthy = await endpoint(a, "https://hooks.example.com/healthy");
  flaky = await endpoint(a, "https://hooks.example.com/flaky", { failureStreak: 1, recentFailures: 0b101, failingSince: ago(60_000) });
  idle = await endpoint(a, "https://hooks.example.com/idle", { status: "disabled" });
  deleted = await endpoint(a, "https://hooks.example.com/deleted", { deletedAt: ago(HOUR) });
  // Failing with no attempt in the window: its attempts are older, its health is what it is now.
  failing = await endpoint(a, "https://hooks.example.com/failing", { failureStreak: 6, recentFailures: 0b111111, failingSince: ago(30 * HOUR) });
  const other = await endpoint(b, "https://hooks.example.com/other-account", { failureStreak: 5, recentFailures: 0b11111, failingSince: ago(HOUR) });

  // healthy: 3 successes this hour, 1 two hours ago.
  await attempts(a, healthy, ago(60_000), 3, 0);
  await attempts(a, healthy, ago(2 * HOUR), 1, 0);
  // flaky: 1 success and 1 failure an hour ago, 1 failure the hour before, 1 failure now (a
  // delivery still retrying: its failed attempt counts at once).
  await attempts(a, flaky, ago(HOUR), 1, 1);
  await attempts(a, flaky, ago(HOUR + 30 * 60_000), 0, 1);
  await attempts(a, flaky, ago(60_000), 0, 1);

  // None of these count.
  await attempts(a, healthy, ago(25 * HOUR), 1, 0); // before the window
  await attempts(a, failing, ago(30 * HOUR), 0, 6);
  await attempts(a, deleted, ago(60_000), 0, 1); // deleted endpoint
  await attempts(b, other, ago(60_000), 0, 1); // another account
});

describe("delivery statistics", () => {
  it("counts attempts per endpoint per hour, endpoints by health, failing endpoints first", async () => {
    const stats = await deliveryStats(a.users.viewer.caller, NOW);
    expect(stats.totals).toEqual({
      attempts: 8,
      deliveries: 8,
      succeeded: 5,
      failed: 3,
      success_rate: 5 / 8,
      endpoints: 4,
      failing_endpoints: 1,
      degraded_endpoints: 1,
      disabled_endpoints: 1,
    });
    expect(stats.from).toBe(new Date(Math.floor(NOW.getTime() / HOUR) * HOUR - (HOURS - 1) * HOUR).toISOString());
    expect(stats.to).toBe(NOW.toISOString());
    expect(stats.truncated).toBe(false);

    // Failing first, then degraded, disabled, healthy.
    expect(stats.endpoints.map((e) => e.id)).toEqual([failing, flaky, idle, healthy]);
    const [x, f, i, h] = stats.endpoints;
    expect(x).toMatchObject({ succeeded: 0, failed: 0, success_rate: null, health: { state: "failing", consecutive_failures: 6 } });
    expect(x.health.disables_at).toBe(new Date(ago(30 * HOUR).getTime() + 5 * 86_400_000).toISOString());
    expect(f).toMatchObject({ url: "https://hooks.example.com/flaky", succeeded: 1, failed: 3, success_rate: 0.25 });
    expect(f.health).toMatchObject({ state: "degraded", recent_failures: 2, consecutive_failures: 1, disables_at: null });
    expect(h).toMatchObject({ succeeded: 4, failed: 0, success_rate: 1, health: { state: "healthy" } });
    expect(i).toMatchObject({ status: "disabled", succeeded: 0, failed: 0, success_rate: null, health: { state: "disabled" } });
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
    expect(res.json.totals).toMatchObject({ attempts: 1, failed: 1, success_rate: 0, endpoints: 1, failing_endpoints: 1 });

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
      totals: { attempts: 0, succeeded: 0, failed: 0, success_rate: null, endpoints: 0, failing_endpoints: 0 },
      endpoints: [],
    });
  });
});
