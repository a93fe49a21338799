import { beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/api-keys/route";
import * as item from "@/app/api/v1/api-keys/[apiKeyId]/route";
import * as unknownRoute from "@/app/api/v1/[...path]/route";
import { db } from "@/lib/db";
import { createTestAccount, sessionCookie, type TestAccount } from "../support/fixtures";
import { bearer, call, ORIGIN } from "../support/http";

let a: TestAccount;
let b: TestAccount;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestAccount("A"), createTestAccount("B")]);
});

function expectError(res: { status: number; json: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe("authentication", () => {
  it("refuses a request with no credentials", async () => {
    expectError(await call(collection.GET), 401, "unauthorized");
  });

  it("refuses an unknown key and a malformed Authorization header", async () => {
    expectError(await call(collection.GET, { headers: bearer("db24x7_sk_nope") }), 401, "invalid_api_key");
    expectError(await call(collection.GET, { headers: { authorization: "Basic abc" } }), 401, "unauthorized");
  });

  it("refuses a revoked key and an expired key", async () => {
    const created = await call(collection.POST, { method: "POST", headers: bearer(a.keys.admin), body: { name: "short-lived" } });
    expect(created.status).toBe(201);
    await call(item.DELETE, { method: "DELETE", headers: bearer(a.keys.admin), params: { apiKeyId: created.json.id } });
    expectError(await call(collection.GET, { headers: bearer(created.json.key) }), 401, "invalid_api_key");

    const expiring = await call(collection.POST, { method: "POST", headers: bearer(a.keys.admin), body: { name: "expiring", expires_in_days: 1 } });
    await db.apiKey.update({ where: { id: expiring.json.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectError(await call(collection.GET, { headers: bearer(expiring.json.key) }), 401, "invalid_api_key");
  });

  it("accepts the dashboard session and refuses its cross-site mutations", async () => {
    const cookie = await sessionCookie(a.users.admin.id, a.users.admin.email);
    const list = await call(collection.GET, { headers: { cookie } });
    expect(list.status).toBe(200);
    const sameSite = await call(collection.POST, { method: "POST", headers: { cookie, origin: ORIGIN }, body: { name: "from the dashboard" } });
    expect(sameSite.status).toBe(201);
    const crossSite = await call(collection.POST, { method: "POST", headers: { cookie, origin: "https://evil.example" }, body: { name: "csrf" } });
    expectError(crossSite, 403, "cross_site_request");
    const noOrigin = await call(collection.POST, { method: "POST", headers: { cookie }, body: { name: "csrf" } });
    expectError(noOrigin, 403, "cross_site_request");
    expect(await db.apiKey.count({ where: { accountId: a.accountId, name: "csrf" } })).toBe(0);
  });
});

describe("input", () => {
  it("answers malformed JSON with 400, never 500", async () => {
    for (const rawBody of ["{", "not json", '{"name": "x",}', ""]) {
      const res = await call(collection.POST, { method: "POST", headers: { ...bearer(a.keys.admin), "content-type": "application/json" }, rawBody });
      expectError(res, 400, "invalid_json");
    }
  });

  it("answers invalid input with 400 and the zod issues", async () => {
    const res = await call(collection.POST, { method: "POST", headers: bearer(a.keys.admin), body: { name: 42, role: "owner", extra: true } });
    expectError(res, 400, "invalid_request");
    const paths = (res.json.error.details as { path: string[] }[]).map((d) => d.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["name", "role"]));
  });

  it("answers an oversized body with 413", async () => {
    const res = await call(collection.POST, { method: "POST", headers: bearer(a.keys.admin), body: { name: "x".repeat(1024 * 1024 + 1) } });
    expectError(res, 413, "payload_too_large");
  });

  it("answers an invalid cursor with 400", async () => {
    expectError(await call(collection.GET, { headers: bearer(a.keys.admin), path: "/api/v1/api-keys?cursor=%%%" }), 400, "invalid_cursor");
  });

  it("answers unknown API routes with a JSON 404", async () => {
    expectError(await call(unknownRoute.GET, { path: "/api/v1/nope" }), 404, "route_not_found");
  });
});

describe("roles and tenancy", () => {
  it("lets a viewer key read nothing it may not and create nothing", async () => {
    expectError(await call(collection.POST, { method: "POST", headers: bearer(a.keys.viewer), body: { name: "nope" } }), 403, "forbidden");
    expectError(await call(collection.GET, { headers: bearer(a.keys.viewer) }), 403, "forbidden");
  });

  it("shows the key once, stores only its hash and never lists it", async () => {
    const created = await call(collection.POST, { method: "POST", headers: bearer(a.keys.admin), body: { name: "shown once" } });
    expect(created.json.key).toMatch(/^db24x7_sk_[A-Za-z0-9_-]{43}$/);
    const stored = await db.apiKey.findUniqueOrThrow({ where: { id: created.json.id } });
    expect(stored.keyHash).not.toContain(created.json.key);
    const list = await call(collection.GET, { headers: bearer(a.keys.admin), path: "/api/v1/api-keys?limit=100" });
    expect(JSON.stringify(list.json)).not.toContain(created.json.key);
    expect(list.json.data.map((k: { id: string }) => k.id)).toContain(created.json.id);
  });

  it("never shows or touches another account's keys", async () => {
    const bKey = await call(collection.POST, { method: "POST", headers: bearer(b.keys.admin), body: { name: "B's key" } });
    const listA = await call(collection.GET, { headers: bearer(a.keys.admin), path: "/api/v1/api-keys?limit=100" });
    expect(listA.json.data.map((k: { id: string }) => k.id)).not.toContain(bKey.json.id);
    const revoke = await call(item.DELETE, { method: "DELETE", headers: bearer(a.keys.admin), params: { apiKeyId: bKey.json.id } });
    expectError(revoke, 404, "not_found");
    const stillWorks = await call(collection.GET, { headers: bearer(bKey.json.key) });
    expect(stillWorks.status).toBe(200);
  });

  it("paginates newest first with a cursor", async () => {
    const fresh = await createTestAccount("pages");
    for (const name of ["k1", "k2", "k3"]) {
      await call(collection.POST, { method: "POST", headers: bearer(fresh.keys.admin), body: { name } });
    }
    const first = await call(collection.GET, { headers: bearer(fresh.keys.admin), path: "/api/v1/api-keys?limit=2" });
    expect(first.json.data).toHaveLength(2);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const second = await call(collection.GET, { headers: bearer(fresh.keys.admin), path: `/api/v1/api-keys?limit=2&cursor=${first.json.next_cursor}` });
    const all = [...first.json.data, ...second.json.data].map((k: { name: string }) => k.name);
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(0, 3)).toEqual(["k3", "k2", "k1"]);
  });

  it("records creation and revocation in the audit log", async () => {
    const created = await call(collection.POST, { method: "POST", headers: bearer(a.keys.admin), body: { name: "audited" } });
    await call(item.DELETE, { method: "DELETE", headers: bearer(a.keys.admin), params: { apiKeyId: created.json.id } });
    const entries = await db.auditLogEntry.findMany({ where: { accountId: a.accountId, targetId: created.json.id }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => e.action)).toEqual(["api_key.created", "api_key.revoked"]);
    expect(entries[0].actorType).toBe("api_key");
  });
});
