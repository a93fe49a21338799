import { describe, expect, it } from "vitest";
import { parseDuration, parseSchedule, retrySchedule } from "./schedule";

describe("retry schedule", () => {
  it("defaults to the documented six attempts", () => {
    expect(retrySchedule({})).toEqual([0, 30_000, 300_000, 1_800_000, 7_200_000, 43_200_000]);
  });

  it("reads WEBHOOK_RETRY_SCHEDULE", () => {
    expect(retrySchedule({ WEBHOOK_RETRY_SCHEDULE: "0,500ms,1s,2m" })).toEqual([0, 500, 1000, 120_000]);
  });

  it("refuses schedules that do not start immediately or cannot be read", () => {
    expect(() => parseSchedule("30s,1m")).toThrow(/immediate/);
    expect(() => parseSchedule("0,soon")).toThrow(/Invalid duration "soon"/);
    expect(() => parseDuration("-1s")).toThrow();
  });
});
