// Bad input against every /api/v1 route: broken auth, foreign and malformed ids, malformed and
// oversized bodies, wrong types, huge arrays, unicode edge cases, bad queries. Every case must
// answer a 4xx in the documented `{ error: { code, message } }` shape and write nothing, in
// either account. (URLs aimed at private addresses: url-targets.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "@/lib/api/pagination";
import { ORIGIN, bearer, call } from "../support/http";
import { CATCH_ALL, METHODS, ROUTES, handlerOf, routeFilesOnDisk, sampleData, type Method, type RouteSpec } from "./routes";
import { createWorld, expectApiError, snapshot, type World } from "./world";

let w: World; // the caller's account
let other: World; // another account: its ids must look like they do not exist

beforeAll(async () => {
  [w, other] = await Promise.all([createWorld("Bad input"), createWorld("Bad input other")]);
});

interface Case {
  name: string;
  route: RouteSpec;
  method: Method;
  /** Route params; the caller's own valid ids when omitted. */
  params?: (w: World, other: World) => Record<string, string>;
  query?: string;
  /** Request headers; the admin API key when omitted. */
  headers?: (w: World) => Record<string, string>;
  /** JSON-encoded as the body; `rawBody` is sent as is (with a JSON content type). */
  body?: unknown;
  rawBody?: string;
  status: number | number[];
  code?: string | RegExp;
}

const admin = (x: World) => bearer(x.account.keys.admin);
/**
 * Credentials the route's method accepts: an admin API key, or an owner's session where owners
 * only may, or a viewer's session where only a dashboard user may.
 */
const allowed = (route: RouteSpec, method: Method) => (x: World) => {
  const spec = route.methods[method]!;
  if (spec.role === "owner") return { cookie: x.ownerCookie, origin: ORIGIN };
  return spec.userOnly ? { cookie: x.viewerCookie, origin: ORIGIN } : admin(x);
};
const b64 = (text: string) => Buffer.from(text).toString("base64url");
const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
const LONG = "x".repeat(100_000);
const RTL = "\u202Egnp.exe\u202C";
const EMOJI = "🚨🔥👩‍👩‍👧‍👦";

function authCases(route: RouteSpec, method: Method): Case[] {
  const spec = route.methods[method]!;
  const base = { route, method, body: spec.validBody };
  const cases: Case[] = [
    { ...base, name: "no credentials", headers: () => ({}), status: 401, code: "unauthorized" },
    { ...base, name: "Basic auth", headers: () => ({ authorization: "Basic YWRtaW46YWRtaW4=" }), status: 401, code: "unauthorized" },
    { ...base, name: "Bearer without a key", headers: () => ({ authorization: "Bearer" }), status: 401, code: "unauthorized" },
    { ...base, name: "Bearer with two tokens", headers: () => ({ authorization: "Bearer a b" }), status: 401, code: "unauthorized" },
    { ...base, name: "unknown API key", headers: () => bearer(`db24x7_sk_${"A".repeat(43)}`), status: 401, code: "invalid_api_key" },
    { ...base, name: "100 KB API key", headers: () => bearer(LONG), status: 401, code: "invalid_api_key" },
    { ...base, name: "expired API key", headers: (x) => bearer(x.expiredKey), status: 401, code: "invalid_api_key" },
    { ...base, name: "revoked API key", headers: (x) => bearer(x.revokedKey), status: 401, code: "invalid_api_key" },
    { ...base, name: "forged session cookie", headers: () => ({ cookie: "next-auth.session-token=forged.jwt.value" }), status: 401, code: "unauthorized" },
  ];
  if (spec.role === "owner") {
    cases.push(
      { ...base, name: "admin API key", headers: (x) => bearer(x.account.keys.admin), status: 403, code: "forbidden" },
      { ...base, name: "admin session", headers: (x) => ({ cookie: x.adminCookie, origin: ORIGIN }), status: 403, code: "forbidden" },
    );
  }
  if (spec.userOnly) {
    cases.push({ ...base, name: "admin API key", headers: (x) => bearer(x.account.keys.admin), status: 403, code: "user_required" });
  }
  if (spec.role !== "viewer") {
    cases.push(
      { ...base, name: "viewer API key", headers: (x) => bearer(x.account.keys.viewer), status: 403, code: "forbidden" },
      { ...base, name: "viewer session", headers: (x) => ({ cookie: x.viewerCookie, origin: ORIGIN }), status: 403, code: "forbidden" },
    );
  }
  if (method !== "GET") {
    cases.push(
      { ...base, name: "session from another site", headers: (x) => ({ cookie: x.adminCookie, origin: "https://evil.example" }), status: 403, code: "cross_site_request" },
      { ...base, name: "session with origin null", headers: (x) => ({ cookie: x.adminCookie, origin: "null" }), status: 403, code: "cross_site_request" },
      { ...base, name: "session without origin", headers: (x) => ({ cookie: x.adminCookie, "sec-fetch-site": "cross-site" }), status: 403, code: "cross_site_request" },
    );
  }
  return cases;
}

