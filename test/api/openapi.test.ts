import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as openapiRoute from "@/app/api/v1/openapi.json/route";
import { OPERATIONS } from "@/lib/api/openapi";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";

const API_DIR = join(import.meta.dirname, "../../app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return routeFiles(path);
    return name === "route.ts" ? [path] : [];
  });
}

// app/api/v1/webhooks/[endpointId]/route.ts → /api/v1/webhooks/{endpointId}
const toPath = (file: string) =>
  "/api/v1/" + relative(API_DIR, file).replace(/\/?route\.ts$/, "").replace(/\[(\w+)\]/g, "{$1}");

let account: TestAccount;
beforeAll(async () => {
  account = await createTestAccount("OpenAPI");
});

describe("GET /api/v1/openapi.json", () => {
  it("describes every method of every /api/v1 route", async () => {
    const described = new Set(OPERATIONS.map((op) => `${op.method} ${op.path.replace(/\/$/, "")}`));
    const missing: string[] = [];
    for (const file of routeFiles(API_DIR)) {
      if (file.includes("[...path]")) continue; // the JSON 404 for unknown routes
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of METHODS) {
        const key = `${method} ${toPath(file).replace(/\/$/, "")}`;
        if (typeof mod[method] === "function" && !described.has(key)) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  it("serves a document built from the routes' schemas", async () => {
    const res = await call(openapiRoute.GET, { headers: bearer(account.keys.viewer), path: "/api/v1/openapi.json" });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    const create = res.json.paths["/api/v1/webhooks"].post;
    const body = create.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["url", "event_types"]));
    expect(body.properties.environment.enum).toEqual(["production", "staging", "development"]);
    const publish = res.json.paths["/api/v1/events"].post;
    expect(Object.keys(publish.responses)).toContain("202");
    // Test events and Retry now are queued: the answer is the delivery before its attempt.
    const testEvent = res.json.paths["/api/v1/webhooks/{endpointId}/test"].post;
    expect(Object.keys(testEvent.responses)).toEqual(["202", "4XX"]);
    expect(testEvent.description).toMatch(/queued/);
    const retryNow = res.json.paths["/api/v1/deliveries/{deliveryId}/retry"].post;
    expect(Object.keys(retryNow.responses)).toEqual(["200", "4XX"]);
    expect(retryNow.description).toMatch(/queued/);
    const list = res.json.paths["/api/v1/webhooks/{endpointId}/deliveries"].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["endpointId", "limit", "cursor", "status", "event_type", "event_id"]),
    );
  });
});
