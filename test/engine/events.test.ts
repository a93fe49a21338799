// Event API: the reply the SDK needs, CEL trigger expressions, dedupe by id, idempotency and
// cancelOn.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  devClient,
  dropSchema,
  freePort,
  runDetail,
  startApp,
  startTestEngine,
  waitFor,
  waitForRuns,
  type TestApp,
  type TestEngine,
} from "./support/harness";

const schema = "engine_test_events";
let engine: TestEngine;
let app: TestApp;

beforeAll(async () => {
  await dropSchema(schema);
  const port = await freePort();
  const inngest = devClient("events-app", port);
  const big = inngest.createFunction(
    { id: "big-orders", triggers: [{ event: "shop/order", if: "event.data.total > 100 && event.data.currency == 'EUR'" }] },
    async ({ event }) => ({ total: (event.data as { total: number }).total }),
  );
  const every = inngest.createFunction({ id: "every-order", triggers: [{ event: "shop/order" }] }, async () => "ok");
  const wildcard = inngest.createFunction({ id: "any-shop", triggers: [{ event: "shop/*" }] }, async () => "ok");
  const idem = inngest.createFunction(
    { id: "idempotent", idempotency: "event.data.userId", triggers: [{ event: "shop/signup" }] },
    async () => "welcome",
  );
  const cancellable = inngest.createFunction(
    {
      id: "cancellable",
      cancelOn: [{ event: "shop/cancel", if: "event.data.orderId == async.data.orderId" }],
      triggers: [{ event: "shop/ship" }],
    },
    async ({ step }) => {
      await step.sleep("wait-for-courier", "3s");
      return "shipped";
    },
  );
  app = await startApp(inngest, [big, every, wildcard, idem, cancellable]);
  engine = await startTestEngine({ schema, port, appUrl: app.url });
});

afterAll(async () => {
  await engine?.stop();
  await app?.stop();
});

describe("event API", () => {
  it("replies with ids and status 200, filling id, ts and user", async () => {
    const res = await fetch(`${engine.url}/e/any-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ name: "shop/other", data: { a: 1 } }, { name: "shop/other" }]),
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.status).toBe(200);
    expect(body.ids).toHaveLength(2);
    expect(body.ids[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const runs = await waitForRuns(engine, "events-app-any-shop", 2);
    const detail = await runDetail(engine, runs[0]!.id);
    expect(body.ids).toContain(detail.event_id);
  });

  it("rejects an event without a name", async () => {
    const res = await fetch(`${engine.url}/e/any-key`, { method: "POST", body: JSON.stringify({ data: {} }) });
    expect(res.status).toBe(400);
  });

  it("matches trigger expressions with CEL", async () => {
    await app.client.send([
      { name: "shop/order", data: { total: 150, currency: "EUR" } },
      { name: "shop/order", data: { total: 50, currency: "EUR" } },
      { name: "shop/order", data: { total: 500, currency: "USD" } },
    ]);
    await waitForRuns(engine, "events-app-every-order", 3);
    const big = await waitForRuns(engine, "events-app-big-orders", 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { data } = await engine.get(`/v1/runs?fn_id=events-app-big-orders`);
    expect(data).toHaveLength(1);
    expect((await runDetail(engine, big[0]!.id)).output).toEqual({ total: 150 });
  });

  it("drops an event whose id was seen in the last 24 hours", async () => {
    const first = await app.client.send({ id: "order-123", name: "shop/order", data: { total: 1 } });
    const again = await app.client.send({ id: "order-123", name: "shop/order", data: { total: 1 } });
    expect(first.ids).toEqual(["order-123"]);
    expect(again.ids).toEqual(["order-123"]);
    const before = (await engine.get(`/v1/runs?fn_id=events-app-every-order&limit=500`)).data.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const runs = (await engine.get(`/v1/runs?fn_id=events-app-every-order&limit=500`)).data;
    expect(runs.length).toBe(before);
    const details = await Promise.all(runs.map((r: { id: string }) => runDetail(engine, r.id)));
    expect(details.filter((d) => d.event_id === "order-123")).toHaveLength(1);
  });

  it("starts one run per idempotency key", async () => {
    await app.client.send([
      { name: "shop/signup", data: { userId: "u1" } },
      { name: "shop/signup", data: { userId: "u1" } },
      { name: "shop/signup", data: { userId: "u2" } },
    ]);
    await app.client.send({ name: "shop/signup", data: { userId: "u2" } });
    await waitForRuns(engine, "events-app-idempotent", 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { data } = await engine.get(`/v1/runs?fn_id=events-app-idempotent`);
    expect(data).toHaveLength(2);
  });

  it("cancels a sleeping run when a matching cancel event arrives", async () => {
    await app.client.send([
      { name: "shop/ship", data: { orderId: "A" } },
      { name: "shop/ship", data: { orderId: "B" } },
    ]);
    await waitFor(async () => {
      const { data } = await engine.get(`/v1/runs?fn_id=events-app-cancellable`);
      const details = await Promise.all(data.map((r: { id: string }) => runDetail(engine, r.id)));
      return details.length === 2 && details.every((d) => d.pending.some((p: { sleep_id: string | null }) => p.sleep_id));
    });
    await app.client.send({ name: "shop/cancel", data: { orderId: "A" } });
    const runs = await waitForRuns(engine, "events-app-cancellable", 2);
    const byOrder = Object.fromEntries(
      await Promise.all(runs.map(async (r) => [(await engine.get(`/v1/runs/${r.id}`)).data.status, r.id])),
    );
    expect(Object.keys(byOrder).sort()).toEqual(["Cancelled", "Completed"]);
    expect(engine.logs.some((l) => l.msg === "run cancelled")).toBe(true);
  });
});