const MALFORMED_IDS: [string, string][] = [
  ["a word", "nope"],
  ["a bare prefix", "we_"],
  ["10,000 characters", "we_" + "A".repeat(10_000)],
  ["SQL", "' OR '1'='1"],
  ["a path", "../../etc/passwd"],
  ["percent-encoded NUL", "%00"],
  ["a NUL byte", "we_\u0000"],
  ["a lone surrogate", "\uD800"],
  ["emoji", EMOJI],
  ["an RTL override", RTL],
];

// Stands in for a world while the cases are collected (before beforeAll has made one).
const PLACEHOLDER = {
  endpointId: ":endpointId",
  eventId: ":eventId",
  deliveryId: ":deliveryId",
  spareKeyId: ":apiKeyId",
  noticeId: ":noticeId",
} as unknown as World;

function idCases(route: RouteSpec, method: Method): Case[] {
  const keys = Object.keys(route.params(PLACEHOLDER));
  const base = { route, method, body: route.methods[method]!.validBody, status: 404, code: "not_found" };
  return keys.flatMap((key) => [
    { ...base, name: `${key} of another account`, params: (x: World, o: World) => ({ ...route.params(x), [key]: route.params(o)[key] }) },
    ...MALFORMED_IDS.map(([label, id]) => ({ ...base, name: `${key} is ${label}`, params: (x: World) => ({ ...route.params(x), [key]: id }) })),
  ]);
}

