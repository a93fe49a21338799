// Crash safety: kill -9 the engine process mid-sleep and mid-step; after a restart every run
// completes, and each step that had completed is not run again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  databaseUrl,
  devClient,
  dropSchema,
  freePort,
  getJson,
  spawnEngine,
  startApp,
  waitFor,
  waitForSleepingRun,
  type EngineProcess,
  type TestApp,
} from "./support/harness";

const schema = "engine_test_durability";
const counts: Record<string, number> = {};
const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
let slowStarted = false;
// The slow step waits for this until the engine has been killed, so the kill lands mid-step.
let releaseSlow!: () => void;
const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));

let app: TestApp;
let enginePort: number;
let engine: EngineProcess | undefined;

const env = () => ({
  DATABASE_URL: databaseUrl(),
  INNGEST_ENGINE_PORT: String(enginePort),
  INNGEST_APP_URL: app.url,
  INNGEST_ENGINE_SCHEMA: schema,
  INNGEST_ENGINE_BACKOFF: "100ms",
  INNGEST_ENGINE_DB_POOL: "2",
});
const api = <T = any>(path: string) => getJson<T>(`http://127.0.0.1:${enginePort}${path}`);

async function runStatus(fnId: string): Promise<string | undefined> {
  const { data } = await api(`/v1/runs?fn_id=${fnId}`);
  return data[0]?.status;
}

beforeAll(async () => {
  await dropSchema(schema);
  enginePort = await freePort();
  const inngest = devClient("durable-app", enginePort);
  const sleeper = inngest.createFunction({ id: "sleeper", triggers: [{ event: "durable/sleep" }] }, async ({ step }) => {
    await step.run("before", () => count("sleep-before"));
    await step.sleep("nap", "3s");
    await step.run("after", () => count("sleep-after"));
    return "woke";
  });
  const worker = inngest.createFunction({ id: "worker", triggers: [{ event: "durable/step" }] }, async ({ step }) => {
    await step.run("first", () => count("first"));
    await step.run("slow", async () => {
      count("slow");
      slowStarted = true;
      await slowReleased;
    });
    await step.run("last", () => count("last"));
    return "done";
  });
  app = await startApp(inngest, [sleeper, worker]);
});

afterAll(async () => {
  releaseSlow();
  await engine?.kill("SIGTERM");
  await app?.stop();
});

describe("durability", () => {
  it("resumes a sleeping run after kill -9", { timeout: 60_000 }, async () => {
    engine = await spawnEngine(env());
    await waitFor(() => engine!.output().includes('"app synced"'), 20_000, "sync");
    await app.client.send({ name: "durable/sleep", data: {} });
    await waitForSleepingRun({ get: api }, "durable-app-sleeper", 10_000);
    await engine.kill("SIGKILL");
    expect(counts["sleep-after"]).toBeUndefined();

    engine = await spawnEngine(env());
    await waitFor(async () => (await runStatus("durable-app-sleeper")) === "Completed", 20_000, "run completion");
    expect(counts["sleep-before"]).toBe(1);
    expect(counts["sleep-after"]).toBe(1);
    await engine.kill("SIGKILL");
  });

  it("re-issues a call that was in flight at kill -9", { timeout: 60_000 }, async () => {
    engine = await spawnEngine(env());
    await app.client.send({ name: "durable/step", data: {} });
    await waitFor(() => slowStarted, 10_000, "slow step to start");
    await engine.kill("SIGKILL");
    releaseSlow();

    engine = await spawnEngine(env());
    await waitFor(async () => (await runStatus("durable-app-worker")) === "Completed", 20_000, "run completion");
    expect(counts.first).toBe(1);
    // At-least-once: the interrupted step ran again.
    expect(counts.slow).toBe(2);
    expect(counts.last).toBe(1);
  });
});
