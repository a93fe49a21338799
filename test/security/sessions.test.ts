// Sessions end server-side: sign-out, a password change, a role change and removal from the
// account end them at once, for the API and the dashboard alike. Route handlers are called
// directly first; then the real thing over HTTP against `npm start`'s production stack.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import * as apiKeys from "@/app/api/v1/api-keys/route";
import * as webhooks from "@/app/api/v1/webhooks/route";
import { authOptions } from "@/lib/auth/options";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { createTestAccount, sessionCookie, type TestAccount } from "../support/fixtures";
import { call } from "../support/http";
import { startProductionStack, type ProductionStack } from "./support/production-stack";
import { request, setCookies, signIn } from "./support/sign-in";

const PASSWORD = "correct horse battery staple";

const list = (cookie: string) => call(webhooks.GET, { headers: { cookie } });

describe("a session cookie (route handlers)", () => {
  let a: TestAccount;
  beforeAll(async () => {
    a = await createTestAccount("Sessions");
  });

  it("works while its session row exists, and not after sign-out", async () => {
    const cookie = await sessionCookie(a.users.viewer.id, a.users.viewer.email);
    expect((await list(cookie)).status).toBe(200);
    const token = await encode({ token: { sub: a.users.viewer.id }, secret: config().NEXTAUTH_SECRET });
    const sid = (await db.userSession.findFirstOrThrow({ where: { userId: a.users.viewer.id }, orderBy: { createdAt: "desc" } })).id;
    await authOptions.events!.signOut!({ token: { sub: a.users.viewer.id, sid } } as never);
    const res = await list(cookie);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("unauthorized");
    // A cookie from before sessions had ids is signed out too.
    expect((await list(`next-auth.session-token=${token}`)).status).toBe(401);
  });

  it("ends when it expires", async () => {
    const cookie = await sessionCookie(a.users.viewer.id, a.users.viewer.email);
    const session = await db.userSession.findFirstOrThrow({ where: { userId: a.users.viewer.id }, orderBy: { createdAt: "desc" } });
    await db.userSession.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await list(cookie)).status).toBe(401);
  });

  it("ends on a password change, for every session of that user only", async () => {
    const b = await createTestAccount("Password change");
    const [first, second, other] = await Promise.all([
      sessionCookie(b.users.admin.id, b.users.admin.email),
      sessionCookie(b.users.admin.id, b.users.admin.email),
      sessionCookie(b.users.viewer.id, b.users.viewer.email),
    ]);
    expect((await list(first)).status).toBe(200);
    await db.user.update({ where: { id: b.users.admin.id }, data: { passwordHash: "scrypt$changed" } });
    expect((await list(first)).status).toBe(401);
    expect((await list(second)).status).toBe(401);
    expect((await list(other)).status).toBe(200);
  });

  it("ends on a role change, and on removal from the account", async () => {
    const b = await createTestAccount("Membership change");
    const demoted = await sessionCookie(b.users.admin.id, b.users.admin.email);
    const removed = await sessionCookie(b.users.viewer.id, b.users.viewer.email);
    expect((await list(demoted)).status).toBe(200);
    expect((await list(removed)).status).toBe(200);
    await db.membership.update({ where: { accountId_userId: { accountId: b.accountId, userId: b.users.admin.id } }, data: { role: "viewer" } });
    await db.membership.delete({ where: { accountId_userId: { accountId: b.accountId, userId: b.users.viewer.id } } });
    expect((await list(demoted)).status).toBe(401);
    expect((await list(removed)).status).toBe(401);
    // A new sign-in gets the new role.
    const again = await sessionCookie(b.users.admin.id, b.users.admin.email);
    const create = await call(apiKeys.POST, { method: "POST", headers: { cookie: again, "sec-fetch-site": "same-origin" }, body: { name: "viewer now" } });
    expect(create.status).toBe(403);
    expect(create.json.error.code).toBe("forbidden");
  });
});

describe("over HTTP against npm start", () => {
  let stack: ProductionStack;
  let a: TestAccount;

  beforeAll(async () => {
    [stack, a] = await Promise.all([startProductionStack(), createTestAccount("Sessions HTTP")]);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const api = (cookie: string) => request(`${stack.appUrl}/api/v1/webhooks`, { headers: { cookie } });
  const page = (cookie: string) => request(`${stack.appUrl}/settings/integrations/webhooks`, { headers: { cookie } });
  const session = async (cookie: string) => (await request(`${stack.appUrl}/api/auth/session`, { headers: { cookie } })).json;

  async function expectSignedIn(cookie: string, email: string) {
    expect((await api(cookie)).status).toBe(200);
    const shown = await page(cookie);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain("<title>Webhooks");
    expect((await session(cookie)).user?.email).toBe(email);
  }

  async function expectSignedOut(cookie: string) {
    const res = await api(cookie);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    const shown = await page(cookie);
    // The page sends the browser to sign-in, and shows nothing of the account.
    expect(shown.status).toBe(307);
    expect(shown.headers.location).toMatch(/\/login/);
    expect(await session(cookie)).toEqual({});
  }

  it("sign-out ends the session at once: a copy of the cookie no longer works", async () => {
    const signedIn = await signIn(stack.appUrl, a.users.admin.email, PASSWORD);
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.sessionCookie!;
    expect(cookie).toBeTruthy();
    await expectSignedIn(cookie, a.users.admin.email);

    const csrf = await request(`${stack.appUrl}/api/auth/csrf`, { headers: { cookie } });
    const out = await request(`${stack.appUrl}/api/auth/signout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${cookie}; ${setCookies(csrf).get("next-auth.csrf-token")}` },
      body: new URLSearchParams({ csrfToken: csrf.json.csrfToken, json: "true" }).toString(),
    });
    expect(out.status).toBe(200);
    await expectSignedOut(cookie);
  });

  it("a password change, a role change and removal from the account each end the session", async () => {
    const b = await createTestAccount("Sessions HTTP changes");
    const cookies = {
      owner: (await signIn(stack.appUrl, b.users.owner.email, PASSWORD)).sessionCookie!,
      admin: (await signIn(stack.appUrl, b.users.admin.email, PASSWORD)).sessionCookie!,
      viewer: (await signIn(stack.appUrl, b.users.viewer.email, PASSWORD)).sessionCookie!,
    };
    for (const role of ["owner", "admin", "viewer"] as const) await expectSignedIn(cookies[role], b.users[role].email);

    await db.user.update({ where: { id: b.users.owner.id }, data: { passwordHash: "scrypt$changed" } });
    await db.membership.update({ where: { accountId_userId: { accountId: b.accountId, userId: b.users.admin.id } }, data: { role: "viewer" } });
    await db.membership.delete({ where: { accountId_userId: { accountId: b.accountId, userId: b.users.viewer.id } } });
    for (const role of ["owner", "admin", "viewer"] as const) await expectSignedOut(cookies[role]);
  });
});
