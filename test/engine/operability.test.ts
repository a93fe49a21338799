// Operability: health, run inspection, one log line per transition without payload data, and
// one engine per schema.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine } from "../../inngest/engine/engine";
import {
  databaseUrl,
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

const schema = "engine_test_operability";
const SECRET = "payload-secret-4f9a";
let engine: TestEngine;
let app: TestApp;

beforeAll(async () => {
  await dropSchema(schema);
  const port = await freePort();
  const inngest = devClient("ops-app", port);
  const ok = inngest.createFunction({ id: "ok", triggers: [{ event: "ops/ok" }] }, async ({ step, event }) => {
    await step.run("echo", () => event.data);
    return { secret: SECRET };
  });
  const bad = inngest.createFunction({ id: "bad", retries: 0, triggers: [{ event: "ops/bad" }] }, async () => {
    throw new Error(`failure mentioning ${SECRET}`);
  });
  app = await startApp(inngest, [ok, bad]);
  engine = await startTestEngine({ schema, port, appUrl: app.url });
});

afterAll(async () => {
  await engine?.stop();
  await app?.stop();
});

describe("operability", () => {
  it("answers /health", async () => {
    expect(await engine.get("/health")).toEqual({ status: "ok" });
  });

  it("lists runs and shows one with its steps, and logs transitions without payloads", async () => {
    await app.client.send([
      { name: "ops/ok", data: { secret: SECRET } },
      { name: "ops/bad", data: { secret: SECRET } },
    ]);
    const [okRun] = await waitForRuns(engine, "ops-app-ok");
    const [badRun] = await waitForRuns(engine, "ops-app-bad");
    const list = await engine.get("/v1/runs");
    expect(list.data.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([okRun!.id, badRun!.id]));
    const detail = await runDetail(engine, okRun!.id);
    expect(detail).toMatchObject({ status: "Completed", fn_id: "ops-app-ok", steps: [{ name: "echo", status: "completed" }] });
    const failed = await runDetail(engine, badRun!.id);
    expect(failed.status).toBe("Failed");
    expect(failed.errors).toHaveLength(1);
    await expect(engine.get("/v1/runs/nope")).rejects.toThrow(/404/);

    const transitions = engine.logs.filter((l) => l.run_id === okRun!.id).map((l) => l.msg);
    expect(transitions).toEqual(["run started", "run completed"]);
    expect(engine.logs.filter((l) => l.run_id === badRun!.id).map((l) => l.msg)).toEqual(["run started", "run failed"]);
    expect(JSON.stringify(engine.logs)).not.toContain(SECRET);
  });

  it.runIf(process.env.TEST_DATABASE_URL)("refuses to start a second engine on the same schema", async () => {
    // PGlite shares one session among all connections, so advisory locks cannot exclude there.
    await expect(startEngine({ databaseUrl: databaseUrl(), schema, port: 0, log: () => undefined })).rejects.toThrow(
      /another engine is running/,
    );
  });
});
