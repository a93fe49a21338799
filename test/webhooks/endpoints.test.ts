import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/webhooks/route";
import * as item from "@/app/api/v1/webhooks/[endpointId]/route";
import * as secretRoute from "@/app/api/v1/webhooks/[endpointId]/secret/route";
import * as rotateRoute from "@/app/api/v1/webhooks/[endpointId]/rotate-secret/route";
import * as eventTypesRoute from "@/app/api/v1/event-types/route";
import * as auditRoute from "@/app/api/v1/audit-log/route";
import { db } from "@/lib/db";
import { signingSecretsFor } from "@/lib/webhooks/secrets";
import { createTestAccount, sessionCookie, type TestAccount } from "../support/fixtures";
import { bearer, call, ORIGIN } from "../support/http";

let a: TestAccount;
let b: TestAccount;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestAccount("A"), createTestAccount("B")]);
});

const savedFlag = process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
afterEach(() => {
  if (savedFlag === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
  else process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = savedFlag;
});

type Res = { status: number; json: any };

function expectError(res: Res, status: number, code: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(res.json).toMatchObject({ error: { code, message: expect.any(String) } });
}

const validBody = {
  url: "https://hooks.example.com/db24x7",
  description: "Pager",
  event_types: ["alert.critical", "alert.resolved"],
};

async function create(account: TestAccount, body: object = validBody): Promise<Res> {
  return call(collection.POST, { method: "POST", headers: bearer(account.keys.admin), body });
}

const at = (id: string) => ({ endpointId: id });

async function counts(accountId: string) {
  const [endpoints, audit] = await Promise.all([
    db.webhookEndpoint.count({ where: { accountId } }),
    db.auditLogEntry.count({ where: { accountId } }),
  ]);
  return { endpoints, audit };
}

describe("POST /api/v1/webhooks", () => {
  it("creates an active endpoint and returns its secret once, stored encrypted", async () => {
    const res = await create(a, { ...validBody, event_types: ["alert.resolved", "alert.critical", "alert.critical"] });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^we_[A-Za-z0-9]{22}$/),
      url: validBody.url,
      description: "Pager",
      environment: "production",
      event_types: ["alert.critical", "alert.resolved"], // catalog order, deduplicated
      status: "active",
      disabled_reason: null,
      standard_webhooks: false,
      previous_secret_expires_at: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(new Date(res.json.created_at).toISOString()).toBe(res.json.created_at);
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row.secretEncrypted).toMatch(/^v1:/);
    expect(row.secretEncrypted).not.toContain(res.json.secret.slice(6, 20));
    expect(signingSecretsFor(row).current).toBe(res.json.secret);
    const audit = await db.auditLogEntry.findMany({ where: { targetId: res.json.id } });
    expect(audit).toMatchObject([{ action: "webhook_endpoint.created", actorType: "api_key", accountId: a.accountId }]);
    expect(JSON.stringify(audit)).not.toContain(res.json.secret);
  });

  it("takes an environment, and plain HTTP outside production", async () => {
    const res = await create(a, { ...validBody, url: "http://hooks.example.com/staging", environment: "staging", standard_webhooks: true });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ environment: "staging", standard_webhooks: true });
  });

  it.each([
    [{ ...validBody, event_types: [] }, "invalid_request", "event_types", /at least one event type/],
    [{ ...validBody, event_types: ["alert.critical", "alert.foo"] }, "invalid_request", "event_types.1", /^unknown event type: alert\.foo$/],
    [{ ...validBody, event_types: undefined }, "invalid_request", "event_types", /.+/],
    [{ ...validBody, url: "" }, "invalid_request", "url", /required/],
    [{ ...validBody, environment: "qa" }, "invalid_request", "environment", /.+/],
    [{ ...validBody, secret: "whsec_mine" }, "invalid_request", "", /secret/],
    [{ ...validBody, url: "not a url" }, "url_not_allowed", "url", /absolute URL/],
    [{ ...validBody, url: "ftp://hooks.example.com/" }, "url_not_allowed", "url", /https or http/],
    [{ ...validBody, url: "https://me:pw@hooks.example.com/" }, "url_not_allowed", "url", /username or password/],
    [{ ...validBody, url: `https://hooks.example.com/${"x".repeat(2048)}` }, "url_not_allowed", "url", /2,048/],
    [{ ...validBody, url: "http://hooks.example.com/db24x7" }, "url_not_allowed", "url", /^Production endpoints must use HTTPS$/],
    [{ ...validBody, url: "https://169.254.169.254/latest" }, "url_not_allowed", "url", /cloud metadata/],
  ])("refuses %o with %s on %s, writing nothing", async (body, code, path, message) => {
    const before = await counts(a.accountId);
    const res = await create(a, body);
    expectError(res, 400, code);
    const issue = (res.json.error.details as { path: (string | number)[]; message: string }[]).find((d) => d.path.join(".") === path);
    expect(issue?.message, JSON.stringify(res.json.error)).toMatch(message);
    expect(res.json.error.message).toContain(issue!.message);
    expect(await counts(a.accountId)).toEqual(before);
  });

  it("refuses private targets when the operator has not allowed them", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "0";
    const before = await counts(a.accountId);
    const res = await create(a, { ...validBody, url: "https://10.0.0.5/hook" });
    expectError(res, 400, "url_not_allowed");
    expect(res.json.error.message).toBe("URL points to a private address (10.0.0.5); webhooks may only target public addresses");
    expect(res.json.error.details[0]).toMatchObject({ path: ["url"], code: "private_address" });
    expectError(await create(a, { ...validBody, url: "https://[::ffff:127.0.0.1]/hook" }), 400, "url_not_allowed");
    expect(await counts(a.accountId)).toEqual(before);
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "1";
    expect((await create(a, { ...validBody, url: "http://127.0.0.1:4000/hook", environment: "development" })).status).toBe(201);
  });
});

