// Sync: retried until the app is up, refused for unsupported features, and repeated when the
// app restarts with different functions.
import net from "node:net";
import { Inngest } from "inngest";
import { afterEach, describe, expect, it } from "vitest";
import {
  devClient,
  dropSchema,
  freePort,
  startApp,
  startTestEngine,
  syncApp,
  waitFor,
  waitForRuns,
} from "./support/harness";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
const track = <T extends { stop(): Promise<void> }>(thing: T): T => (stops.push(() => thing.stop()), thing);

function greeter(inngest: Inngest, id: string) {
  return inngest.createFunction({ id, triggers: [{ event: `sync/${id}` }] }, async () => id);
}

describe("sync", () => {
  it("keeps retrying until the app is up, logging once, then syncs", async () => {
    const schema = "engine_test_sync_retry";
    await dropSchema(schema);
    const [enginePort, appPort] = [await freePort(), await freePort()];
    const appUrl = `http://127.0.0.1:${appPort}/api/inngest`;
    // Until the app starts, its port hangs up on every connection, and counts them: the engine
    // must try more than once, and log that only once.
    let attempts = 0;
    const down = net.createServer((socket) => (attempts++, socket.destroy()));
    await new Promise<void>((resolve) => down.listen(appPort, "127.0.0.1", resolve));
    const late = track(await startTestEngine({ schema, port: enginePort, appUrl, waitForSync: false }));
    await waitFor(() => attempts >= 2, 15_000, "a second sync attempt");
    await new Promise((resolve) => down.close(resolve));
    const inngest = devClient("late-app", enginePort);
    track(await startApp(inngest, [greeter(inngest, "hello")], appPort));
    await waitFor(() => late.logs.some((l) => l.msg === "app synced"), 15_000, "sync");
    expect(late.logs.filter((l) => l.msg === "app not reachable; retrying sync")).toHaveLength(1);
    await inngest.send({ name: "sync/hello", data: {} });
    const [run] = await waitForRuns(late, "late-app-hello");
    expect(run!.status).toBe("Completed");
  });

  it("refuses a function using an unsupported feature, naming it", async () => {
    const schema = "engine_test_sync_refuse";
    await dropSchema(schema);
    const port = await freePort();
    const engine = track(await startTestEngine({ schema, port }));
    const inngest = devClient("refused-app", port);
    const limited = inngest.createFunction(
      { id: "rate-limited", rateLimit: { limit: 1, period: "1m" }, triggers: [{ event: "sync/x" }] },
      async () => "x",
    );
    const app = track(await startApp(inngest, [greeter(inngest, "fine"), limited]));
    const reply = await syncApp(app.url);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe("unsupported: rateLimit on function refused-app-rate-limited");
    expect(engine.logs.some((l) => l.msg === "register refused" && String(l.reason).includes("rateLimit"))).toBe(true);
    // Nothing of the refused app was registered. The engine starts an event's runs before it
    // answers the send, so there is nothing to wait for.
    await inngest.send({ name: "sync/refused-app-fine", data: {} });
    expect((await engine.get("/v1/runs")).data).toHaveLength(0);
  });

  it("re-syncs when the app restarts with different functions", async () => {
    const schema = "engine_test_sync_restart";
    await dropSchema(schema);
    const [enginePort, appPort] = [await freePort(), await freePort()];
    const v1 = devClient("moving-app", enginePort);
    const appV1 = await startApp(v1, [greeter(v1, "old")], appPort);
    const engine = track(await startTestEngine({ schema, port: enginePort, appUrl: appV1.url, resyncIntervalMs: 300 }));
    await appV1.stop();
    const v2 = devClient("moving-app", enginePort);
    track(await startApp(v2, [greeter(v2, "new")], appPort));
    await waitFor(async () => {
      await v2.send({ name: "sync/new", data: {} });
      const { data } = await engine.get("/v1/runs?fn_id=moving-app-new");
      return data.length > 0;
    }, 15_000, "new function after redeploy");
    const [run] = await waitForRuns(engine, "moving-app-new");
    expect(run!.status).toBe("Completed");
  });

  it("accepts POST /fn/register directly and replies as the SDK expects", async () => {
    const schema = "engine_test_sync_direct";
    await dropSchema(schema);
    const engine = track(await startTestEngine({ schema }));
    const res = await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      body: JSON.stringify({
        url: "http://127.0.0.1:1/api/inngest",
        appName: "direct",
        functions: [
          {
            id: "direct-fn",
            name: "fn",
            triggers: [{ event: "d/e" }],
            steps: { step: { id: "step", name: "step", runtime: { type: "http", url: "http://127.0.0.1:1/api/inngest?fnId=direct-fn&stepId=step" } } },
            throttle: { limit: 1, period: "1s" },
          },
        ],
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ status: 400, error: "unsupported: throttle on function direct-fn" });
  });
});
