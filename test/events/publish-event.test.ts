// Publishing against the real database and a real engine: what one publish stores, what it
// hands to Inngest (the engine's stored events, and the requests that carried them, counted by a
// pass-through proxy in front of the engine), producer-id repeats (also concurrent ones), and
// the API key's lookup. The engine serves no app here, so nothing is delivered: these tests are
// about the store and the hand-over (test/deliveries covers deliveries going out).
// First: it points the app's Inngest client at the engine's port before the client is built.
import { enginePort, freePort } from "../deliveries/engine-env";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { startEngine, type RunningEngine } from "@/inngest/engine/engine";
import { authenticateApiKey, hashApiKey, type Caller } from "@/lib/auth/caller";
import { db } from "@/lib/db";
import { deliveriesDue } from "@/inngest/events";
import { publishEvent } from "@/lib/events/publish-event";
import { newId } from "@/lib/ids";
import { getEventType } from "@/lib/webhooks/event-types";
import { createTestAccount, type TestAccount } from "../support/fixtures";

let engine: RunningEngine;
let proxy: http.Server;
/** The event API requests that reached the engine, with how many events each carried. */
const sends: number[] = [];
/** When set, the proxy answers the event API with this status instead of passing it on. */
let refuseSends: number | undefined;

/** Passes every request on to the engine, counting the event API's (`POST /e/{key}`). */
function startProxy(listenPort: number, enginePortBehind: number) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.method === "POST" && req.url?.startsWith("/e/")) {
        if (refuseSends) return void res.writeHead(refuseSends, { "content-type": "application/json" }).end('{"error":"refused"}');
        const parsed = JSON.parse(body.toString("utf8")) as unknown;
        sends.push(Array.isArray(parsed) ? parsed.length : 1);
      }
      const upstream = http.request(
        { host: "127.0.0.1", port: enginePortBehind, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  return new Promise<http.Server>((resolve) => server.listen(listenPort, "127.0.0.1", () => resolve(server)));
}

/** What the engine received for a published event. */
async function handedOver(eventId: string) {
  const rows = await db.$queryRawUnsafe<Array<{ name: string; data: { event_id: string; account_id: string; deliveries: Array<{ delivery_id: string; endpoint_id: string }> } }>>(
    `SELECT name, payload->'data' AS data FROM engine_publish.events WHERE key = $1`,
    eventId,
  );
  return rows;
}

const sample = (type: string) => getEventType(type)!.sample as Record<string, unknown>;

let account: TestAccount;
let other: TestAccount;
let caller: Caller;

beforeAll(async () => {
  const behind = await freePort();
  engine = await startEngine({ databaseUrl: inject("databaseUrl"), port: behind, schema: "engine_publish", dbPoolSize: 2, log: () => {} });
  proxy = await startProxy(enginePort, behind);
  [account, other] = await Promise.all([createTestAccount("Publish"), createTestAccount("Publish other")]);
  caller = account.users.admin.caller;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  await engine?.stop();
});

async function endpoint(
  acc: TestAccount,
  options: {
    types?: string[];
    environment?: "production" | "staging";
    status?: "active" | "disabled";
    failingSince?: Date;
    deletedAt?: Date;
  } = {},
) {
  const id = newId("we");
  await db.webhookEndpoint.create({
    data: {
      id,
      accountId: acc.accountId,
      url: `https://example.com/hooks/${id}`,
      environment: options.environment ?? "production",
      eventTypes: options.types ?? ["alert.critical"],
      status: options.status ?? "active",
      failingSince: options.failingSince,
      deletedAt: options.deletedAt,
      secretEncrypted: "unused",
    },
  });
  return id;
}

describe("publishEvent", () => {
  it("stores the event and a delivery per subscribed active endpoint, and hands them to Inngest as one event", async () => {
    const type = "backup.failed";
    const healthy = await endpoint(account, { types: [type, "alert.critical"] });
    const failing = await endpoint(account, { types: [type], failingSince: new Date(Date.now() - 3_600_000) });
    await endpoint(account, { types: ["alert.critical"] });
    await endpoint(account, { types: [type], environment: "staging" });
    const disabled = await endpoint(account, { types: [type], status: "disabled" });
    await endpoint(account, { types: [type], deletedAt: new Date() });
    await endpoint(other, { types: [type] });

    const before = Date.now();
    const result = await publishEvent(caller, { type, data: sample(type), environment: "production" });
    expect(result.duplicate).toBe(false);
    expect(result.deliveries.map((d) => d.endpoint_id).sort()).toEqual([healthy, failing].sort());

    const [sent, ...more] = await handedOver(result.id);
    // Handed over, so out of the outbox.
    expect(await db.outboxMessage.count({ where: { id: result.id } })).toBe(0);
    expect(more).toEqual([]);
    expect(sent!.name).toBe(deliveriesDue.name);
    expect(sent!.data).toMatchObject({ event_id: result.id, account_id: account.accountId });
    expect(sent!.data.deliveries.map((d) => `${d.delivery_id}>${d.endpoint_id}`).sort()).toEqual(
      result.deliveries.map((d) => `${d.id}>${d.endpoint_id}`).sort(),
    );

    const event = await db.event.findUniqueOrThrow({ where: { id: result.id }, include: { deliveries: true } });
    expect(event).toMatchObject({ accountId: account.accountId, type, environment: "production", externalId: null, isTest: false });
    const body = JSON.parse(event.body);
    expect(body).toMatchObject({ id: result.id, type, account_id: account.accountId, environment: "production", data: sample(type) });
    // Stored as UTC, the same instant the body names (which drops the milliseconds).
    expect(Math.floor(event.createdAt.getTime() / 1000)).toBe(Date.parse(body.created_at) / 1000);
    expect(event.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(event.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    // A disabled endpoint's delivery is kept as skipped and not handed over.
    const [skipped, ...moreSkipped] = event.deliveries.filter((d) => d.status === "skipped");
    expect(moreSkipped).toEqual([]);
    expect(skipped).toMatchObject({ endpointId: disabled, attemptCount: 0, completedAt: null });
    const due = event.deliveries.filter((d) => d.status !== "skipped");
    expect(due.map((d) => d.id).sort()).toEqual(result.deliveries.map((d) => d.id).sort());
    for (const d of due) {
      expect(d).toMatchObject({ accountId: account.accountId, eventType: type, status: "pending", isTest: false, attemptCount: 0 });
      expect(d.createdAt).toEqual(event.createdAt);
      expect(d.updatedAt).toEqual(event.createdAt);
      expect(d.id).toMatch(/^dlv_[0-9A-Za-z]{22}$/);
    }
  });

  it("stores an event no endpoint subscribes to, with no deliveries", async () => {
    const result = await publishEvent(caller, { type: "maintenance.completed", data: sample("maintenance.completed"), environment: "development" });
    expect(result).toMatchObject({ deliveries: [], duplicate: false });
    expect(await db.event.count({ where: { id: result.id } })).toBe(1);
    expect(await handedOver(result.id)).toEqual([]);
    expect(await db.outboxMessage.count({ where: { id: result.id } })).toBe(0);
  });

  it("fans out to more endpoints than one statement brings delivery ids for", async () => {
    const acc = await createTestAccount("Publish many");
    const type = "optimization.completed";
    const ids = await Promise.all(Array.from({ length: 40 }, () => endpoint(acc, { types: [type] })));
    const result = await publishEvent(acc.users.admin.caller, { type, data: sample(type), environment: "production" });
    expect(result.deliveries.map((d) => d.endpoint_id).sort()).toEqual([...ids].sort());
    expect(new Set(result.deliveries.map((d) => d.id)).size).toBe(40);
    expect(await db.event.count({ where: { accountId: acc.accountId } })).toBe(1);
    expect(await db.delivery.count({ where: { eventId: result.id } })).toBe(40);
  });

  it("answers concurrent repeats of a producer id with one stored event", async () => {
    const type = "backup.completed";
    const ep = await endpoint(account, { types: [type] });
    const input = { type, data: sample(type), environment: "production" as const, id: `producer-${newId("evt")}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => publishEvent(caller, input)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    for (const r of results) expect(r.deliveries).toEqual([{ id: expect.stringMatching(/^dlv_/), endpoint_id: ep }]);
    expect(new Set(results.map((r) => r.deliveries[0]!.id)).size).toBe(1);
    expect(await db.event.count({ where: { accountId: account.accountId, externalId: input.id } })).toBe(1);
    expect(await db.delivery.count({ where: { eventId: results[0]!.id } })).toBe(1);
    expect((await handedOver(results[0]!.id)).map((e) => e.data.deliveries)).toEqual([[{ delivery_id: results[0]!.deliveries[0]!.id, endpoint_id: ep }]]);

    // Another account may use the same producer id for an event of its own.
    const theirs = await publishEvent(other.users.admin.caller, input);
    expect(theirs.duplicate).toBe(false);
    expect(theirs.id).not.toBe(results[0]!.id);
  });

  it("hands concurrent publishes over together: each event once, in fewer requests than events", async () => {
    const type = "alert.warning";
    const acc = await createTestAccount("Publish together");
    await endpoint(acc, { types: [type] });
    await endpoint(acc, { types: [type] });
    sends.length = 0;
    const results = await Promise.all(
      Array.from({ length: 30 }, () => publishEvent(acc.users.admin.caller, { type, data: sample(type), environment: "production" })),
    );
    for (const result of results) {
      const sent = await handedOver(result.id);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.data.deliveries.map((d) => d.delivery_id).sort()).toEqual(result.deliveries.map((d) => d.id).sort());
    }
    expect(await db.outboxMessage.count({ where: { accountId: acc.accountId } })).toBe(0);
    expect(sends.reduce((a, b) => a + b, 0)).toBe(30);
    // While one hand-over is in flight the next publishes wait for it and then go together.
    expect(sends.length).toBeLessThan(30);
    expect(Math.max(...sends)).toBeGreaterThan(1);
  });

  it("still stores events when the hand-over is refused, and leaves their hand-overs in the outbox for the sweep", async () => {
    const type = "alert.resolved";
    const acc = await createTestAccount("Publish refused");
    await endpoint(acc, { types: [type] });
    refuseSends = 400;
    try {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => publishEvent(acc.users.admin.caller, { type, data: sample(type), environment: "production" })),
      );
      for (const result of results) {
        expect(result.deliveries).toHaveLength(1);
        expect(await handedOver(result.id)).toEqual([]);
      }
      const listed = await db.outboxMessage.findMany({ where: { accountId: acc.accountId } });
      expect(listed.map((m) => m.id).sort()).toEqual(results.map((r) => r.id).sort());
      // Stored exactly as the hand-over would have sent it.
      for (const m of listed) {
        const result = results.find((r) => r.id === m.id)!;
        expect(m.name).toBe(deliveriesDue.name);
        expect(deliveriesDue.schema.parse(m.data)).toEqual({
          event_id: result.id,
          account_id: acc.accountId,
          deliveries: result.deliveries.map((d) => ({ delivery_id: d.id, endpoint_id: d.endpoint_id })),
        });
      }
    } finally {
      refuseSends = undefined;
    }
    // Later hand-overs go through again.
    const after = await publishEvent(acc.users.admin.caller, { type, data: sample(type), environment: "production" });
    expect(await handedOver(after.id)).toHaveLength(1);
  });

  it("answers a repeat with the first result even when the repeat is too large to store", async () => {
    const type = "alert.critical";
    const input = { type, data: sample(type), environment: "production" as const, id: `producer-${newId("evt")}` };
    const first = await publishEvent(caller, input);
    // Valid, and over 256 KB once encoded: 50 actions of 2,000 three-byte characters.
    const actions = Array.from({ length: 50 }, () => ({ action: "wait", description: "€".repeat(2000) }));
    const huge = { ...input, data: { ...sample(type), suggested_actions: actions } };
    const repeat = await publishEvent(caller, huge);
    expect(repeat).toMatchObject({ id: first.id, duplicate: true });
    expect(repeat.deliveries).toEqual(expect.arrayContaining(first.deliveries));
    expect(repeat.deliveries).toHaveLength(first.deliveries.length);
    await expect(publishEvent(caller, { ...huge, id: `producer-${newId("evt")}` })).rejects.toMatchObject({ status: 413, code: "payload_too_large" });
  });
});

describe("authenticateApiKey", () => {
  const callerForApiKey = async (key: string) => {
    const result = await authenticateApiKey(key, null);
    return result.ok ? result.caller : null;
  };

  it("answers for a valid key and records its use at most once a minute", async () => {
    const acc = await createTestAccount("Key use");
    const keyHash = hashApiKey(acc.keys.admin);
    const lastUsed = async () => (await db.apiKey.findUniqueOrThrow({ where: { keyHash } })).lastUsedAt;
    expect(await lastUsed()).toBeNull();

    const caller = await callerForApiKey(acc.keys.admin);
    expect(caller).toMatchObject({ accountId: acc.accountId, role: "admin", actor: { type: "api_key", label: "admin key" } });
    const first = await lastUsed();
    expect(Math.abs(first!.getTime() - Date.now())).toBeLessThan(5_000);

    await callerForApiKey(acc.keys.admin);
    expect(await lastUsed()).toEqual(first);

    const stale = new Date(Date.now() - 61_000);
    await db.apiKey.update({ where: { keyHash }, data: { lastUsedAt: stale } });
    await Promise.all(Array.from({ length: 5 }, () => callerForApiKey(acc.keys.admin)));
    expect((await lastUsed())!.getTime()).toBeGreaterThan(stale.getTime() + 30_000);

    expect(await callerForApiKey(acc.keys.viewer)).toMatchObject({ role: "viewer" });
    expect(await callerForApiKey(`${acc.keys.admin}x`)).toBeNull();
  });

  it("refuses revoked and expired keys without recording their use", async () => {
    const acc = await createTestAccount("Key refused");
    await db.apiKey.update({ where: { keyHash: hashApiKey(acc.keys.admin) }, data: { revokedAt: new Date() } });
    await db.apiKey.update({ where: { keyHash: hashApiKey(acc.keys.viewer) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await callerForApiKey(acc.keys.admin)).toBeNull();
    expect(await callerForApiKey(acc.keys.viewer)).toBeNull();
    const keys = await db.apiKey.findMany({ where: { accountId: acc.accountId } });
    expect(keys.map((k) => k.lastUsedAt)).toEqual([null, null]);
  });
});