describe("reading endpoints", () => {
  it("never puts a secret in a list or a GET, and serves viewers", async () => {
    const created = await create(a);
    for (const key of [a.keys.admin, a.keys.viewer]) {
      const list = await call(collection.GET, { headers: bearer(key), path: "/api/v1/webhooks?limit=100" });
      expect(list.status).toBe(200);
      expect(list.json.data.map((e: { id: string }) => e.id)).toContain(created.json.id);
      expect(JSON.stringify(list.json)).not.toContain(created.json.secret);
      expect(JSON.stringify(list.json)).not.toMatch(/whsec_|secret_encrypted|"secret"/);
      const one = await call(item.GET, { headers: bearer(key), params: at(created.json.id) });
      expect(one.status).toBe(200);
      expect(one.json).not.toHaveProperty("secret");
      expect(JSON.stringify(one.json)).not.toContain(created.json.secret);
      expect(one.json.deliveries_24h).toEqual({ succeeded: 0, failed: 0, success_rate: null });
    }
  });

  it("computes the 24-hour success rate from attempts, and shows health", async () => {
    const endpoint = await create(a);
    const hour = (ago: number) => new Date((Math.floor(Date.now() / 3_600_000) - ago) * 3_600_000);
    await db.endpointAttemptHour.createMany({
      data: [
        { endpointId: endpoint.json.id, accountId: a.accountId, hour: hour(0), succeeded: 2, failed: 1 },
        { endpointId: endpoint.json.id, accountId: a.accountId, hour: hour(3), succeeded: 1, failed: 0 },
        // Yesterday's hour does not count.
        { endpointId: endpoint.json.id, accountId: a.accountId, hour: hour(25), succeeded: 0, failed: 9 },
      ],
    });
    await db.webhookEndpoint.update({ where: { id: endpoint.json.id }, data: { recentFailures: 0b10, failureStreak: 0 } });
    const one = await call(item.GET, { headers: bearer(a.keys.viewer), params: at(endpoint.json.id) });
    expect(one.json.deliveries_24h).toEqual({ succeeded: 3, failed: 1, success_rate: 0.75 });
    // Degraded, but no failed attempt in its history to read (the counts were written directly).
    expect(one.json.health).toEqual({
      state: "degraded",
      since: null,
      disabled_reason: null,
      consecutive_failures: 0,
      recent_failures: 1,
      recent_attempts_considered: 20,
      disables_at: null,
      diagnosis: null,
    });
    const list = await call(collection.GET, { headers: bearer(a.keys.admin), path: "/api/v1/webhooks?limit=100" });
    const listed = list.json.data.find((e: { id: string }) => e.id === endpoint.json.id);
    expect(listed.deliveries_24h.success_rate).toBe(0.75);
    expect(listed.health.state).toBe("degraded");
  });

  it("paginates newest first", async () => {
    const fresh = await createTestAccount("pages");
    for (const description of ["one", "two", "three"]) await create(fresh, { ...validBody, description });
    const first = await call(collection.GET, { headers: bearer(fresh.keys.admin), path: "/api/v1/webhooks?limit=2" });
    expect(first.json.data.map((e: { description: string }) => e.description)).toEqual(["three", "two"]);
    const second = await call(collection.GET, {
      headers: bearer(fresh.keys.admin),
      path: `/api/v1/webhooks?limit=2&cursor=${first.json.next_cursor}`,
    });
    expect(second.json).toMatchObject({ data: [{ description: "one" }], next_cursor: null });
  });
});

