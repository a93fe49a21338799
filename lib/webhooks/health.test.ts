import { describe, expect, it } from "vitest";
import { endpointHealth, RECENT_MASK, type HealthColumns } from "./health";

const settings = { failingAfter: 5, autoDisableAfterMs: 5 * 86_400_000 };
const active: HealthColumns = { status: "active", disabledReason: null, disabledAt: null, failureStreak: 0, failingSince: null, recentFailures: 0 };
const since = new Date("2026-12-01T10:00:00Z");

describe("endpointHealth", () => {
  it("is healthy with no failed attempt among the recent ones", () => {
    expect(endpointHealth(active, settings)).toMatchObject({ state: "healthy", since: null, recentFailures: 0, disablesAt: null });
  });

  it("is degraded with some failures, and counts them", () => {
    const health = endpointHealth({ ...active, recentFailures: 0b1011, failureStreak: 2, failingSince: since }, settings);
    expect(health).toMatchObject({ state: "degraded", recentFailures: 3, consecutiveFailures: 2, disablesAt: null });
  });

  it("is failing once the last failingAfter attempts all failed, and says when it will be disabled", () => {
    const health = endpointHealth({ ...active, recentFailures: 0b11111, failureStreak: 5, failingSince: since }, settings);
    expect(health.state).toBe("failing");
    expect(health.since).toEqual(since);
    expect(health.disablesAt).toEqual(new Date("2026-12-06T10:00:00Z"));
    expect(endpointHealth({ ...active, recentFailures: 0b1111, failureStreak: 4, failingSince: since }, settings).state).toBe("degraded");
  });

  it("counts only the recent attempts' bits", () => {
    expect(endpointHealth({ ...active, recentFailures: ~RECENT_MASK }, settings).state).toBe("healthy");
  });

  it("is disabled whatever the attempts say, with why", () => {
    const disabledAt = new Date("2026-12-02T00:00:00Z");
    const health = endpointHealth({ ...active, status: "disabled", disabledReason: "failing", disabledAt, failureStreak: 9, failingSince: since }, settings);
    expect(health).toMatchObject({ state: "disabled", since: disabledAt, disabledReason: "failing", disablesAt: null });
  });
});
