// The documented retry schedule: attempt 1 immediately, then 30 s, 5 min, 30 min, 2 h and
// 12 h after the previous failure. WEBHOOK_RETRY_SCHEDULE overrides it (read in lib/config.ts).

export const DOCUMENTED_SCHEDULE = "0,30s,5m,30m,2h,12h";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`Invalid duration "${text}" (use e.g. 0, 500ms, 30s, 5m, 2h, 1d)`);
  const value = Number(match[1]) * UNIT_MS[(match[2] ?? "ms") as keyof typeof UNIT_MS];
  return Math.round(value);
}

/** Delay in ms before each attempt; the first is always immediate. */
export function parseSchedule(text: string): number[] {
  const delays = text.split(",").map(parseDuration);
  if (delays.length < 1 || delays.length > 20) throw new Error("A retry schedule has 1 to 20 attempts");
  if (delays[0] !== 0) throw new Error("The first attempt of a retry schedule is immediate (0)");
  return delays;
}