describe("tenancy and roles", () => {
  it("answers 404 for another account's endpoint, whatever the verb, and changes nothing", async () => {
    const theirs = await create(b);
    const headers = bearer(a.keys.admin);
    const params = at(theirs.json.id);
    expectError(await call(item.GET, { headers, params }), 404, "not_found");
    expectError(await call(item.PATCH, { method: "PATCH", headers, params, body: { description: "mine now" } }), 404, "not_found");
    expectError(await call(item.PATCH, { method: "PATCH", headers, params, body: { status: "disabled" } }), 404, "not_found");
    expectError(await call(item.DELETE, { method: "DELETE", headers, params }), 404, "not_found");
    expectError(await call(secretRoute.GET, { headers, params }), 404, "not_found");
    expectError(await call(rotateRoute.POST, { method: "POST", headers, params, body: {} }), 404, "not_found");
    const list = await call(collection.GET, { headers, path: "/api/v1/webhooks?limit=100" });
    expect(list.json.data.map((e: { id: string }) => e.id)).not.toContain(theirs.json.id);
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: theirs.json.id } });
    expect(row).toMatchObject({ description: "Pager", status: "active", deletedAt: null });
    expect(signingSecretsFor(row).current).toBe(theirs.json.secret);
    expect(await db.auditLogEntry.count({ where: { targetId: theirs.json.id } })).toBe(1);
    expectError(await call(item.GET, { headers, params: at("we_doesnotexist") }), 404, "not_found");
  });

  it("lets viewers (API key or session) read but not reveal or change anything", async () => {
    const endpoint = await create(a);
    const params = at(endpoint.json.id);
    const cookie = await sessionCookie(a.users.viewer.id, a.users.viewer.email);
    for (const headers of [bearer(a.keys.viewer), { cookie, origin: ORIGIN }]) {
      expect((await call(item.GET, { headers, params })).status).toBe(200);
      expectError(await call(collection.POST, { method: "POST", headers, body: validBody }), 403, "forbidden");
      expectError(await call(item.PATCH, { method: "PATCH", headers, params, body: { description: "x" } }), 403, "forbidden");
      expectError(await call(item.PATCH, { method: "PATCH", headers, params, body: { status: "disabled" } }), 403, "forbidden");
      expectError(await call(item.DELETE, { method: "DELETE", headers, params }), 403, "forbidden");
      expectError(await call(secretRoute.GET, { headers, params }), 403, "forbidden");
      expectError(await call(rotateRoute.POST, { method: "POST", headers, params, body: {} }), 403, "forbidden");
      expectError(await call(auditRoute.GET, { headers, path: `/api/v1/audit-log?target_id=${endpoint.json.id}` }), 403, "forbidden");
    }
    expect(await db.auditLogEntry.count({ where: { targetId: endpoint.json.id } })).toBe(1);
  });

  it("lets an admin session manage endpoints from the dashboard's origin only", async () => {
    const cookie = await sessionCookie(a.users.admin.id, a.users.admin.email);
    const ok = await call(collection.POST, { method: "POST", headers: { cookie, origin: ORIGIN }, body: validBody });
    expect(ok.status).toBe(201);
    const audit = await db.auditLogEntry.findFirstOrThrow({ where: { targetId: ok.json.id } });
    expect(audit).toMatchObject({ actorType: "user", actorId: a.users.admin.id, actorLabel: a.users.admin.email });
    expectError(await call(collection.POST, { method: "POST", headers: { cookie, origin: "https://evil.example" }, body: validBody }), 403, "cross_site_request");
  });
});