function bodyCases(route: RouteSpec, method: Method): Case[] {
  const spec = route.methods[method]!;
  if (!spec.validBody) return [];
  const valid = spec.validBody;
  const limit = spec.maxBodyBytes!;
  const json = JSON.stringify(valid);
  const base = { route, method };
  const raw = (name: string, rawBody: string, status: number, code: string): Case => ({ ...base, name, rawBody, status, code });
  const padded = (bytes: number) => JSON.stringify({ ...valid, padding: "x".repeat(bytes) });
  return [
    raw("no body", "", 400, "invalid_json"),
    raw("whitespace body", " \n\t ", 400, "invalid_json"),
    raw("an opening brace", "{", 400, "invalid_json"),
    raw("truncated JSON", json.slice(0, Math.ceil(json.length / 2)), 400, "invalid_json"),
    raw("trailing garbage", `${json}x`, 400, "invalid_json"),
    raw("a byte-order mark", `\uFEFF${json}`, 400, "invalid_json"),
    raw("single quotes", json.replaceAll('"', "'"), 400, "invalid_json"),
    raw("null", "null", 400, "invalid_request"),
    raw("an array", `[${json}]`, 400, "invalid_request"),
    raw("a number", "42", 400, "invalid_request"),
    raw("a string", '"hello"', 400, "invalid_request"),
    raw("true", "true", 400, "invalid_request"),
    { ...base, name: "an unknown field", body: { ...valid, is_admin: true }, status: 400, code: "invalid_request" },
    { ...base, name: "a __proto__ field", rawBody: json.replace(/^\{/, '{"__proto__":{"role":"owner"},'), status: 400, code: "invalid_request" },
    { ...base, name: "100,000 levels of nesting", rawBody: json.replace(/^\{/, `{"nested":${deep(100_000)},`), status: 400, code: "invalid_request" },
    { ...base, name: "a key with a NUL byte", rawBody: json.replace(/^\{/, '{"a\\u0000b":1,'), status: 400, code: "invalid_request" },
    { ...base, name: "one byte over the limit", rawBody: padded(limit - json.length), status: 413, code: "payload_too_large" },
    { ...base, name: "10x the limit", rawBody: padded(limit * 10), status: 413, code: "payload_too_large" },
    { ...base, name: "a declared length over the limit", rawBody: json, headers: (x) => ({ ...allowed(route, method)(x), "content-length": String(limit + 1) }), status: 413, code: "payload_too_large" },
  ];
}

function queryCases(route: RouteSpec, method: Method): Case[] {
  if (!route.methods[method]!.paginated) return [];
  const base = { route, method };
  const q = (name: string, query: string, code = "invalid_request"): Case => ({ ...base, name, query, status: 400, code });
  return [
    q("limit=0", "?limit=0"),
    q("limit=101", "?limit=101"),
    q("limit=-1", "?limit=-1"),
    q("limit=1.5", "?limit=1.5"),
    q("limit=abc", "?limit=abc"),
    q("limit=1e400", "?limit=1e400"),
    q("limit empty", "?limit="),
    q("cursor not base64", "?cursor=!!!", "invalid_cursor"),
    q("cursor of 201 characters", `?cursor=${"A".repeat(201)}`),
    q("cursor without a date", `?cursor=${b64("not a date|we_x")}`, "invalid_cursor"),
    q("cursor without an id", `?cursor=${b64("2024-01-01T00:00:00.000Z")}`, "invalid_cursor"),
    q("cursor past PostgreSQL's dates", `?cursor=${b64("-271821-04-20T00:00:00.000Z|we_x")}`, "invalid_cursor"),
    q("cursor with a NUL id", `?cursor=${encodeCursor({ createdAt: new Date(), id: "we_\u0000" })}`, "invalid_cursor"),
  ];
}

const ep = ROUTES.find((r) => r.file === "webhooks/route.ts")!;
const epItem = ROUTES.find((r) => r.file === "webhooks/[endpointId]/route.ts")!;
const rotate = ROUTES.find((r) => r.file === "webhooks/[endpointId]/rotate-secret/route.ts")!;
const retryFailed = ROUTES.find((r) => r.file === "webhooks/[endpointId]/retry-failed/route.ts")!;
const testEvent = ROUTES.find((r) => r.file === "webhooks/[endpointId]/test/route.ts")!;
const deliveries = ROUTES.find((r) => r.file === "webhooks/[endpointId]/deliveries/route.ts")!;
const events = ROUTES.find((r) => r.file === "events/route.ts")!;
const apiKeys = ROUTES.find((r) => r.file === "api-keys/route.ts")!;
const audit = ROUTES.find((r) => r.file === "audit-log/route.ts")!;

/** Route-specific wrong types, missing fields, huge arrays, unicode, bad URLs and queries. */
function specificCases(): Case[] {
  const cases: Case[] = [];
  const add = (route: RouteSpec, method: Method, list: [string, unknown, (number | number[])?, string?][]) => {
    for (const [name, body, status = 400, code] of list) cases.push({ route, method, name, body, status, code: code ?? /^(invalid_request|url_not_allowed|unknown_event_type|invalid_event_data)$/ });
  };
  const url = "https://hooks.example.com/x";
  const types = ["alert.critical"];
  add(ep, "POST", [
    ["missing url", { event_types: types }],
    ["missing event_types", { url }],
    ["url is a number", { url: 42, event_types: types }],
    ["url is null", { url: null, event_types: types }],
    ["url is an array", { url: [url], event_types: types }],
    ["url is empty", { url: "", event_types: types }],
    ["url is blank", { url: "   ", event_types: types }],
    ["url is not a URL", { url: "not a url", event_types: types }, 400, "url_not_allowed"],
    ["url is javascript:", { url: "javascript:alert(1)", event_types: types }, 400, "url_not_allowed"],
    ["url is ftp:", { url: "ftp://hooks.example.com/x", event_types: types }, 400, "url_not_allowed"],
    ["url has credentials", { url: "https://user:pw@hooks.example.com/x", event_types: types }, 400, "url_not_allowed"],
    ["url is http in production", { url: "http://hooks.example.com/x", event_types: types }, 400, "url_not_allowed"],
    ["url of 3,000 characters", { url: `https://hooks.example.com/${"a".repeat(3000)}`, event_types: types }, 400, "url_not_allowed"],
    ["url of 100,000 characters", { url: `https://hooks.example.com/${LONG}`, event_types: types }],
    ["url with a NUL byte", { url: "https://hooks.example.com/a\u0000b", event_types: types }],
    ["url with a lone surrogate", { url: "https://hooks.example.com/\uD800", event_types: types }],
    ["url with a NUL in the host", { url: "https://hooks\u0000.example.com/", event_types: types }],
    ["event_types is a string", { url, event_types: "alert.critical" }],
    ["event_types is empty", { url, event_types: [] }],
    ["event_types has an unknown type", { url, event_types: ["alert.nope"] }],
    ["event_types has a number", { url, event_types: [42] }],
    ["event_types has null", { url, event_types: [null] }],
    ["event_types has 100,000 entries", { url, event_types: Array(100_000).fill("x") }],
    ["event_types has 100,000 known types", { url, event_types: Array(30_000).fill("alert.critical") }],
    ["event_types with an RTL override", { url, event_types: [`\u202Ealert.critical`] }],
    ["event_types with emoji", { url, event_types: [EMOJI] }],
    ["event_types with a NUL byte", { url, event_types: ["alert.critical\u0000"] }],
    ["event_types with a lone surrogate", { url, event_types: ["alert.critical\uDC00"] }],
    ["description of 501 characters", { url, event_types: types, description: "d".repeat(501) }],
    ["description of 501 emoji", { url, event_types: types, description: "🙂".repeat(501) }],
    ["description of 100,000 RTL characters", { url, event_types: types, description: "\u05D0".repeat(100_000) }],
    ["description is an object", { url, event_types: types, description: {} }],
    ["description with a NUL byte", { url, event_types: types, description: "a\u0000b" }],
    ["description with a lone surrogate", { url, event_types: types, description: "a\uD800b" }],
    ["environment is unknown", { url, event_types: types, environment: "prod" }],
    ["environment is emoji", { url, event_types: types, environment: EMOJI }],
    ["standard_webhooks is a string", { url, event_types: types, standard_webhooks: "true" }],
  ]);
  add(epItem, "PATCH", [
    ["an empty object", {}],
    ["only undefined-like nulls", { url: null }],
    ["status is deleted", { status: "deleted" }],
    ["status is a number", { status: 1 }],
    ["event_types is empty", { event_types: [] }],
    ["event_types has 100,000 entries", { event_types: Array(100_000).fill("x") }],
    ["url is javascript:", { url: "javascript:alert(1)" }, 400, "url_not_allowed"],
    ["url is http in production", { url: "http://hooks.example.com/x" }, 400, "url_not_allowed"],
    ["url with a NUL byte", { url: "https://hooks.example.com/a\u0000b" }],
    ["description is a number", { description: 42 }],
    ["description with a NUL byte", { description: "a\u0000b" }],
    ["description with a lone surrogate", { description: "\uDFFF" }],
    ["standard_webhooks is null", { standard_webhooks: null }],
    ["environment is unknown", { environment: "qa" }],
  ]);
  add(rotate, "POST", [
    ["grace period is negative", { grace_period_seconds: -1 }],
    ["grace period is fractional", { grace_period_seconds: 1.5 }],
    ["grace period is a string", { grace_period_seconds: "60" }],
    ["grace period is 1e20", { grace_period_seconds: 1e20 }],
    ["grace period is null", { grace_period_seconds: null }],
    ["grace period over a week", { grace_period_seconds: 7 * 24 * 3600 + 1 }],
  ]);
  add(retryFailed, "POST", [
    ["since missing", {}],
    ["since is a word", { since: "yesterday" }],
    ["since is a number", { since: 0 }],
    ["since has month 13", { since: "2024-13-01T00:00:00Z" }],
    ["since is a date only", { since: "2024-01-01" }],
    ["since has no offset", { since: "2024-01-01T00:00:00" }],
    ["since in year 275760", { since: "+275760-09-13T00:00:00Z" }],
    ["since with a NUL byte", { since: "2024-01-01T00:00:00Z\u0000" }],
  ]);
  add(testEvent, "POST", [
    ["event_type missing", {}],
    ["event_type unknown", { event_type: "alert.nope" }, 400, "unknown_event_type"],
    ["event_type is a number", { event_type: 42 }],
    ["event_type of 101 characters", { event_type: "a".repeat(101) }],
    ["event_type with a NUL byte", { event_type: "alert.critical\u0000" }],
    ["event_type is emoji", { event_type: EMOJI }],
    ["event_type with an RTL override", { event_type: `${RTL}alert.critical` }],
  ]);
  const data = sampleData;
  add(events, "POST", [
    ["type missing", { data }],
    ["data missing", { type: "alert.critical" }],
    ["type unknown", { type: "alert.nope", data }, 400, "unknown_event_type"],
    ["type is a number", { type: 42, data }],
    ["type of 101 characters", { type: "a".repeat(101), data }],
    ["type with a NUL byte", { type: "alert.critical\u0000", data }],
    ["type with a lone surrogate", { type: "alert.critical\uD800", data }],
    ["type is emoji", { type: EMOJI, data }],
    ["data is an array", { type: "alert.critical", data: [data] }],
    ["data is a string", { type: "alert.critical", data: "{}" }],
    ["data is null", { type: "alert.critical", data: null }],
    ["data is wrong for the type", { type: "alert.critical", data: { severity: 42 } }, 400, "invalid_event_data"],
    ["data with an unknown field", { type: "alert.critical", data: { ...data, extra: 1 } }, 400, "invalid_event_data"],
    ["data with 100,000 array entries", { type: "alert.critical", data: { ...data, suggested_actions: Array(20_000).fill({}) } }, 400, "invalid_event_data"],
    ["data with a message of 100,000 characters", { type: "alert.critical", data: { ...data, message: LONG } }, 400, "invalid_event_data"],
    ["environment unknown", { type: "alert.critical", data, environment: "prod" }],
    ["id is empty", { type: "alert.critical", data, id: "" }],
    ["id is blank", { type: "alert.critical", data, id: "   " }],
    ["id of 256 characters", { type: "alert.critical", data, id: "i".repeat(256) }],
    ["id is a number", { type: "alert.critical", data, id: 7 }],
    ["id with a NUL byte", { type: "alert.critical", data, id: "evt-\u0000" }],
    ["id with a lone surrogate", { type: "alert.critical", data, id: "evt-\uD800" }],
  ]);
  add(apiKeys, "POST", [
    ["name missing", {}],
    ["name is empty", { name: "" }],
    ["name is blank", { name: " \t " }],
    ["name of 101 characters", { name: "n".repeat(101) }],
    ["name of 101 emoji", { name: "🔑".repeat(101) }],
    ["name is a number", { name: 42 }],
    ["name with a NUL byte", { name: "key\u0000" }],
    ["name with a lone surrogate", { name: "key\uD800" }],
    ["role is owner", { name: "k", role: "owner" }],
    ["role is ADMIN", { name: "k", role: "ADMIN" }],
    ["expires_in_days is 0", { name: "k", expires_in_days: 0 }],
    ["expires_in_days is negative", { name: "k", expires_in_days: -1 }],
    ["expires_in_days is fractional", { name: "k", expires_in_days: 1.5 }],
    ["expires_in_days is a string", { name: "k", expires_in_days: "30" }],
    ["expires_in_days over ten years", { name: "k", expires_in_days: 3651 }],
    ["expires_in_days is null", { name: "k", expires_in_days: null }],
  ]);
  const q = (route: RouteSpec, name: string, query: string, code = "invalid_request") =>
    cases.push({ route, method: "GET", name, query, status: 400, code });
  q(deliveries, "status=bogus", "?status=bogus");
  q(deliveries, "status empty", "?status=");
  q(deliveries, "event_type of 101 characters", `?event_type=${"a".repeat(101)}`);
  q(deliveries, "event_id of 101 characters", `?event_id=${"a".repeat(101)}`);
  q(deliveries, "event_type with a NUL byte", "?event_type=alert.critical%00");
  q(deliveries, "event_id with a NUL byte", "?event_id=evt_%00");
  q(audit, "target_id empty", "?target_id=");
  q(audit, "target_id of 201 characters", `?target_id=${"t".repeat(201)}`);
  q(audit, "target_id with a NUL byte", "?target_id=we_%00");
  return cases;
}

function allCases(): Case[] {
  const cases: Case[] = [];
  for (const route of ROUTES) {
    for (const method of Object.keys(route.methods) as Method[]) {
      cases.push(...authCases(route, method), ...idCases(route, method), ...bodyCases(route, method), ...queryCases(route, method));
    }
  }
  return [...cases, ...specificCases()];
}

const CASES = allCases();

async function run(c: Case) {
  const params = c.params ? c.params(w, other) : c.route.params(w);
  const headers = c.headers ? c.headers(w) : allowed(c.route, c.method)(w);
  const rawBody = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  return call(handlerOf(c.route, c.method), {
    method: c.method,
    path: c.route.path(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, "x"))]))) + (c.query ?? ""),
    params,
    headers: rawBody === undefined ? headers : { "content-type": "application/json", ...headers },
    rawBody,
  });
}

