// The function endpoint under `npm start`: the probes of issue 11 against the real production
// stack (launcher, engine, delivery worker, Next.js). Before: Next.js served the functions in dev
// mode, a forged Host re-registered the app elsewhere, an unsigned call made a real delivery
// attempt for any account, and a malformed call answered with a stack trace.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashedSigningKey, responseSignatureValid, signatureHeader } from "../../inngest/engine/signing";
import { decrypt } from "../../lib/crypto";
import { createTenant, publish, sampleData, startReceiver, TEST_SECRETS, type Receiver } from "../../scripts/lib/stack-harness";
import { startProductionStack, type ProductionStack } from "./support/production-stack";

const RETRY_FN = "db24x7-webhooks-attempt-requested";
// What a stack trace or a server path looks like in an answer.
const SERVER_DETAILS = /\bat .+:\d+:\d+|\/(?:work|srv|opt|home|usr|app)\/|node_modules|\.next\/|"stack"\s*:\s*"[^"]/;

let stack: ProductionStack;
let receiver: Receiver;
let tenant: Awaited<ReturnType<typeof createTenant>>;
let signingKey: string;
let deliveryId: string;

async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function probe(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { redirect: "manual", ...init });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  stack = await startProductionStack();
  receiver = await startReceiver();
  tenant = await createTenant(stack.databaseUrl, stack.appUrl, receiver.base, [{ eventTypes: ["backup.completed"] }]);
  receiver.secrets.set(0, tenant.endpoints[0]!.secret);
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ value_encrypted: string }>(
      "SELECT value_encrypted FROM instance_secrets WHERE name = 'inngest_signing_key'",
    );
    expect(rows[0]!.value_encrypted).not.toMatch(/signkey/);
    signingKey = decrypt(rows[0]!.value_encrypted, {
      masterKey: TEST_SECRETS.APP_ENCRYPTION_KEY,
      context: "instance_secret:inngest_signing_key",
    });
  } finally {
    await client.end();
  }
  const event = await publish(stack.appUrl, tenant.apiKey, "backup.completed", await sampleData("backup.completed"));
  await waitFor(() => receiver.receipts.some((r) => r.eventId === event.id), "the first delivery");
  const client2 = new pg.Client({ connectionString: stack.databaseUrl });
  await client2.connect();
  try {
    deliveryId = (await client2.query<{ id: string }>("SELECT id FROM deliveries WHERE event_id = $1", [event.id])).rows[0]!.id;
  } finally {
    await client2.end();
  }
}, 240_000);

afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
}, 60_000);

describe("Next.js's /api/inngest under npm start (the worker serves the functions)", () => {
  it.each(["GET", "PUT", "POST"])("%s answers 404, forged Host or not", async (method) => {
    const res = await probe(`${stack.appUrl}/api/inngest?fnId=${RETRY_FN}&stepId=step`, {
      method,
      headers: { host: "attacker.example", "content-type": "application/json" },
      body: method === "GET" ? undefined : JSON.stringify({ url: "http://attacker.example/api/inngest" }),
    });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({ error: { code: "not_found", message: "Not found" } });
  });
});

describe("the delivery worker", () => {
  const workerUrl = () => `http://127.0.0.1:${stack.workerPort}/api/inngest`;

  it("is in signed mode: introspection without a signature reveals nothing", async () => {
    const res = await probe(workerUrl());
    expect(res.status).toBe(401);
    expect(res.text).not.toMatch(/"mode"|dev/);
    const signed = await probe(workerUrl(), { headers: { "x-inngest-signature": signatureHeader("", signingKey) } });
    expect(signed.status).toBe(200);
    expect(JSON.parse(signed.text)).toMatchObject({ mode: "cloud", has_signing_key: true });
    expect(responseSignatureValid(signed.headers.get("x-inngest-signature") ?? undefined, signed.text, signingKey)).toBe(true);
  });

  it("refuses an unsigned call to retry another account's delivery: no attempt is made", async () => {
    const before = receiver.receipts.length;
    const body = JSON.stringify({
      event: { name: "webhooks/delivery.attempt-requested", data: { delivery_id: deliveryId, endpoint_id: tenant.endpoints[0]!.id, account_id: tenant.accountId, trigger: "manual", request_id: "req_forged" } },
      events: [],
      steps: {},
      ctx: { run_id: "01FORGED", attempt: 0, max_attempts: 4, stack: { stack: [] } },
      version: -1,
    });
    for (const signature of [undefined, signatureHeader(body, "signkey-prod-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")]) {
      const res = await probe(`${workerUrl()}?fnId=${RETRY_FN}&stepId=step`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(signature ? { "x-inngest-signature": signature } : {}) },
        body,
      });
      expect(res.status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.receipts.length).toBe(before);
  });

  it("answers a malformed call with the error shape, never a stack or a path, and stays up", async () => {
    for (const body of ["{nope", "[", '{"ctx":'] as const) {
      const res = await probe(`${workerUrl()}?fnId=${RETRY_FN}&stepId=step`, { method: "POST", body });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toEqual({ error: { code: "invalid_json", message: "The request body is not valid JSON" } });
    }
    const unknownFn = JSON.stringify({ event: {}, events: [], steps: {}, ctx: {}, version: -1 });
    const signed = await probe(`${workerUrl()}?fnId=no-such-function&stepId=step`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-inngest-signature": signatureHeader(unknownFn, signingKey) },
      body: unknownFn,
    });
    expect(signed.status).toBeGreaterThanOrEqual(400);
    expect(signed.text).not.toMatch(SERVER_DETAILS);
    expect((await probe(workerUrl())).status).toBe(401);
  });

  it("registers its configured URL whatever Host a sync names, and deliveries go on", async () => {
    const res = await probe(workerUrl(), {
      method: "PUT",
      headers: { host: "attacker.example:443", "x-forwarded-host": "attacker.example", "content-type": "application/json" },
      body: JSON.stringify({ url: "https://attacker.example/api/inngest" }),
    });
    expect(res.text).not.toMatch(SERVER_DETAILS);
    expect(stack.output()).not.toMatch(/app registered.*attacker/);
    const event = await publish(stack.appUrl, tenant.apiKey, "backup.completed", await sampleData("backup.completed"));
    await waitFor(() => receiver.receipts.some((r) => r.eventId === event.id), "a delivery after the forged sync");
  });
});

describe("the engine", () => {
  const engineUrl = () => `http://127.0.0.1:${stack.enginePort}`;

  it("takes events only with the event key", async () => {
    for (const key of ["NO_EVENT_KEY_SET", "x", "%ff"]) {
      const res = await probe(`${engineUrl()}/e/${key}`, { method: "POST", body: JSON.stringify([{ name: "webhooks/delivery.retry-requested", data: {} }]) });
      expect(res.status).toBe(401);
    }
  });

  it("shows runs only to the signing key's holder", async () => {
    expect((await probe(`${engineUrl()}/v1/runs`)).status).toBe(401);
    const res = await probe(`${engineUrl()}/v1/runs`, { headers: { authorization: `Bearer ${hashedSigningKey(signingKey)}` } });
    expect(res.status).toBe(200);
  });

  it("refuses a registration naming another URL, even with the key", async () => {
    const res = await probe(`${engineUrl()}/fn/register`, {
      method: "POST",
      headers: { authorization: `Bearer ${hashedSigningKey(signingKey)}` },
      body: JSON.stringify({ url: "http://attacker.example/api/inngest", appName: "db24x7-webhooks", functions: [] }),
    });
    expect(res.status).toBe(400);
  });
});