describe("PATCH /api/v1/webhooks/:endpointId", () => {
  it("edits settings and records what changed", async () => {
    const endpoint = await create(a);
    const params = at(endpoint.json.id);
    const res = await call(item.PATCH, {
      method: "PATCH",
      headers: bearer(a.keys.admin),
      params,
      body: { url: "https://hooks.example.com/v2", event_types: ["backup.failed"], description: "Ops", standard_webhooks: true },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ url: "https://hooks.example.com/v2", event_types: ["backup.failed"], description: "Ops", standard_webhooks: true });
    expect(res.json).not.toHaveProperty("secret");
    const entry = await db.auditLogEntry.findFirstOrThrow({ where: { targetId: endpoint.json.id, action: "webhook_endpoint.updated" } });
    expect(entry.metadata).toEqual({
      changes: {
        url: { from: validBody.url, to: "https://hooks.example.com/v2" },
        description: { from: "Pager", to: "Ops" },
        event_types: { from: ["alert.critical", "alert.resolved"], to: ["backup.failed"] },
        standard_webhooks: { from: false, to: true },
      },
    });
  });

  it("writes nothing when nothing changes", async () => {
    const endpoint = await create(a);
    const res = await call(item.PATCH, { method: "PATCH", headers: bearer(a.keys.admin), params: at(endpoint.json.id), body: { description: "Pager" } });
    expect(res.status).toBe(200);
    expect(await db.auditLogEntry.count({ where: { targetId: endpoint.json.id } })).toBe(1);
  });

  it("disables and enables, with the reason, in the audit log", async () => {
    const endpoint = await create(a);
    const params = at(endpoint.json.id);
    const disabled = await call(item.PATCH, { method: "PATCH", headers: bearer(a.keys.admin), params, body: { status: "disabled" } });
    expect(disabled.json).toMatchObject({ status: "disabled", disabled_reason: "manual", disabled_at: expect.any(String) });
    await db.webhookEndpoint.update({ where: { id: endpoint.json.id }, data: { failingSince: new Date() } });
    const enabled = await call(item.PATCH, { method: "PATCH", headers: bearer(a.keys.admin), params, body: { status: "active" } });
    expect(enabled.json).toMatchObject({ status: "active", disabled_reason: null, disabled_at: null, failing_since: null });
    const actions = await db.auditLogEntry.findMany({ where: { targetId: endpoint.json.id }, orderBy: { createdAt: "asc" } });
    expect(actions.map((e) => e.action)).toEqual(["webhook_endpoint.created", "webhook_endpoint.disabled", "webhook_endpoint.enabled"]);
  });

  it("validates before writing: URL rules with the stored environment, types, empty bodies", async () => {
    const endpoint = await create(a, { ...validBody, url: "http://hooks.example.com/staging", environment: "staging" });
    const params = at(endpoint.json.id);
    const patch = (body: object) => call(item.PATCH, { method: "PATCH", headers: bearer(a.keys.admin), params, body });
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.json.id } });

    const toProduction = await patch({ environment: "production", description: "should not stick" });
    expectError(toProduction, 400, "url_not_allowed");
    expect(toProduction.json.error.message).toBe("Production endpoints must use HTTPS");
    expectError(await patch({ url: "https://user:pw@hooks.example.com/" }), 400, "url_not_allowed");
    expectError(await patch({ event_types: ["alert.foo"] }), 400, "invalid_request");
    expectError(await patch({ event_types: [] }), 400, "invalid_request");
    expectError(await patch({}), 400, "invalid_request");
    expectError(await patch({ status: "paused" }), 400, "invalid_request");
    expectError(await patch({ secret_encrypted: "v1:x" }), 400, "invalid_request");

    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.json.id } })).toEqual(before);
    expect(await db.auditLogEntry.count({ where: { targetId: endpoint.json.id } })).toBe(1);
    const both = await patch({ environment: "production", url: "https://hooks.example.com/prod" });
    expect(both.json).toMatchObject({ environment: "production", url: "https://hooks.example.com/prod" });
  });
});

