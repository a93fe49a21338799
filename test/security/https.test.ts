// Behind a TLS proxy (NEXTAUTH_URL=https://…) `npm start` adds HSTS and upgrade-insecure-requests,
// the session cookie is Secure (`__Secure-` name), cookie mutations must come from the https
// origin, and next-auth redirects only there. With a plain-http NEXTAUTH_URL on another host
// it warns at start-up.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { root, TEST_SECRETS } from "../../scripts/lib/stack-harness";
import { freePort } from "../engine/support/harness";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { startProductionStack, type ProductionStack } from "./support/production-stack";
import { probe, signIn } from "./support/probe";

const PUBLIC_URL = "https://webhooks.example.test";
const PASSWORD = "correct horse battery staple";
const HSTS = /^max-age=\d{8,}; includeSubDomains$/;

let stack: ProductionStack;
let account: TestAccount;
let cookie: string;
let setCookie: string[];

beforeAll(async () => {
  stack = await startProductionStack({ env: { NEXTAUTH_URL: PUBLIC_URL } });
  account = await createTestAccount("Https");
  ({ cookie, setCookie } = await signIn(stack.appUrl, account.users.admin.email, PASSWORD));
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => probe(stack.appUrl, path, { headers });

describe("with an https NEXTAUTH_URL", () => {
  it("the session cookie is Secure, under the __Secure- prefix", () => {
    expect(cookie).toMatch(/^__Secure-next-auth\.session-token=/);
    const line = setCookie.find((c) => c.startsWith("__Secure-next-auth.session-token="))!;
    expect(line.split(/;\s*/).map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(["secure", "httponly", "samesite=lax"]));
    expect(setCookie.filter((c) => /session-token/.test(c) && !/;\s*Secure/i.test(c))).toEqual([]);
  });

  it("pages, sign-in, API answers and next-auth's carry HSTS; pages upgrade insecure requests", async () => {
    const page = await get("/", { cookie });
    expect(page.status).toBe(200);
    const login = await get("/login");
    for (const res of [page, login]) {
      expect(res.header("strict-transport-security")).toMatch(HSTS);
      expect(res.header("content-security-policy")).toContain("upgrade-insecure-requests");
    }
    const answers = [
      await get("/api/v1/event-types", { authorization: `Bearer ${account.keys.viewer}` }),
      await get("/api/v1/webhooks"),
      await get("/api/v1/no-such-route", { authorization: `Bearer ${account.keys.viewer}` }),
      await get("/api/v1/webhooks/%ff"),
      await get("/api/auth/session", { cookie }),
      await get("/settings/api-keys"),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 400, 200, 307]);
    for (const res of answers) expect(res.header("strict-transport-security")).toMatch(HSTS);
  });

  it("cookie mutations must come from the https origin", async () => {
    const post = (origin: string) =>
      probe(stack.appUrl, "/api/v1/api-keys", {
        method: "POST",
        headers: { cookie, origin, "content-type": "application/json" },
        body: JSON.stringify({ name: `from ${origin}` }),
      });
    expect((await post(stack.appUrl)).status).toBe(403);
    expect((await post(PUBLIC_URL)).status).toBe(201);
  });

  it("next-auth redirects after sign-in only to the public origin", async () => {
    for (const callbackUrl of ["/\\evil.example/", "//evil.example/", "https://evil.example/", "/.//evil.example/", "javascript:alert(1)"]) {
      const { answer } = await signIn(stack.appUrl, account.users.viewer.email, PASSWORD, { callbackUrl });
      expect(answer.status).toBe(200);
      const url = new URL(answer.json.url);
      expect(url.origin, callbackUrl).toBe(PUBLIC_URL);
      expect(url.pathname.startsWith("//"), callbackUrl).toBe(false);
    }
    const { answer } = await signIn(stack.appUrl, account.users.viewer.email, PASSWORD, { callbackUrl: "/settings/api-keys?x=1" });
    expect(answer.json.url).toBe(`${PUBLIC_URL}/settings/api-keys?x=1`);
  });

  it("does not warn at start-up", () => {
    expect(stack.output()).not.toContain("warning: NEXTAUTH_URL");
  });
});

describe("with a plain-http NEXTAUTH_URL on another host", () => {
  it("npm start warns", async () => {
    const launcher = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/run.ts"), "start"], {
      cwd: root,
      env: {
        ...process.env,
        ...TEST_SECRETS,
        NODE_ENV: "production",
        NEXT_DIST_DIR: process.env.SECURITY_DIST_DIR || ".next",
        DATABASE_URL: inject("databaseUrl"),
        PORT: String(await freePort()),
        INNGEST_ENGINE_PORT: String(await freePort()),
        INNGEST_WORKER_PORT: String(await freePort()),
        NEXTAUTH_URL: "http://webhooks.example.test",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    const warned = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      for (const stream of [launcher.stdout!, launcher.stderr!]) {
        createInterface({ input: stream }).on("line", (line) => {
          lines.push(line);
          if (line.includes("warning: NEXTAUTH_URL")) (clearTimeout(timer), resolve(true));
        });
      }
      launcher.once("exit", () => (clearTimeout(timer), resolve(false)));
    });
    launcher.kill("SIGTERM");
    await new Promise((r) => (launcher.exitCode === null ? launcher.once("exit", r) : r(null)));
    expect(warned, lines.join("\n")).toBe(true);
    expect(lines.find((l) => l.includes("warning: NEXTAUTH_URL"))).toContain("http://webhooks.example.test");
  }, 90_000);
});
