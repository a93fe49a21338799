// Cron triggers: schedules are stored at sync and fire durably (a tick due while the engine
// was down fires on start).
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { databaseUrl, devClient, dropSchema, freePort, runDetail, startApp, startTestEngine, waitForRuns } from "./support/harness";

const schema = "engine_test_cron";
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

describe("cron triggers", () => {
  it("schedules the next tick at sync and runs it when due", async () => {
    await dropSchema(schema);
    const port = await freePort();
    const inngest = devClient("cron-app", port);
    const fn = inngest.createFunction({ id: "nightly", triggers: [{ cron: "0 3 * * *" }] }, async ({ event }) => ({
      name: event.name,
      cron: (event.data as { cron: string }).cron,
    }));
    const app = await startApp(inngest, [fn]);
    stops.push(() => app.stop());
    let engine = await startTestEngine({ schema, port, appUrl: app.url });

    const db = new pg.Client({ connectionString: databaseUrl() });
    await db.connect();
    stops.push(() => db.end());
    const { rows } = await db.query(`SELECT fn_id, expression, next_at FROM ${schema}.crons`);
    expect(rows).toHaveLength(1);
    const nextAt = new Date(Number(rows[0].next_at));
    expect(nextAt.getUTCHours()).toBe(3);
    expect(nextAt.getTime()).toBeGreaterThan(Date.now());

    // Pretend 03:00 passed while the engine was stopped.
    await engine.stop();
    await db.query(`UPDATE ${schema}.crons SET next_at = $1`, [Date.now() - 1_000]);
    engine = await startTestEngine({ schema, port, appUrl: app.url });
    stops.push(() => engine.stop());
    const [run] = await waitForRuns(engine, "cron-app-nightly");
    expect((await runDetail(engine, run!.id)).output).toEqual({ name: "inngest/scheduled.timer", cron: "0 3 * * *" });
    const after = await db.query(`SELECT next_at FROM ${schema}.crons`);
    expect(Number(after.rows[0].next_at)).toBeGreaterThan(Date.now());
  });
});