describe("signing secret", () => {
  it("reveals the current secret to admins and audits each reveal", async () => {
    const endpoint = await create(a);
    const res = await call(secretRoute.GET, { headers: bearer(a.keys.admin), params: at(endpoint.json.id) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ secret: endpoint.json.secret });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const entries = await db.auditLogEntry.findMany({ where: { targetId: endpoint.json.id, action: "webhook_endpoint.secret_revealed" } });
    expect(entries).toHaveLength(1);
  });

  it("rolls with a grace period: the old secret keeps signing the documented header until it ends", async () => {
    const endpoint = await create(a);
    const params = at(endpoint.json.id);
    const t0 = Date.now();
    const rolled = await call(rotateRoute.POST, { method: "POST", headers: bearer(a.keys.admin), params, body: { grace_period_seconds: 3600 } });
    expect(rolled.status).toBe(200);
    expect(rolled.json.secret).toMatch(/^whsec_/);
    expect(rolled.json.secret).not.toBe(endpoint.json.secret);
    const expiresAt = new Date(rolled.json.previous_secret_expires_at).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(t0 + 3600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);

    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.json.id } });
    expect(signingSecretsFor(row)).toEqual({ current: rolled.json.secret, previous: endpoint.json.secret });
    expect(signingSecretsFor(row, new Date(expiresAt + 1))).toEqual({ current: rolled.json.secret, previous: null });

    const revealed = await call(secretRoute.GET, { headers: bearer(a.keys.admin), params });
    expect(revealed.json.secret).toBe(rolled.json.secret);
    const one = await call(item.GET, { headers: bearer(a.keys.viewer), params });
    expect(one.json.previous_secret_expires_at).toBe(rolled.json.previous_secret_expires_at);
    expect(JSON.stringify(one.json)).not.toContain(rolled.json.secret);

    const entry = await db.auditLogEntry.findFirstOrThrow({ where: { targetId: endpoint.json.id, action: "webhook_endpoint.secret_rotated" } });
    expect(entry.metadata).toEqual({ grace_period_seconds: 3600, previous_secret_expires_at: rolled.json.previous_secret_expires_at });
  });

  it("rolls at once with no grace period, defaults to 24 hours, and refuses more than 7 days", async () => {
    const endpoint = await create(a);
    const params = at(endpoint.json.id);
    const roll = (body: object) => call(rotateRoute.POST, { method: "POST", headers: bearer(a.keys.admin), params, body });
    const now = await roll({ grace_period_seconds: 0 });
    expect(now.json.previous_secret_expires_at).toBeNull();
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.json.id } });
    expect(row.previousSecretEncrypted).toBeNull();
    expect(signingSecretsFor(row)).toEqual({ current: now.json.secret, previous: null });

    const byDefault = await roll({});
    expect(new Date(byDefault.json.previous_secret_expires_at).getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);

    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.json.id } });
    expectError(await roll({ grace_period_seconds: 604801 }), 400, "invalid_request");
    expectError(await roll({ grace_period_seconds: -1 }), 400, "invalid_request");
    expectError(await roll({ grace_period_seconds: 1.5 }), 400, "invalid_request");
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.json.id } })).toEqual(before);
  });
});