describe("route coverage", () => {
  it("covers every route file under app/api/v1, with exactly the methods each exports", () => {
    const covered = [...ROUTES.map((r) => r.file), CATCH_ALL.file].sort();
    expect(routeFilesOnDisk(), "add new routes to test/bad-input/routes.ts").toEqual(covered);
    for (const route of ROUTES) {
      const exported = METHODS.filter((m) => typeof route.module[m] === "function");
      expect(exported, route.file).toEqual(METHODS.filter((m) => m in route.methods));
    }
  });

  it(`has ${CASES.length} cases`, () => {
    expect(CASES.length).toBeGreaterThan(300);
  });
});

describe.each(ROUTES.flatMap((route) => (Object.keys(route.methods) as Method[]).map((method) => ({ route, method, label: `${method} ${route.path(route.params(PLACEHOLDER))}` }))))(
  "$label",
  ({ route, method }) => {
    const mine = CASES.filter((c) => c.route === route && c.method === method);
    it.each(mine.map((c) => [c.name, c] as const))("%s → 4xx, writes nothing", async (_, c) => {
      const before = await Promise.all([snapshot(w.account.accountId), snapshot(other.account.accountId)]);
      const res = await run(c);
      expectApiError(res, c.status, c.code, `${method} ${c.name}`);
      if (res.status === 401) expect(res.headers.get("www-authenticate")).toBe("Bearer");
      const after = await Promise.all([snapshot(w.account.accountId), snapshot(other.account.accountId)]);
      expect(after, "nothing written").toEqual(before);
    });
  },
);

describe("the catch-all", () => {
  it.each(METHODS)("%s on an unknown /api/v1 path → 404 route_not_found", async (method) => {
    const handler = handlerOf(CATCH_ALL, method);
    for (const path of ["/api/v1/nope", "/api/v1/webhooks/we_x/nope", "/api/v1/%00", `/api/v1/${"a".repeat(10_000)}`]) {
      const res = await call(handler, { method, path, headers: admin(w), rawBody: method === "GET" ? undefined : "{" });
      expectApiError(res, 404, "route_not_found", `${method} ${path.slice(0, 40)}`);
    }
  });
});
