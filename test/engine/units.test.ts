// Pure pieces: durations, backoff, cron schedules, signing vectors, seeded event ids.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backoffFromEnv, createBackoff } from "../../inngest/engine/backoff";
import { parseCron } from "../../inngest/engine/cron";
import { parseDuration, retryAfterAt, sleepUntil } from "../../inngest/engine/durations";
import { eventId } from "../../inngest/engine/ids";
import { bearerMatches, hashedSigningKey, signatureHeader } from "../../inngest/engine/signing";

describe("durations", () => {
  it("reads the SDK's duration strings", () => {
    expect(parseDuration("2s")).toBe(2_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1w2d")).toBe(9 * 86_400_000);
    expect(parseDuration("nope")).toBeUndefined();
  });
  it("rounds sub-second sleeps up and reads sleepUntil dates", () => {
    expect(sleepUntil("500ms", undefined, 0)).toBe(1_000);
    expect(sleepUntil("2026-01-01T00:00:00.000Z", undefined, 0)).toBe(Date.parse("2026-01-01T00:00:00Z"));
    expect(sleepUntil("1s", "5s", 0)).toBe(5_000);
  });
  it("reads retry-after seconds and dates", () => {
    expect(retryAfterAt("3", 1_000)).toBe(4_000);
    expect(retryAfterAt("2026-01-01T00:00:00Z", 0)).toBe(Date.parse("2026-01-01T00:00:00Z"));
    expect(retryAfterAt(null, 0)).toBeUndefined();
  });
});

describe("backoff", () => {
  it("follows the server schedule plus jitter by default", () => {
    const backoff = createBackoff();
    for (let i = 0; i < 20; i++) {
      expect(backoff.delay(0)).toBeGreaterThanOrEqual(15_000);
      expect(backoff.delay(0)).toBeLessThan(45_000);
    }
    expect(backoff.delay(99)).toBeGreaterThanOrEqual(7_200_000);
  });
  it("takes a list or a scale from the environment", () => {
    const list = backoffFromEnv("1s,2s");
    expect([list.delay(0), list.delay(1), list.delay(5)]).toEqual([1_000, 2_000, 2_000]);
    const scaled = backoffFromEnv("0.001");
    expect(scaled.delay(1)).toBeGreaterThanOrEqual(30);
    expect(scaled.delay(1)).toBeLessThan(60);
  });
});

describe("cron", () => {
  const next = (expr: string, from: string) => parseCron(expr).next(new Date(from)).toISOString();
  it("computes the next tick in UTC", () => {
    expect(next("*/15 * * * *", "2026-03-01T10:07:30Z")).toBe("2026-03-01T10:15:00.000Z");
    expect(next("0 9 * * MON-FRI", "2026-03-06T10:00:00Z")).toBe("2026-03-09T09:00:00.000Z"); // Fri → Mon
    expect(next("0 0 1 * *", "2026-02-15T00:00:00Z")).toBe("2026-03-01T00:00:00.000Z");
    expect(next("@hourly", "2026-03-01T10:00:00Z")).toBe("2026-03-01T11:00:00.000Z");
    expect(next("TZ=UTC 30 2 29 2 *", "2026-01-01T00:00:00Z")).toBe("2028-02-29T02:30:00.000Z");
  });
  it("refuses what it cannot evaluate", () => {
    expect(() => parseCron("TZ=Europe/Paris 0 9 * * *")).toThrow(/time zone/);
    expect(() => parseCron("61 * * * *")).toThrow(/out of range/);
    expect(() => parseCron("* * *")).toThrow(/5 fields/);
  });
});

describe("signing", () => {
  const key = "signkey-test-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  it("signs body + t with the key minus its prefix", () => {
    const header = signatureHeader('{"a":1}', key, 1_795_724_838_000);
    const expected = createHmac("sha256", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
      .update('{"a":1}1795724838')
      .digest("hex");
    expect(header).toBe(`t=1795724838&s=${expected}`);
  });
  it("hashes the key as the SDK's bearer token (transcript vector)", () => {
    expect(hashedSigningKey(key)).toBe("signkey-test-4884fdaafea47c29fea7159d0daddd9c085d6200e1359e85bb81736af6b7c837");
    expect(bearerMatches(`Bearer ${hashedSigningKey(key)}`, key)).toBe(true);
    expect(bearerMatches("Bearer undefined", key)).toBe(false);
  });
});

describe("event ids", () => {
  it("derives stable ULIDs from the SDK's seed", () => {
    const seed = "1795724832807,pvOYKnwXafj8kw==";
    expect(eventId(seed, 0)).toBe(eventId(seed, 0));
    expect(eventId(seed, 0)).not.toBe(eventId(seed, 1));
    expect(eventId(seed, 0)).toMatch(/^01M8CRMW1/);
  });
});
