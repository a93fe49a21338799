// Next.js's /api/inngest itself (the production stack's probes are in function-endpoint.test.ts):
// where it serves, a body that is not JSON answers the error shape instead of a stack, and in
// production it is not served unless signed calls are configured and the worker is not serving.
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { POST, PUT } from "@/app/api/inngest/route";

const URL_ = "http://127.0.0.1:3000/api/inngest?fnId=db24x7-webhooks-attempt-requested&stepId=step";
const saved = { ...process.env };
afterEach(() => {
  for (const name of ["NODE_ENV", "INNGEST_SIGNING_KEY", "DB24X7_WORKER_SERVES_FUNCTIONS", "INNGEST_DEV"] as const) {
    if (saved[name] === undefined) delete (process.env as Record<string, string | undefined>)[name];
    else (process.env as Record<string, string | undefined>)[name] = saved[name];
  }
});

async function send(handler: typeof POST, method: string, body: string) {
  const res = await handler(new NextRequest(URL_, { method, body, headers: { "content-type": "application/json" } }), {});
  return { status: res.status, text: await res.text() };
}

describe("/api/inngest", () => {
  it.each([
    ["POST", "{nope"],
    ["POST", "["],
    ["PUT", '{"url":'],
  ] as const)("%s %j answers 400 with the error shape", async (method, body) => {
    const res = await send(method === "PUT" ? PUT : POST, method, body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: { code: "invalid_json", message: "The request body is not valid JSON" } });
  });

  it("is not served in production unless it serves signed calls, and not while the worker serves them", async () => {
    const env = process.env as Record<string, string | undefined>;
    env.NODE_ENV = "production";
    delete env.INNGEST_SIGNING_KEY;
    expect((await send(POST, "POST", "{nope")).status).toBe(404);
    env.INNGEST_SIGNING_KEY = "signkey-prod-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    env.DB24X7_WORKER_SERVES_FUNCTIONS = "1";
    expect((await send(POST, "POST", "{}")).status).toBe(404);
    delete env.DB24X7_WORKER_SERVES_FUNCTIONS;
    expect((await send(POST, "POST", "{}")).status).toBe(401);
  });
});
