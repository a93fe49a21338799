// Concurrency limits: per function and evaluated key, counting calls in flight only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  devClient,
  dropSchema,
  freePort,
  startApp,
  startTestEngine,
  waitForRuns,
  waitForSleepingRun,
  type TestApp,
  type TestEngine,
} from "./support/harness";

const schema = "engine_test_concurrency";
const inFlight = new Map<string, number>();
const maxInFlight = new Map<string, number>();
let order: string[] = [];

let engine: TestEngine;
let app: TestApp;

beforeAll(async () => {
  await dropSchema(schema);
  const port = await freePort();
  const inngest = devClient("conc-app", port);
  const limited = inngest.createFunction(
    { id: "limited", concurrency: { limit: 2, key: "event.data.key" }, triggers: [{ event: "conc/work" }] },
    async ({ event, step }) => {
      const key = (event.data as { key: string }).key;
      await step.run("work", async () => {
        const now = (inFlight.get(key) ?? 0) + 1;
        inFlight.set(key, now);
        maxInFlight.set(key, Math.max(maxInFlight.get(key) ?? 0, now));
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight.set(key, inFlight.get(key)! - 1);
      });
      return key;
    },
  );
  const sleeper = inngest.createFunction(
    { id: "sleeper", concurrency: { limit: 1, key: "event.data.key" }, triggers: [{ event: "conc/sleep" }] },
    async ({ event, step }) => {
      const name = (event.data as { name: string }).name;
      await step.run("begin", () => order.push(`${name}:begin`));
      if (name === "first") await step.sleep("rest", "2s");
      await step.run("end", () => order.push(`${name}:end`));
    },
  );
  app = await startApp(inngest, [limited, sleeper]);
  engine = await startTestEngine({ schema, port, appUrl: app.url, maxInFlight: 32 });
});

afterAll(async () => {
  await engine?.stop();
  await app?.stop();
});

describe("concurrency", () => {
  it("never runs more than 2 calls at once per key across 1,000 runs on 10 keys", { timeout: 120_000 }, async () => {
    const events = Array.from({ length: 1_000 }, (_, i) => ({ name: "conc/work", data: { key: `k${i % 10}` } }));
    for (let i = 0; i < events.length; i += 100) await app.client.send(events.slice(i, i + 100));
    await waitForRuns(engine, "conc-app-limited", 1_000, 110_000);
    const { counts } = await engine.get(`/v1/runs?fn_id=conc-app-limited`);
    expect(counts).toEqual({ Completed: 1_000 });
    expect(maxInFlight.size).toBe(10);
    for (const [key, max] of maxInFlight) expect(max, key).toBeLessThanOrEqual(2);
    // The limit was reached, so the test can see a violation.
    expect(Math.max(...maxInFlight.values())).toBe(2);
  });

  it("gives a sleeping run's slot to another run with the same key", async () => {
    order = [];
    await app.client.send({ name: "conc/sleep", data: { key: "same", name: "first" } });
    await waitForSleepingRun(engine, "conc-app-sleeper");
    await app.client.send({ name: "conc/sleep", data: { key: "same", name: "second" } });
    await waitForRuns(engine, "conc-app-sleeper", 2);
    expect(order).toEqual(["first:begin", "second:begin", "second:end", "first:end"]);
  });
});
