// The call loop against the real SDK: step.run memoization, sleep, sendEvent, parallel steps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  devClient,
  dropSchema,
  freePort,
  runDetail,
  startApp,
  startTestEngine,
  waitForRuns,
  type TestApp,
  type TestEngine,
} from "./support/harness";

const schema = "engine_test_call_loop";
const calls: Record<string, number> = {};
const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);

let engine: TestEngine;
let app: TestApp;

beforeAll(async () => {
  await dropSchema(schema);
  const port = await freePort();
  const inngest = devClient("loop-app", port);
  const sequential = inngest.createFunction(
    { id: "sequential", triggers: [{ event: "loop/sequential" }] },
    async ({ event, step }) => {
      const a = await step.run("a", () => {
        count("a");
        return { a: (event.data as { n: number }).n };
      });
      await step.sleep("nap", "1s");
      const b = await step.run("b", () => {
        count("b");
        return a.a + 1;
      });
      const sent = await step.sendEvent("notify", { name: "loop/notified", data: { b } });
      return { a, b, sent: sent.ids.length };
    },
  );
  const notified = inngest.createFunction(
    { id: "notified", triggers: [{ event: "loop/notified" }] },
    async ({ event }) => ({ got: (event.data as { b: number }).b }),
  );
  const parallel = inngest.createFunction(
    { id: "parallel", triggers: [{ event: "loop/parallel" }] },
    async ({ step }) => {
      const [x, y, z] = await Promise.all([
        step.run("x", () => (count("x"), 1)),
        step.run("y", () => (count("y"), 2)),
        step.run("z", () => (count("z"), 3)),
      ]);
      const after = await step.run("after", () => (count("after"), x + y + z));
      return { sum: after };
    },
  );
  const until = inngest.createFunction(
    { id: "until", triggers: [{ event: "loop/until" }] },
    async ({ step }) => {
      const start = Date.now();
      await step.sleepUntil("wake", new Date(Date.now() + 1500));
      return { ok: true, start };
    },
  );
  app = await startApp(inngest, [sequential, notified, parallel, until]);
  engine = await startTestEngine({ schema, port, appUrl: app.url });
});

afterAll(async () => {
  await engine?.stop();
  await app?.stop();
});

describe("call loop", () => {
  it("runs steps once each, sleeps, and sends events that start other runs", async () => {
    const started = Date.now();
    await app.client.send({ name: "loop/sequential", data: { n: 41 } });
    const [run] = await waitForRuns(engine, "loop-app-sequential");
    expect(run!.status).toBe("Completed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const detail = await runDetail(engine, run!.id);
    expect(detail.output).toEqual({ a: { a: 41 }, b: 42, sent: 1 });
    expect(detail.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      "a:completed",
      "nap:slept",
      "b:completed",
      "notify:completed",
    ]);
    expect(calls.a).toBe(1);
    expect(calls.b).toBe(1);
    const [child] = await waitForRuns(engine, "loop-app-notified");
    expect((await runDetail(engine, child!.id)).output).toEqual({ got: 42 });
  });

  it("runs parallel steps as planned steps, then continues once all have settled", async () => {
    await app.client.send({ name: "loop/parallel", data: {} });
    const [run] = await waitForRuns(engine, "loop-app-parallel");
    const detail = await runDetail(engine, run!.id);
    expect(detail.status).toBe("Completed");
    expect(detail.output).toEqual({ sum: 6 });
    expect(detail.steps).toHaveLength(4);
    expect([calls.x, calls.y, calls.z, calls.after]).toEqual([1, 1, 1, 1]);
  });

  it("sleeps until a date", async () => {
    const sent = Date.now();
    await app.client.send({ name: "loop/until", data: {} });
    const [run] = await waitForRuns(engine, "loop-app-until");
    expect(run!.status).toBe("Completed");
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1_000);
  });
});
