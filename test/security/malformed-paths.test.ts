// A malformed percent-encoding in a path (`%ff`, a cut-off `%E0%A4`, `%` alone) cannot be decoded
// into route parameters; Next.js answered those with a plain-text 500. Under `npm start` the API
// answers 400 in its error shape and the dashboard its 404 page, signed in or not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { startProductionStack, type ProductionStack } from "./support/production-stack";
import { probe, signIn } from "./support/probe";

let stack: ProductionStack;
let account: TestAccount;
let cookie: string;

beforeAll(async () => {
  stack = await startProductionStack();
  account = await createTestAccount("Malformed paths");
  ({ cookie } = await signIn(stack.appUrl, account.users.admin.email, "correct horse battery staple"));
  expect(cookie).not.toBe("");
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const API_PATHS: [method: string, path: string][] = [
  ["GET", "/api/v1/%ff"],
  ["GET", "/api/v1/webhooks/%ff"],
  ["PATCH", "/api/v1/webhooks/%ff"],
  ["DELETE", "/api/v1/webhooks/%ff"],
  ["GET", "/api/v1/webhooks/%ff/secret"],
  ["POST", "/api/v1/webhooks/%C0%AF/rotate-secret"],
  ["GET", "/api/v1/webhooks/we_x/deliveries%ff"],
  ["GET", "/api/v1/events/%E0%A4"],
  ["POST", "/api/v1/deliveries/%/retry"],
  ["GET", "/api/v1/deliveries/%zz"],
  ["GET", "/api/auth/%ff"],
];

describe("/api paths", () => {
  it.each(API_PATHS)("%s %s answers 400 in the API's error shape", async (method, path) => {
    const callers: Record<string, string>[] = [{}, { authorization: `Bearer ${account.keys.admin}` }, { cookie, origin: stack.appUrl }];
    for (const headers of callers) {
      const res = await probe(stack.appUrl, path, { method, headers: { ...headers, "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" });
      expect(res.status, JSON.stringify(headers)).toBe(400);
      expect(res.header("content-type")).toContain("application/json");
      expect(res.json).toEqual({ error: { code: "malformed_path", message: expect.any(String) } });
      expect(res.header("x-content-type-options")).toBe("nosniff");
    }
  });

  it("a well-formed encoding still reaches the route (an unknown id: 404)", async () => {
    const res = await probe(stack.appUrl, "/api/v1/webhooks/we_%C3%A9t%C3%A9", { headers: { authorization: `Bearer ${account.keys.admin}` } });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found");
  });
});

const PAGE_PATHS = [
  "/%ff",
  "/settings/%ff",
  "/settings/integrations/webhooks/%ff",
  "/settings/integrations/webhooks/%ff/deliveries",
  "/settings/integrations/webhooks/we_x/deliveries/%E0%A4",
  "/settings/integrations/webhooks/%",
  "/login/%ff",
];

describe("dashboard paths", () => {
  it.each(PAGE_PATHS)("%s answers the app's 404 page, signed in or not", async (path) => {
    for (const headers of [{ cookie }, {}] as Record<string, string>[]) {
      const res = await probe(stack.appUrl, path, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(404);
      expect(res.header("content-type")).toContain("text/html");
      expect(res.text).toContain("Page not found");
      expect(res.text).toContain("Back to the dashboard");
      expect(res.header("content-security-policy")).toContain("'nonce-");
    }
  });
});
