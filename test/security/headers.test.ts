// The security headers on what `npm start` serves (production build, plain-http NEXTAUTH_URL on
// loopback): a nonce'd CSP on every page that Next.js's own scripts carry, the fixed headers on
// pages, API answers and static files, no-store on every API answer (secrets and new keys
// above all), no HSTS without https, and cookie mutations judged against NEXTAUTH_URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { startProductionStack, type ProductionStack } from "./support/production-stack";
import { cspNonce, probe, signIn, type Answer } from "./support/probe";

const PASSWORD = "correct horse battery staple";

let stack: ProductionStack;
let account: TestAccount;
let cookie: string;
let origin: string;

beforeAll(async () => {
  stack = await startProductionStack();
  origin = stack.appUrl;
  account = await createTestAccount("Headers");
  ({ cookie } = await signIn(stack.appUrl, account.users.admin.email, PASSWORD));
  expect(cookie).toMatch(/^next-auth\.session-token=/);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => probe(stack.appUrl, path, { headers });
const send = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  probe(stack.appUrl, path, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

function expectFixedHeaders(res: Answer) {
  expect(res.header("x-frame-options")).toBe("DENY");
  expect(res.header("x-content-type-options")).toBe("nosniff");
  expect(res.header("referrer-policy")).toBe("strict-origin-when-cross-origin");
  expect(res.header("strict-transport-security")).toBe("");
}

function expectPagePolicy(res: Answer): string {
  expectFixedHeaders(res);
  const csp = res.header("content-security-policy");
  const directives = new Map(csp.split(/;\s*/).map((d) => [d.split(" ")[0], d] as const));
  const nonce = cspNonce(csp);
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(directives.get("script-src")).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
  expect(directives.get("frame-ancestors")).toBe("frame-ancestors 'none'");
  expect(directives.get("object-src")).toBe("object-src 'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
  // Next.js applied the nonce to every script it wrote, and no script goes without.
  const scripts = res.text.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  return nonce!;
}

function expectApiHeaders(res: Answer) {
  expectFixedHeaders(res);
  expect(res.header("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(res.header("cache-control")).toMatch(/(^|,\s*)no-store(,|$)/);
}

describe("pages", () => {
  it("a dashboard page carries a fresh nonce per request, on its scripts too", async () => {
    const first = await get("/", { cookie });
    expect(first.status).toBe(200);
    expect(first.text).toContain("Dashboard");
    const second = await get("/", { cookie });
    expect(expectPagePolicy(first)).not.toBe(expectPagePolicy(second));
    expect(first.header("cache-control")).toContain("no-store");
  });

  it("the sign-in page is rendered per request with its own nonce (not prerendered)", async () => {
    const [a, b] = [await get("/login"), await get("/login")];
    expect(a.status).toBe(200);
    expect(expectPagePolicy(a)).not.toBe(expectPagePolicy(b));
  });

  it("the endpoint page (where secrets are revealed) is never stored", async () => {
    const created = await send("POST", "/api/v1/webhooks", { url: "https://example.com/hook", event_types: ["alert.critical"] }, { cookie, origin });
    expect(created.status).toBe(201);
    const page = await get(`/settings/integrations/webhooks/${created.json.id}`, { cookie });
    expect(page.status).toBe(200);
    expectPagePolicy(page);
    expect(page.header("cache-control")).toContain("no-store");
    expect(page.text).not.toContain(created.json.secret);
  });

  it("an unknown page answers the app's 404 page under the same policy", async () => {
    const res = await get("/no-such-page", { cookie });
    expect(res.status).toBe(404);
    expect(res.text).toContain("Page not found");
    expectPagePolicy(res);
  });

  it("a signed-out visit is sent to sign-in with the fixed headers", async () => {
    const res = await get("/settings/api-keys");
    expect(res.status).toBe(307);
    expect(res.header("location")).toBe("/login?callbackUrl=%2Fsettings%2Fapi-keys");
    expectFixedHeaders(res);
  });
});

describe("API answers", () => {
  it("200, 401 and 404 carry the fixed headers, a policy that allows nothing, and no-store", async () => {
    const ok = await get("/api/v1/event-types", { authorization: `Bearer ${account.keys.viewer}` });
    expect(ok.status).toBe(200);
    expectApiHeaders(ok);
    const anonymous = await get("/api/v1/webhooks");
    expect(anonymous.status).toBe(401);
    expectApiHeaders(anonymous);
    const noRoute = await get("/api/v1/no-such-route", { authorization: `Bearer ${account.keys.viewer}` });
    expect(noRoute.status).toBe(404);
    expectApiHeaders(noRoute);
    const noEndpoint = await get("/api/v1/webhooks/we_doesnotexist", { cookie });
    expect(noEndpoint.status).toBe(404);
    expectApiHeaders(noEndpoint);
  });

  it("GET /metrics is not there while METRICS_TOKEN is unset, whoever asks", async () => {
    const asked: Record<string, string>[] = [{}, { cookie }, { authorization: `Bearer ${account.keys.admin}` }];
    for (const headers of asked) {
      const res = await get("/metrics", headers);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe("not_found");
      expectApiHeaders(res);
    }
  });

  it("next-auth's answers carry the fixed headers too", async () => {
    const res = await get("/api/auth/session", { cookie });
    expect(res.status).toBe(200);
    expectFixedHeaders(res);
    expect(res.header("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("answers with a secret or a new API key are no-store, by session and by API key", async () => {
    const admin = { authorization: `Bearer ${account.keys.admin}` };
    for (const auth of [{ cookie, origin }, admin]) {
      const created = await send("POST", "/api/v1/webhooks", { url: "https://example.com/hook", event_types: ["alert.critical"] }, auth);
      expect(created.status).toBe(201);
      expect(created.json.secret).toMatch(/^whsec_/);
      expectApiHeaders(created);
      const revealed = await get(`/api/v1/webhooks/${created.json.id}/secret`, auth);
      expect(revealed.json.secret).toMatch(/^whsec_/);
      expectApiHeaders(revealed);
      const rotated = await send("POST", `/api/v1/webhooks/${created.json.id}/rotate-secret`, { grace_period_seconds: 0 }, auth);
      expect(rotated.json.secret).toMatch(/^whsec_/);
      expectApiHeaders(rotated);
      const key = await send("POST", "/api/v1/api-keys", { name: "probe" }, auth);
      expect(key.status).toBe(201);
      expect(key.json.key).toMatch(/^db24x7_sk_/);
      expectApiHeaders(key);
      const listed = await get("/api/v1/api-keys", auth);
      expectApiHeaders(listed);
    }
  });
});

describe("static files", () => {
  it("the stylesheet and scripts carry the fixed headers and a policy that allows nothing", async () => {
    const login = await get("/login");
    const assets = [...login.text.matchAll(/(?:href|src)="(\/_next\/static\/[^"]+\.(?:css|js))"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
    for (const asset of assets.slice(0, 4)) {
      const res = await get(asset);
      expect(res.status, asset).toBe(200);
      expectFixedHeaders(res);
      expect(res.header("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});

describe("cookie mutations", () => {
  it("are judged by the Origin against NEXTAUTH_URL, whatever X-Forwarded-Host or Host say", async () => {
    const body = { name: "cross-site" };
    const forged = await send("POST", "/api/v1/api-keys", body, { cookie, origin: "https://evil.example", "x-forwarded-host": "evil.example" });
    expect(forged.status).toBe(403);
    expect(forged.json.error.code).toBe("cross_site_request");
    const forgedHost = await send("POST", "/api/v1/api-keys", body, { cookie, origin: "http://evil.example", host: "evil.example" });
    expect(forgedHost.status).toBe(403);
    const ours = await send("POST", "/api/v1/api-keys", { name: "same-site" }, { cookie, origin });
    expect(ours.status).toBe(201);
  });
});

describe("start-up", () => {
  it("does not warn about plain http on loopback", () => {
    expect(stack.output()).toContain("ready in");
    expect(stack.output()).not.toContain("warning: NEXTAUTH_URL");
  });
});
