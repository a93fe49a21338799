// Bad input against the sign-in form's endpoint (next-auth's credentials callback), which only
// runs inside Next: malformed emails, 10 KB passwords, unicode, NUL, a missing or wrong CSRF
// token, JSON instead of a form. It must never answer 5xx and never start a session. A control
// case signs in for real, so "no session" below means refused, not a broken harness.
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { expect, PASSWORD, test } from "./support/test";

const CALLBACK = "/api/auth/callback/credentials";

async function csrf(request: APIRequestContext): Promise<string> {
  const res = await request.get("/api/auth/csrf");
  expect(res.status()).toBe(200);
  return (await res.json()).csrfToken;
}

function sessionCookieSet(res: APIResponse): boolean {
  return res.headersArray().some((h) => h.name.toLowerCase() === "set-cookie" && /next-auth\.session-token=[^;]+/.test(h.value));
}

async function expectNoSession(request: APIRequestContext, res: APIResponse, label: string) {
  expect(res.status(), `${label}: ${res.status()} ${(await res.text()).slice(0, 300)}`).toBeLessThan(500);
  expect(sessionCookieSet(res), `${label}: a session cookie was set`).toBe(false);
  const session = await request.get("/api/auth/session");
  expect(session.status()).toBe(200);
  expect(await session.json(), `${label}: signed in`).toEqual({});
}

async function post(request: APIRequestContext, form: Record<string, string>) {
  return request.post(CALLBACK, { form: { json: "true", callbackUrl: "/", ...form }, maxRedirects: 0 });
}

test("control: the right email and password with a CSRF token do sign in", async ({ request, accountA }) => {
  const res = await post(request, { csrfToken: await csrf(request), email: accountA.emails.admin, password: PASSWORD });
  expect(res.status()).toBeLessThan(500);
  const session = await (await request.get("/api/auth/session")).json();
  expect(session.user?.email).toBe(accountA.emails.admin);
});

const BAD_EMAILS: [string, string][] = [
  ["empty", ""],
  ["no @", "not-an-email"],
  ["no domain dot", "admin@localhost"],
  ["markup", "<script>alert(1)</script>@example.com"],
  ["SQL", "' OR '1'='1'--@example.com"],
  ["10 KB", `${"a".repeat(10_000)}@example.com`],
  ["a NUL byte", "admin\u0000@example.com"],
  ["unicode", "üser@exämple.com"],
  ["RTL override", "\u202Emoc.elpmaxe@nimda"],
  ["emoji", "🚨@example.com"],
  ["a lone surrogate", "admin\uD800@example.com"],
];

for (const [label, email] of BAD_EMAILS) {
  test(`email ${label} → no 5xx, no session`, async ({ request }) => {
    const res = await post(request, { csrfToken: await csrf(request), email, password: PASSWORD });
    await expectNoSession(request, res, label);
  });
}

const BAD_PASSWORDS: [string, string][] = [
  ["empty", ""],
  ["10 KB", "p".repeat(10 * 1024)],
  ["10 KB of emoji", "🔑".repeat(2560)],
  ["the right one plus a NUL", `${PASSWORD}\u0000`],
  ["the right one with an RTL override", `\u202E${PASSWORD}`],
  ["a lone surrogate", "\uDC00"],
  ["the right one in upper case", PASSWORD.toUpperCase()],
];

for (const [label, password] of BAD_PASSWORDS) {
  test(`password ${label} for a real user → no 5xx, no session`, async ({ request, accountA }) => {
    const res = await post(request, { csrfToken: await csrf(request), email: accountA.emails.admin, password });
    await expectNoSession(request, res, label);
  });
}

test("the right credentials without a CSRF token → no session", async ({ request, accountA }) => {
  const res = await post(request, { email: accountA.emails.admin, password: PASSWORD });
  await expectNoSession(request, res, "no csrf");
});

test("the right credentials with a forged CSRF token → no session", async ({ request, accountA }) => {
  await csrf(request); // the cookie half exists; the form half does not match it
  const res = await post(request, { csrfToken: "0".repeat(64), email: accountA.emails.admin, password: PASSWORD });
  await expectNoSession(request, res, "forged csrf");
});

test("the right credentials as JSON instead of a form → no 5xx", async ({ request, accountA }) => {
  const csrfToken = await csrf(request);
  const res = await request.post(CALLBACK, {
    data: { csrfToken, email: accountA.emails.admin, password: PASSWORD, json: "true" },
    maxRedirects: 0,
  });
  expect(res.status(), await res.text()).toBeLessThan(500);
});

test("malformed bodies → no 5xx, no session", async ({ request }) => {
  const csrfToken = await csrf(request);
  const bodies: [string, string, string][] = [
    ["empty form", "application/x-www-form-urlencoded", ""],
    ["broken percent-encoding", "application/x-www-form-urlencoded", `csrfToken=${csrfToken}&email=%E0%A4%A&password=%`],
    ["truncated JSON", "application/json", `{"csrfToken":"${csrfToken}","email":"a@b.c","pass`],
    ["JSON array", "application/json", "[]"],
    ["1 MB form", "application/x-www-form-urlencoded", `csrfToken=${csrfToken}&email=a@b.c&password=${"x".repeat(1024 * 1024)}`],
  ];
  for (const [label, type, data] of bodies) {
    const res = await request.post(CALLBACK, { headers: { "content-type": type }, data, maxRedirects: 0 });
    await expectNoSession(request, res, label);
  }
});

// Methods a route does not export are answered by Next itself (the vitest suite checks each
// route exports exactly its documented methods); here, that Next answers 405 and never 5xx.
test("wrong methods on /api/v1 routes → 405, never 5xx", async ({ request }) => {
  const wrong: [string, string][] = [
    ["PUT", "/api/v1/webhooks"],
    ["DELETE", "/api/v1/webhooks"],
    ["POST", "/api/v1/webhooks/we_x"],
    ["PUT", "/api/v1/events"],
    ["GET", "/api/v1/deliveries/dlv_x/retry"],
    ["PATCH", "/api/v1/api-keys"],
    ["POST", "/api/v1/audit-log"],
  ];
  for (const [method, path] of wrong) {
    const res = await request.fetch(path, { method, maxRedirects: 0 });
    expect(res.status(), `${method} ${path}`).toBe(405);
  }
});
