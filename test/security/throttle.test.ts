// The throttle against the real database (lib/auth/throttle.ts), the client address, and API-key
// authentication through the real /api/v1 wrapper. Over HTTP against `npm start`: sign-in-throttle.test.ts.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as apiKeys from "@/app/api/v1/api-keys/route";
import { clientAddress, normaliseAddress } from "@/lib/auth/client-address";
import { PEER_ADDRESS_HEADER } from "@/lib/auth/peer-address";
import { beginSignInAttempt, endSignInAttempt, THROTTLE_RULES, type SignInAttempt } from "@/lib/auth/throttle";
import { db } from "@/lib/db";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";

const uniqueEmail = () => `nobody-${randomBytes(6).toString("hex")}@throttle.test`;
const uniqueAddress = () => `10.${[...randomBytes(3)].join(".")}`;

async function fail(email: string, address: string | null = null) {
  const begun = await beginSignInAttempt({ email, address });
  if (begun.locked) return begun;
  await endSignInAttempt(begun.attempt, "failure");
  return begun;
}

/** Moves a key's failures back in time, as the clock would. */
async function age(scope: string, key: string, ms: number) {
  await db.$executeRaw`UPDATE auth_failures SET created_at = created_at - make_interval(secs => ${ms / 1000}::float8) WHERE scope = ${scope} AND key = ${key}`;
}

describe("sign-in throttle", () => {
  it("locks an account after 10 failures in 15 minutes, with the seconds until it unlocks", async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 10; i++) expect((await fail(email)).locked).toBe(false);
    const locked = await beginSignInAttempt({ email, address: null });
    expect(locked).toEqual({ locked: true, retryAfterSeconds: expect.any(Number) });
    const retryAfter = (locked as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(15 * 60 - 10);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Case and spaces do not make another account.
    expect((await beginSignInAttempt({ email: `  ${email.toUpperCase()} `, address: null })).locked).toBe(true);
  });

  it("says when the failure that keeps it locked leaves the window, and unlocks by itself", async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 10; i++) await fail(email);
    await age("sign_in_account", email, 10 * 60 * 1000);
    const locked = await beginSignInAttempt({ email, address: null });
    expect(locked.locked && locked.retryAfterSeconds).toBeGreaterThan(4 * 60);
    expect(locked.locked && locked.retryAfterSeconds).toBeLessThanOrEqual(5 * 60);
    await age("sign_in_account", email, 5 * 60 * 1000 + 1000);
    expect((await beginSignInAttempt({ email, address: null })).locked).toBe(false);
  });

  it("checks at most 10 passwords however many guesses arrive at once", async () => {
    const email = uniqueEmail();
    const begun = await Promise.all(Array.from({ length: 30 }, () => beginSignInAttempt({ email, address: null })));
    const granted = begun.filter((b): b is { locked: false; attempt: SignInAttempt } => !b.locked);
    expect(granted).toHaveLength(10);
    const ends = await Promise.all(granted.map((b) => endSignInAttempt(b.attempt, "failure")));
    // Exactly one of them started the lock (it is audited once).
    expect(ends.filter((e) => e.lockStarted)).toHaveLength(1);
  });

  it("clears an account's failures on success, and forgets attempts whose password was never checked", async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 9; i++) await fail(email);
    const unchecked = await beginSignInAttempt({ email, address: null });
    await endSignInAttempt((unchecked as { attempt: SignInAttempt }).attempt, "unchecked");
    expect(await db.authFailure.count({ where: { scope: "sign_in_account", key: email } })).toBe(9);
    const right = await beginSignInAttempt({ email, address: null });
    expect(right.locked).toBe(false);
    await endSignInAttempt((right as { attempt: SignInAttempt }).attempt, "success");
    expect(await db.authFailure.count({ where: { scope: "sign_in_account", key: email } })).toBe(0);
  });

  it("locks an address across accounts at its own, higher limit, and keeps it on another account's success", async () => {
    const address = uniqueAddress();
    const limit = THROTTLE_RULES.sign_in_address.limit;
    expect(limit).toBeGreaterThan(THROTTLE_RULES.sign_in_account.limit);
    for (let i = 0; i < limit; i++) expect((await fail(uniqueEmail(), address)).locked).toBe(false);
    expect((await beginSignInAttempt({ email: uniqueEmail(), address })).locked).toBe(true);
    expect((await beginSignInAttempt({ email: uniqueEmail(), address: uniqueAddress() })).locked).toBe(false);
  });

  it("takes limits and windows as a parameter", async () => {
    const email = uniqueEmail();
    const rules = { ...THROTTLE_RULES, sign_in_account: { limit: 2, windowMs: 60_000 } };
    for (let i = 0; i < 2; i++) {
      const begun = await beginSignInAttempt({ email, address: null }, { rules });
      await endSignInAttempt((begun as { attempt: SignInAttempt }).attempt, "failure", { rules });
    }
    expect(await beginSignInAttempt({ email, address: null }, { rules })).toMatchObject({ locked: true, retryAfterSeconds: 60 });
    expect((await beginSignInAttempt({ email, address: null }, { rules, now: Date.now() + 61_000 })).locked).toBe(false);
  });

  it("counts an email that cannot be stored as text (NUL, a lone surrogate) without failing", async () => {
    for (const email of ["admin\u0000@example.com", "admin\uD800@example.com", `${"a".repeat(10_000)}@example.com`]) {
      for (let i = 0; i < 10; i++) await fail(email);
      expect((await beginSignInAttempt({ email, address: null })).locked).toBe(true);
    }
  });
});

