// Failure handling: per-step attempts with backoff, NonRetriableError, RetryAfterError,
// function-level retries, and onFailure via inngest/function.failed.
import { NonRetriableError, RetryAfterError } from "inngest";
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

const schema = "engine_test_retries";
const attempts: Record<string, number[]> = {};
const seen = (name: string, attempt: number) => (attempts[name] ??= []).push(attempt);
const failures: unknown[] = [];
let retryAfterTimes: number[] = [];

let engine: TestEngine;
let app: TestApp;

beforeAll(async () => {
  await dropSchema(schema);
  const port = await freePort();
  const inngest = devClient("retry-app", port);
  let flakyCalls = 0;
  const stepRetry = inngest.createFunction(
    { id: "step-retry", retries: 3, triggers: [{ event: "retry/step" }] },
    async ({ step, attempt }) => {
      const first = await step.run("first", () => {
        seen("first", attempt);
        return "ok";
      });
      const second = await step.run("second", () => {
        seen("second", attempt);
        flakyCalls++;
        if (flakyCalls < 3) throw new Error(`flaky ${flakyCalls}`);
        return "recovered";
      });
      const third = await step.run("third", () => {
        seen("third", attempt);
        return "done";
      });
      return { first, second, third };
    },
  );
  const exhausted = inngest.createFunction(
    { id: "exhausted", retries: 1, triggers: [{ event: "retry/exhausted" }] },
    async ({ step }) => {
      try {
        await step.run("always-fails", () => {
          throw new Error("boom");
        });
      } catch (error) {
        return { caught: (error as Error).message };
      }
      return { caught: null };
    },
  );
  const nonRetriable = inngest.createFunction(
    {
      id: "non-retriable",
      retries: 4,
      triggers: [{ event: "retry/non-retriable" }],
      onFailure: async ({ event, error }) => {
        failures.push({ fn: event.data.function_id, message: error.message, original: event.data.event.data });
        return "handled";
      },
    },
    async ({ step }) => {
      await step.run("explode", () => {
        seen("explode", 0);
        throw new NonRetriableError("permanent");
      });
      return "unreachable";
    },
  );
  const retryAfter = inngest.createFunction(
    { id: "retry-after", triggers: [{ event: "retry/after" }] },
    async ({ attempt }) => {
      retryAfterTimes.push(Date.now());
      if (attempt === 0) throw new RetryAfterError("slow down", "2s");
      return { attempt };
    },
  );
  const functionLevel = inngest.createFunction(
    { id: "function-level", retries: 2, triggers: [{ event: "retry/function" }] },
    async ({ attempt }) => {
      seen("function-level", attempt);
      throw new Error(`fail ${attempt}`);
    },
  );
  app = await startApp(inngest, [stepRetry, exhausted, nonRetriable, retryAfter, functionLevel]);
  engine = await startTestEngine({ schema, port, appUrl: app.url });
});

afterAll(async () => {
  await engine?.stop();
  await app?.stop();
});

describe("retries", () => {
  it("retries a failing step with its own attempt count, memoizing earlier steps", async () => {
    await app.client.send({ name: "retry/step", data: {} });
    const [run] = await waitForRuns(engine, "retry-app-step-retry");
    const detail = await runDetail(engine, run!.id);
    expect(detail.status).toBe("Completed");
    expect(detail.output).toEqual({ first: "ok", second: "recovered", third: "done" });
    expect(attempts.first).toEqual([0]);
    expect(attempts.second).toEqual([0, 1, 2]);
    // The next step starts a new queue item: attempt resets to 0.
    expect(attempts.third).toEqual([0]);
    expect(detail.errors.map((e: { attempt: number }) => e.attempt)).toEqual([0, 1]);
    expect(detail.errors[0].error.message).toBe("flaky 1");
  });

  it("memoizes a step's final error and lets the function catch it", async () => {
    await app.client.send({ name: "retry/exhausted", data: {} });
    const [run] = await waitForRuns(engine, "retry-app-exhausted");
    const detail = await runDetail(engine, run!.id);
    expect(detail.status).toBe("Completed");
    expect(detail.output).toEqual({ caught: "boom" });
    expect(detail.steps[0]).toMatchObject({ status: "failed", attempt: 1 });
  });

  it("fails at once on NonRetriableError and runs onFailure", async () => {
    await app.client.send({ name: "retry/non-retriable", data: { order: 7 } });
    const [run] = await waitForRuns(engine, "retry-app-non-retriable");
    expect(run!.status).toBe("Failed");
    expect(attempts.explode).toEqual([0]);
    const detail = await runDetail(engine, run!.id);
    expect(detail.error.message).toBe("permanent");
    const [handler] = await waitForRuns(engine, "retry-app-non-retriable-failure");
    expect(handler!.status).toBe("Completed");
    expect(failures).toEqual([{ fn: "retry-app-non-retriable", message: "permanent", original: { order: 7 } }]);
  });

  it("waits as long as RetryAfterError asks", async () => {
    retryAfterTimes = [];
    await app.client.send({ name: "retry/after", data: {} });
    const [run] = await waitForRuns(engine, "retry-app-retry-after");
    expect(run!.status).toBe("Completed");
    expect(retryAfterTimes).toHaveLength(2);
    expect(retryAfterTimes[1]! - retryAfterTimes[0]!).toBeGreaterThanOrEqual(1_500);
  });

  it("retries a throwing function max_attempts times, then fails the run", async () => {
    await app.client.send({ name: "retry/function", data: {} });
    const [run] = await waitForRuns(engine, "retry-app-function-level");
    expect(run!.status).toBe("Failed");
    expect(attempts["function-level"]).toEqual([0, 1, 2]);
    const detail = await runDetail(engine, run!.id);
    expect(detail.error.message).toBe("fail 2");
  });
});
