// Signed (cloud) mode: the engine signs calls as Inngest Cloud does and the SDK in cloud mode
// accepts them; a wrong signing key is rejected in both directions.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { afterAll, describe, expect, it } from "vitest";
import { hashedSigningKey, signatureHeader } from "../../inngest/engine/signing";
import { dropSchema, freePort, runDetail, startApp, startTestEngine, syncApp, waitForRuns } from "./support/harness";

const KEY = "signkey-test-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const WRONG = "signkey-test-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

function cloudClient(id: string, enginePort: number, signingKey: string) {
  return new Inngest({ id, isDev: false, signingKey, eventKey: "test-event-key", baseUrl: `http://127.0.0.1:${enginePort}` });
}

describe("signed mode", () => {
  it("runs a function on an app in cloud mode", async () => {
    const schema = "engine_test_signed";
    await dropSchema(schema);
    const port = await freePort();
    const inngest = cloudClient("signed-app", port, KEY);
    const fn = inngest.createFunction({ id: "signed-fn", triggers: [{ event: "signed/go" }] }, async ({ step }) => {
      const a = await step.run("a", () => ({ ünïcode: "✓", n: 1 }));
      await step.sleep("pause", "1s");
      return a;
    });
    const app = await startApp(inngest, [fn]);
    stops.push(() => app.stop());
    const engine = await startTestEngine({ schema, port, appUrl: app.url, signingKey: KEY });
    stops.push(() => engine.stop());
    await inngest.send({ name: "signed/go", data: {} });
    const [run] = await waitForRuns(engine, "signed-app-signed-fn");
    expect(run!.status).toBe("Completed");
    expect((await runDetail(engine, run!.id)).output).toEqual({ ünïcode: "✓", n: 1 });
  });

  it("rejects an app with another signing key, and the app rejects the engine's calls", async () => {
    const schema = "engine_test_signed_wrong";
    await dropSchema(schema);
    const port = await freePort();
    const inngest = cloudClient("wrong-app", port, WRONG);
    const fn = inngest.createFunction({ id: "wrong-fn", triggers: [{ event: "wrong/go" }] }, async () => "never");
    const app = await startApp(inngest, [fn]);
    stops.push(() => app.stop());
    const engine = await startTestEngine({ schema, port, signingKey: KEY });
    stops.push(() => engine.stop());

    const reply = await syncApp(app.url);
    expect(reply.status).toBe(401);
    expect(engine.logs.some((l) => l.msg === "register refused: bad signing key")).toBe(true);

    const bad = await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      headers: { authorization: `Bearer ${hashedSigningKey(WRONG)}` },
      body: JSON.stringify({ url: app.url, functions: [] }),
    });
    expect(bad.status).toBe(401);
    const good = await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      headers: { authorization: `Bearer ${hashedSigningKey(KEY)}` },
      body: JSON.stringify({ url: "http://127.0.0.1:1/api/inngest", appName: "x", functions: [] }),
    });
    expect(good.status).toBe(200);

    // A call signed with the engine's key reaches an app holding another key: 401, no run.
    const res = await fetch(`${app.url}?fnId=wrong-app-wrong-fn&stepId=step`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-inngest-signature": signatureHeader("{}", KEY),
      },
      body: "{}",
    });
    expect(res.status).toBe(401);
  });

  it("takes events only with its event key and shows runs only to the app's key", async () => {
    const schema = "engine_test_signed_keys";
    await dropSchema(schema);
    const engine = await startTestEngine({ schema, signingKey: KEY, eventKey: "the-event-key" });
    stops.push(() => engine.stop());
    const send = (key: string) =>
      fetch(`${engine.url}/e/${key}`, { method: "POST", body: JSON.stringify([{ name: "keys/go", data: {} }]) });
    expect((await send("another-key")).status).toBe(401);
    expect((await send("")).status).toBe(401);
    expect((await send("the-event-key")).status).toBe(200);

    expect((await fetch(`${engine.url}/v1/runs`)).status).toBe(401);
    const forged = await fetch(`${engine.url}/v1/runs`, { headers: { authorization: `Bearer ${hashedSigningKey(WRONG)}` } });
    expect(forged.status).toBe(401);
    expect((await engine.get("/v1/runs")).data).toEqual([]);
  });

  it("accepts registration only for its configured app URL", async () => {
    const schema = "engine_test_signed_pinned";
    await dropSchema(schema);
    const appUrl = `http://127.0.0.1:${await freePort()}/api/inngest`;
    const engine = await startTestEngine({ schema, signingKey: KEY, appUrl, waitForSync: false });
    stops.push(() => engine.stop());
    const register = (url: string) =>
      fetch(`${engine.url}/fn/register`, {
        method: "POST",
        headers: { authorization: `Bearer ${hashedSigningKey(KEY)}` },
        body: JSON.stringify({ url, appName: "x", functions: [] }),
      });
    const elsewhere = await register("http://attacker.example/api/inngest");
    expect(elsewhere.status).toBe(400);
    expect((await elsewhere.json()).error).toMatch(/not the engine's configured app URL/);
    expect((await register(appUrl)).status).toBe(200);
  });

  it("does not take an unsigned answer as the app's", async () => {
    const schema = "engine_test_signed_unsigned_answer";
    await dropSchema(schema);
    // Something that is not the app answers at the function's URL, like the SDK but unsigned.
    const impostor = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-inngest-sdk": "inngest-js:v4.24.0" }).end('"forged"');
    });
    await new Promise<void>((resolve) => impostor.listen(0, "127.0.0.1", resolve));
    stops.push(() => new Promise((resolve) => impostor.close(() => resolve())));
    const url = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}/api/inngest`;
    const engine = await startTestEngine({ schema, signingKey: KEY });
    stops.push(() => engine.stop());
    const registered = await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      headers: { authorization: `Bearer ${hashedSigningKey(KEY)}` },
      body: JSON.stringify({
        url,
        appName: "impostor",
        functions: [
          {
            id: "impostor-fn",
            name: "fn",
            triggers: [{ event: "impostor/go" }],
            steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${url}?fnId=impostor-fn&stepId=step` }, retries: { attempts: 0 } } },
          },
        ],
      }),
    });
    expect(registered.status).toBe(200);
    await fetch(`${engine.url}/e/any`, { method: "POST", body: JSON.stringify([{ name: "impostor/go", data: {} }]) });
    const [run] = await waitForRuns(engine, "impostor-fn");
    expect(run!.status).toBe("Failed");
    expect(JSON.stringify(await runDetail(engine, run!.id))).toMatch(/not signed with the engine's signing key/);
  });
});