describe("DELETE /api/v1/webhooks/:endpointId", () => {
  it("soft-deletes: gone from every route, kept in the table, audited", async () => {
    const endpoint = await create(a);
    const params = at(endpoint.json.id);
    const headers = bearer(a.keys.admin);
    const res = await call(item.DELETE, { method: "DELETE", headers, params });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: endpoint.json.id, deleted: true });
    expectError(await call(item.GET, { headers, params }), 404, "not_found");
    expectError(await call(item.DELETE, { method: "DELETE", headers, params }), 404, "not_found");
    expectError(await call(item.PATCH, { method: "PATCH", headers, params, body: { status: "active" } }), 404, "not_found");
    expectError(await call(secretRoute.GET, { headers, params }), 404, "not_found");
    expectError(await call(rotateRoute.POST, { method: "POST", headers, params, body: {} }), 404, "not_found");
    const list = await call(collection.GET, { headers, path: "/api/v1/webhooks?limit=100" });
    expect(list.json.data.map((e: { id: string }) => e.id)).not.toContain(endpoint.json.id);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.json.id } })).deletedAt).toBeInstanceOf(Date);
    const actions = await db.auditLogEntry.findMany({ where: { targetId: endpoint.json.id }, orderBy: { createdAt: "asc" } });
    expect(actions.map((e) => e.action)).toEqual(["webhook_endpoint.created", "webhook_endpoint.deleted"]);
  });
});

describe("GET /api/v1/audit-log", () => {
  it("shows admins their account's entries for one target, newest first", async () => {
    const endpoint = await create(a);
    const params = at(endpoint.json.id);
    await call(secretRoute.GET, { headers: bearer(a.keys.admin), params });
    await call(item.PATCH, { method: "PATCH", headers: bearer(a.keys.admin), params, body: { status: "disabled" } });
    const res = await call(auditRoute.GET, { headers: bearer(a.keys.admin), path: `/api/v1/audit-log?target_id=${endpoint.json.id}` });
    expect(res.status).toBe(200);
    expect(res.json.data.map((e: { action: string }) => e.action)).toEqual([
      "webhook_endpoint.disabled",
      "webhook_endpoint.secret_revealed",
      "webhook_endpoint.created",
    ]);
    expect(res.json.data[0]).toMatchObject({
      id: expect.stringMatching(/^aud_/),
      actor: { type: "api_key", label: "admin key" },
      target: { type: "webhook_endpoint", id: endpoint.json.id },
      created_at: expect.any(String),
    });
    expect(JSON.stringify(res.json)).not.toContain(endpoint.json.secret);
    const fromB = await call(auditRoute.GET, { headers: bearer(b.keys.admin), path: `/api/v1/audit-log?target_id=${endpoint.json.id}` });
    expect(fromB.json.data).toEqual([]);
  });
});

describe("GET /api/v1/event-types", () => {
  it("serves the catalog with JSON Schemas to any caller of the account", async () => {
    const res = await call(eventTypesRoute.GET, { headers: bearer(a.keys.viewer) });
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(15);
    expect(res.json.data[0]).toMatchObject({
      type: "alert.critical",
      category: "Alerts",
      description: "Triggered when a critical database alert is raised (CPU, memory, disk, connections)",
      schema: { type: "object", properties: { alert_id: { type: "string" } } },
      sample: { alert_id: "alert_abc123" },
    });
    expectError(await call(eventTypesRoute.GET), 401, "unauthorized");
  });
});
