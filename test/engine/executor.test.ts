// The executor with a fake store and app: a queue item fetched while the outcome that queued it
// is still being applied must be called with that outcome's step memoized, not run it again.
import { describe, expect, it } from "vitest";
import { createBackoff } from "../../inngest/engine/backoff";
import { Executor } from "../../inngest/engine/executor";
import type { EngineFunction } from "../../inngest/engine/functions";
import type { HttpClient, HttpResponse } from "../../inngest/engine/http-client";
import type { Registry } from "../../inngest/engine/registry";
import type { QueueItem, RunState, Store } from "../../inngest/engine/store";

const item = (id: string): QueueItem => ({
  id,
  runId: "run-1",
  stepId: "step",
  attempt: 0,
  dueAt: 0,
  sleepId: null,
  sleepName: null,
  planned: false,
  ckeys: [],
  climits: [],
});

describe("executor", () => {
  it("waits for the run's outcome being applied before calling with its state", async () => {
    const run: RunState = { id: "run-1", fnId: "fn", event: { id: "e1" }, events: null, status: "Running", version: -1, steps: {}, stack: [] };
    const sentSteps: Array<Record<string, unknown>> = [];
    const sdk = { "x-inngest-sdk": "inngest-js:v4.24.0" };
    const http = {
      async request(_method: string, _url: string, body: string): Promise<HttpResponse> {
        sentSteps.push(JSON.parse(body).steps);
        return sentSteps.length === 1
          ? { status: 206, headers: sdk, body: JSON.stringify([{ id: "h1", op: "StepRun", name: "one", data: 1 }]) }
          : { status: 200, headers: sdk, body: "null" };
      },
    } as unknown as HttpClient;

    let secondCall: Promise<void> | undefined;
    let executor: Executor;
    const store = {
      queue: { delete: async () => undefined },
      runs: {
        load: async () => structuredClone(run),
        async applyOutcome(applied: QueueItem) {
          if (applied.id === "q1") {
            // The follow-up item is committed: a scheduler fetch may dispatch it right now,
            // before this outcome has reached the cached run state.
            secondCall = executor.execute(item("q2"));
            await new Promise((resolve) => setTimeout(resolve, 20));
            return { applied: true, finalStatus: null, items: [item("q2")] };
          }
          return { applied: true, finalStatus: "Completed", items: [] };
        },
      },
    } as unknown as Store;
    const registry = { get: () => ({ id: "fn", url: "http://app/api/inngest", maxAttempts: 1 }) as unknown as EngineFunction } as unknown as Registry;

    executor = new Executor({
      store,
      registry,
      http,
      backoff: createBackoff([10], 0),
      log: () => undefined,
      callTimeoutMs: 1_000,
      offer: () => undefined,
      onRunFailed: () => undefined,
      requestSync: () => undefined,
    });
    await executor.execute(item("q1"));
    await secondCall;
    expect(sentSteps).toEqual([{}, { h1: { data: 1 } }]);
  });
});
