// Sign-in and API-key throttling probed over HTTP against `npm start`'s production stack, as an
// attacker would: many wrong passwords, unknown emails, forged X-Forwarded-For, and behind a
// proxy with TRUST_PROXY=1. Each test sends from a loopback address of its own.
import { randomBytes, randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THROTTLE_RULES } from "@/lib/auth/throttle";
import { db } from "@/lib/db";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { startProductionStack, type ProductionStack } from "./support/production-stack";
import { loopbackAddress, request, signIn, type SignInAnswer } from "./support/sign-in";

const PASSWORD = "correct horse battery staple";
const ACCOUNT_LIMIT = THROTTLE_RULES.sign_in_account.limit;
const ADDRESS_LIMIT = THROTTLE_RULES.sign_in_address.limit;
const KEY_LIMIT = THROTTLE_RULES.api_key_address.limit;
const FIFTEEN_MINUTES = 15 * 60;

const unknownEmail = () => `nobody-${randomBytes(6).toString("hex")}@throttle.test`;
const forgedAddress = () => `203.0.113.${randomBytes(1)[0]}`;

function expectLocked(res: SignInAnswer | { status: number; headers: Record<string, unknown>; json: any }) {
  expect(res.status).toBe(429);
  expect(res.json).toEqual({ error: { code: "too_many_attempts", message: expect.stringMatching(/try again in \d+ minutes?/i) } });
  const retryAfter = Number(res.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(FIFTEEN_MINUTES);
  return retryAfter;
}

function expectWrongPassword(res: SignInAnswer) {
  expect(res.status).toBe(401);
  expect(new URL(res.json.url).searchParams.get("error")).toBe("CredentialsSignin");
  expect(res.sessionCookie).toBeNull();
}

/** Runs `count` calls of `work`, `concurrency` at a time. */
async function inWaves<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += concurrency) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, (_, j) => work(i + j)))));
  }
  return out;
}

async function ageFailures(scope: string, key: string, seconds: number) {
  await db.$executeRaw`UPDATE auth_failures SET created_at = created_at - make_interval(secs => ${seconds}::float8) WHERE scope = ${scope} AND key = ${key}`;
}