describe("client address", () => {
  const headers = (h: Record<string, string>) => new Headers(h);

  it("is the TCP peer, never a forged X-Forwarded-For, without TRUST_PROXY", () => {
    const h = headers({ [PEER_ADDRESS_HEADER]: "198.51.100.7", "x-forwarded-for": "203.0.113.9" });
    expect(clientAddress(h, { trustProxy: false })).toBe("198.51.100.7");
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9" }), { trustProxy: false })).toBeNull();
  });

  it("is the rightmost X-Forwarded-For hop (the one our proxy appended) with TRUST_PROXY", () => {
    const h = headers({ [PEER_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "203.0.113.9, 198.51.100.7" });
    expect(clientAddress(h, { trustProxy: true })).toBe("198.51.100.7");
    // No usable hop: the peer.
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "not an address" }), { trustProxy: true })).toBe("10.0.0.2");
  });

  it("counts IPv6 by its /64 and IPv4-mapped IPv6 as IPv4", () => {
    expect(normaliseAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normaliseAddress("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(normaliseAddress("2001:0db8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(normaliseAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(normaliseAddress("::1")).toBe("0:0:0:0::/64");
    expect(normaliseAddress("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(normaliseAddress("bogus")).toBeNull();
  });
});

describe("API-key authentication throttle", () => {
  let a: TestAccount;
  beforeAll(async () => {
    a = await createTestAccount("Key throttle");
  });

  const from = (address: string, key: string) => ({ ...bearer(key), [PEER_ADDRESS_HEADER]: address });

  it("answers 429 with Retry-After after 10 unknown keys from one address, even for a right key", async () => {
    const address = uniqueAddress();
    await db.authFailure.deleteMany({ where: { scope: "api_key_address", key: address } });
    for (let i = 0; i < 10; i++) {
      const res = await call(apiKeys.GET, { headers: from(address, `db24x7_sk_guess${i}`) });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("invalid_api_key");
    }
    const locked = await call(apiKeys.GET, { headers: from(address, a.keys.admin) });
    expect(locked.status).toBe(429);
    expect(locked.json).toEqual({ error: { code: "too_many_attempts", message: expect.stringMatching(/try again in 15 minutes/i) } });
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(15 * 60 - 10);
    // Locked answers are not failures: they do not push the unlock further away.
    expect(await db.authFailure.count({ where: { scope: "api_key_address", key: address } })).toBe(10);
    // Another address is not affected.
    expect((await call(apiKeys.GET, { headers: from(uniqueAddress(), a.keys.admin) })).status).toBe(200);
    // Unlocks by itself once the failures leave the window.
    await age("api_key_address", address, 15 * 60 * 1000);
    expect((await call(apiKeys.GET, { headers: from(address, a.keys.admin) })).status).toBe(200);
  });

  it("does not count a revoked key (a stale client is no guesser)", async () => {
    const address = uniqueAddress();
    await db.authFailure.deleteMany({ where: { scope: "api_key_address", key: address } });
    const created = await call(apiKeys.POST, { method: "POST", headers: bearer(a.keys.admin), body: { name: "to revoke" } });
    await db.apiKey.update({ where: { id: created.json.id }, data: { revokedAt: new Date() } });
    for (let i = 0; i < 12; i++) expect((await call(apiKeys.GET, { headers: from(address, created.json.key) })).status).toBe(401);
    expect(await db.authFailure.count({ where: { scope: "api_key_address", key: address } })).toBe(0);
    expect((await call(apiKeys.GET, { headers: from(address, a.keys.admin) })).status).toBe(200);
  });
});
