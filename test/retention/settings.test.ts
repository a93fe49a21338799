// GET/PATCH /api/v1/account/retention: every member reads it, owners change it (audited), bad
// values get a clear 400 and change nothing.
import { beforeAll, describe, expect, it } from "vitest";
import * as route from "@/app/api/v1/account/retention/route";
import { db } from "@/lib/db";
import { createTestAccount, sessionCookie, type TestAccount } from "../support/fixtures";
import { bearer, call, ORIGIN } from "../support/http";

let a: TestAccount;
let b: TestAccount;
const session = async (acc: TestAccount, role: "owner" | "admin" | "viewer") => ({
  cookie: await sessionCookie(acc.users[role].id, acc.users[role].email),
  origin: ORIGIN,
});
const patch = (headers: Record<string, string>, body: unknown) => call(route.PATCH, { method: "PATCH", headers, body });

beforeAll(async () => {
  [a, b] = await Promise.all([createTestAccount("Retention settings A"), createTestAccount("Retention settings B")]);
});

describe("account retention", () => {
  it("shows the defaults to every member", async () => {
    for (const headers of [bearer(a.keys.viewer), bearer(a.keys.admin), await session(a, "viewer")]) {
      const res = await call(route.GET, { headers });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ retention_days: 30, body_retention_days: 7 });
    }
  });

  it("lets an owner change it, audited, in their own account only", async () => {
    const owner = await session(a, "owner");
    const res = await patch(owner, { retention_days: 90, body_retention_days: 14 });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toEqual({ retention_days: 90, body_retention_days: 14 });
    expect((await patch(owner, { retention_days: 60 })).json).toEqual({ retention_days: 60, body_retention_days: 14 });
    const audit = await db.auditLogEntry.findMany({ where: { accountId: a.accountId, action: "account.retention_updated" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((e) => e.metadata)).toEqual([
      { changes: { retention_days: { from: 30, to: 90 }, body_retention_days: { from: 7, to: 14 } } },
      { changes: { retention_days: { from: 90, to: 60 } } },
    ]);
    expect(audit[0]).toMatchObject({ actorType: "user", actorId: a.users.owner.id });
    expect((await call(route.GET, { headers: bearer(b.keys.viewer) })).json).toEqual({ retention_days: 30, body_retention_days: 7 });
  });

  it("refuses admins, viewers and API keys (403), changing nothing", async () => {
    for (const headers of [bearer(b.keys.admin), bearer(b.keys.viewer), await session(b, "admin"), await session(b, "viewer")]) {
      const res = await patch(headers, { retention_days: 5 });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ error: { code: "forbidden", message: expect.any(String) } });
    }
    expect((await call(route.GET, { headers: bearer(b.keys.viewer) })).json).toEqual({ retention_days: 30, body_retention_days: 7 });
  });

  it("answers bad values with a 400 that says what is wrong", async () => {
    const owner = await session(b, "owner");
    const cases: Array<[unknown, RegExp]> = [
      [{ retention_days: 0 }, /retention_days/],
      [{ retention_days: 366 }, /retention_days/],
      [{ retention_days: 2.5 }, /retention_days/],
      [{ retention_days: "30" }, /retention_days/],
      [{ body_retention_days: 0 }, /body_retention_days/],
      [{}, /retention_days, body_retention_days or both/],
      [{ retention_days: 30, keep: true }, /keep/],
      // The body retention may not exceed the history's, given or stored.
      [{ retention_days: 10, body_retention_days: 20 }, /at most retention_days \(10\)/],
      [{ retention_days: 5 }, /body_retention_days \(7\) must be at most retention_days \(5\)/],
      [{ body_retention_days: 31 }, /at most retention_days \(30\)/],
    ];
    for (const [body, message] of cases) {
      const res = await patch(owner, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.message).toMatch(message);
    }
    expect((await call(route.GET, { headers: bearer(b.keys.viewer) })).json).toEqual({ retention_days: 30, body_retention_days: 7 });
    expect(await db.auditLogEntry.count({ where: { accountId: b.accountId, action: "account.retention_updated" } })).toBe(0);
  });
});
