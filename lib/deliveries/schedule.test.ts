import { describe, expect, it } from "vitest";
import { DOCUMENTED_SCHEDULE, parseDuration, parseSchedule } from "./schedule";

describe("retry schedule", () => {
  it("documents six attempts", () => {
    expect(parseSchedule(DOCUMENTED_SCHEDULE)).toEqual([0, 30_000, 300_000, 1_800_000, 7_200_000, 43_200_000]);
  });

  it("reads delays in any unit", () => {
    expect(parseSchedule("0,500ms,1s,2m")).toEqual([0, 500, 1000, 120_000]);
  });

  it("refuses schedules that do not start immediately or cannot be read", () => {
    expect(() => parseSchedule("30s,1m")).toThrow(/immediate/);
    expect(() => parseSchedule("0,soon")).toThrow(/Invalid duration "soon"/);
    expect(() => parseDuration("-1s")).toThrow();
  });
});