describe("npm start, no proxy", () => {
  let stack: ProductionStack;
  let a: TestAccount;

  beforeAll(async () => {
    [stack, a] = await Promise.all([startProductionStack(), createTestAccount("Throttle")]);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("50 wrong passwords at once: 10 are checked, the rest answer 429 with Retry-After, and the right one is refused", async () => {
    const from = loopbackAddress();
    const answers = await Promise.all(Array.from({ length: 50 }, () => signIn(stack.appUrl, a.users.admin.email, "wrong password", { from })));
    const refused = answers.filter((r) => r.status === 401);
    const locked = answers.filter((r) => r.status === 429);
    expect(refused).toHaveLength(ACCOUNT_LIMIT);
    expect(locked).toHaveLength(50 - ACCOUNT_LIMIT);
    refused.forEach(expectWrongPassword);
    for (const res of locked) expect(expectLocked(res)).toBeGreaterThan(FIFTEEN_MINUTES - 30);

    const right = await signIn(stack.appUrl, a.users.admin.email, PASSWORD, { from });
    expectLocked(right);
    expect(right.sessionCookie).toBeNull();
    // From elsewhere too: the account is locked, not the address.
    expectLocked(await signIn(stack.appUrl, a.users.admin.email, PASSWORD, { from: loopbackAddress() }));

    const entries = await db.auditLogEntry.findMany({ where: { accountId: a.accountId, action: "user.sign_in_locked", targetId: a.users.admin.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorType: "system", targetType: "user", targetId: a.users.admin.id });
    expect(entries[0]!.metadata).toMatchObject({ email: a.users.admin.email, failures: ACCOUNT_LIMIT, address: from });
  });

  it("an unknown email answers exactly as a known one, and writes no audit entry", async () => {
    const from = loopbackAddress();
    const unknown = unknownEmail();
    const known = a.users.viewer.email;
    const shape = (r: SignInAnswer) => ({ status: r.status, json: r.json, retryAfter: r.headers["retry-after"] !== undefined });
    for (let i = 0; i < ACCOUNT_LIMIT + 2; i++) {
      const [k, u] = await Promise.all([signIn(stack.appUrl, known, "wrong", { from }), signIn(stack.appUrl, unknown, "wrong", { from })]);
      expect(shape(u)).toEqual(shape(k));
      if (i < ACCOUNT_LIMIT) expectWrongPassword(u);
      else expectLocked(u);
    }
    const audited = await db.auditLogEntry.findMany({ where: { action: "user.sign_in_locked" }, select: { metadata: true } });
    expect(audited.some((e) => (e.metadata as { email?: string }).email === unknown)).toBe(false);
    expect(audited.some((e) => (e.metadata as { email?: string }).email === known)).toBe(true);
  });

  it("unlocks by itself once the failures leave the 15-minute window, and a success clears them", async () => {
    const from = loopbackAddress();
    const email = a.users.owner.email;
    for (let i = 0; i < ACCOUNT_LIMIT; i++) expectWrongPassword(await signIn(stack.appUrl, email, "wrong", { from }));
    expectLocked(await signIn(stack.appUrl, email, PASSWORD, { from }));
    await ageFailures("sign_in_account", email, FIFTEEN_MINUTES - 60);
    // A minute left: Retry-After says so.
    const soon = expectLocked(await signIn(stack.appUrl, email, PASSWORD, { from }));
    expect(soon).toBeLessThanOrEqual(60);
    expect(soon).toBeGreaterThan(50);
    await ageFailures("sign_in_account", email, 61);
    const ok = await signIn(stack.appUrl, email, PASSWORD, { from });
    expect(ok.status).toBe(200);
    expect(ok.sessionCookie).toBeTruthy();
    expect(await db.authFailure.count({ where: { scope: "sign_in_account", key: email } })).toBe(0);
  });

  it("counts failures by the TCP peer: a forged X-Forwarded-For (or our own header) does not escape the address limit", async () => {
    const from = loopbackAddress();
    const forged = () => ({ "x-forwarded-for": forgedAddress(), "x-db24x7-peer-address": forgedAddress() });
    const answers = await inWaves(ADDRESS_LIMIT, 10, () => signIn(stack.appUrl, unknownEmail(), "wrong", { from, headers: forged() }));
    answers.forEach(expectWrongPassword);
    expect(await db.authFailure.count({ where: { scope: "sign_in_address", key: from } })).toBe(ADDRESS_LIMIT);
    expectLocked(await signIn(stack.appUrl, unknownEmail(), "wrong", { from, headers: forged() }));
    // The right password of an unlocked account is refused from there too, and accepted elsewhere.
    const b = await createTestAccount("Throttle elsewhere");
    expectLocked(await signIn(stack.appUrl, b.users.admin.email, PASSWORD, { from, headers: forged() }));
    expect((await signIn(stack.appUrl, b.users.admin.email, PASSWORD, { from: loopbackAddress() })).status).toBe(200);
  });

  it("API keys: 10 unknown keys from an address lock it (429, Retry-After), even for a right key; forged headers do not help", async () => {
    const from = loopbackAddress();
    const forged = () => ({ "x-forwarded-for": forgedAddress(), "x-db24x7-peer-address": forgedAddress() });
    const get = (key: string, headers: Record<string, string> = {}, address = from) =>
      request(`${stack.appUrl}/api/v1/api-keys`, { from: address, headers: { authorization: `Bearer ${key}`, ...headers } });
    for (let i = 0; i < KEY_LIMIT; i++) {
      const res = await get(`db24x7_sk_${randomBytes(16).toString("hex")}`, forged());
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("invalid_api_key");
    }
    expectLocked(await get(a.keys.admin, forged()));
    expect((await get(a.keys.admin, {}, loopbackAddress())).status).toBe(200);
  });
});

describe("npm start behind a proxy (TRUST_PROXY=1)", () => {
  let stack: ProductionStack;
  let a: TestAccount;

  beforeAll(async () => {
    [stack, a] = await Promise.all([startProductionStack({ env: { TRUST_PROXY: "1" } }), createTestAccount("Throttle proxy")]);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("counts the rightmost X-Forwarded-For hop, the one the proxy appended, not the proxy nor what the client wrote", async () => {
    const proxy = loopbackAddress();
    const client = `198.51.100.${randomInt(2, 255)}`;
    const via = (address: string) => ({ "x-forwarded-for": `${forgedAddress()}, ${address}` });
    const answers = await inWaves(ADDRESS_LIMIT, 10, () => signIn(stack.appUrl, unknownEmail(), "wrong", { from: proxy, headers: via(client) }));
    answers.forEach(expectWrongPassword);
    expect(await db.authFailure.count({ where: { scope: "sign_in_address", key: client } })).toBe(ADDRESS_LIMIT);
    expect(await db.authFailure.count({ where: { scope: "sign_in_address", key: proxy } })).toBe(0);
    expectLocked(await signIn(stack.appUrl, a.users.admin.email, PASSWORD, { from: proxy, headers: via(client) }));
    // Another client behind the same proxy is not locked out.
    const other = await signIn(stack.appUrl, a.users.admin.email, PASSWORD, { from: proxy, headers: via("198.51.100.1") });
    expect(other.status).toBe(200);
  });

  it("API keys: counted per rightmost hop", async () => {
    const proxy = loopbackAddress();
    const client = `192.0.2.${randomInt(2, 255)}`;
    const get = (key: string, address: string) =>
      request(`${stack.appUrl}/api/v1/api-keys`, { from: proxy, headers: { authorization: `Bearer ${key}`, "x-forwarded-for": `${forgedAddress()}, ${address}` } });
    for (let i = 0; i < KEY_LIMIT; i++) expect((await get(`db24x7_sk_${randomBytes(16).toString("hex")}`, client)).status).toBe(401);
    expectLocked(await get(a.keys.admin, client));
    expect((await get(a.keys.admin, "192.0.2.1")).status).toBe(200);
  });
});
