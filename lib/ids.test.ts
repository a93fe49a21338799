import { describe, expect, it } from "vitest";
import { newId, randomBase62 } from "./ids";

describe("newId", () => {
  it("makes prefixed ids of 22 base62 characters, all different, well past one refill of the pool", () => {
    const ids = Array.from({ length: 10_000 }, () => newId("dlv"));
    for (const id of ids) expect(id).toMatch(/^dlv_[0-9A-Za-z]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("uses every character about equally often (no modulo bias)", () => {
    const counts = new Map<string, number>();
    for (const char of randomBase62(220_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Mean 3,548 and standard deviation ~59: ±10 % is six deviations, while a plain `byte % 62`
    // would make the first eight characters 25 % more frequent.
    const mean = 220_000 / 62;
    for (const n of counts.values()) expect(Math.abs(n - mean) / mean).toBeLessThan(0.1);
  });
});
