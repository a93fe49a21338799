// Every /api/v1 route file with its handlers, as the bad-input suites see them. A route file
// missing here fails the coverage test: a new route must say what bad input it refuses.
import { readdirSync } from "node:fs";
import type { NextRequest } from "next/server";
import path from "node:path";
import * as catchAll from "@/app/api/v1/[...path]/route";
import * as retention from "@/app/api/v1/account/retention/route";
import * as apiKeyItem from "@/app/api/v1/api-keys/[apiKeyId]/route";
import * as apiKeys from "@/app/api/v1/api-keys/route";
import * as auditLog from "@/app/api/v1/audit-log/route";
import * as deliveryRetry from "@/app/api/v1/deliveries/[deliveryId]/retry/route";
import * as deliveryItem from "@/app/api/v1/deliveries/[deliveryId]/route";
import * as eventTypes from "@/app/api/v1/event-types/route";
import * as eventItem from "@/app/api/v1/events/[eventId]/route";
import * as events from "@/app/api/v1/events/route";
import * as noticeRead from "@/app/api/v1/notifications/[noticeId]/read/route";
import * as notificationPreferences from "@/app/api/v1/notifications/preferences/route";
import * as notificationsReadAll from "@/app/api/v1/notifications/read-all/route";
import * as notifications from "@/app/api/v1/notifications/route";
import * as openapi from "@/app/api/v1/openapi.json/route";
import * as deliveryStats from "@/app/api/v1/stats/deliveries/route";
import * as endpointDeliveries from "@/app/api/v1/webhooks/[endpointId]/deliveries/route";
import * as retryFailed from "@/app/api/v1/webhooks/[endpointId]/retry-failed/route";
import * as rotateSecret from "@/app/api/v1/webhooks/[endpointId]/rotate-secret/route";
import * as endpointItem from "@/app/api/v1/webhooks/[endpointId]/route";
import * as secret from "@/app/api/v1/webhooks/[endpointId]/secret/route";
import * as endpointTest from "@/app/api/v1/webhooks/[endpointId]/test/route";
import * as webhooks from "@/app/api/v1/webhooks/route";
import { MAX_EVENT_BYTES } from "@/lib/events/schemas";
import { getEventType } from "@/lib/webhooks/event-types";
import type { World } from "./world";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];


export type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface MethodSpec {
  /** Least role allowed (owner: only an owner's session, API keys being at most admin). */
  role: "viewer" | "admin" | "owner";
  /** A body the route accepts, so a case that breaks one thing breaks only that. */
  validBody?: Record<string, unknown>;
  /** The route's body limit in bytes (the wrapper's default is 1 MB). */
  maxBodyBytes?: number;
  /** Paginated list: takes limit and cursor. */
  paginated?: boolean;
  /** A dashboard user's own (read marks, mail opt-out): API keys are refused (403 user_required). */
  userOnly?: boolean;
}

export interface RouteSpec {
  /** Path of the route file under app/api/v1. */
  file: string;
  module: Record<string, unknown>;
  /** The URL path for these params. */
  path: (params: Record<string, string>) => string;
  /** The route's dynamic params, with this world's (valid, own) ids. */
  params: (w: World) => Record<string, string>;
  methods: Partial<Record<Method, MethodSpec>>;
}

const MB = 1024 * 1024;
export const sampleData = getEventType("alert.critical")!.sample;

export const ROUTES: RouteSpec[] = [
  {
    file: "webhooks/route.ts",
    module: webhooks,
    path: () => "/api/v1/webhooks",
    params: () => ({}),
    methods: {
      GET: { role: "viewer", paginated: true },
      POST: { role: "admin", maxBodyBytes: MB, validBody: { url: "https://hooks.example.com/new", event_types: ["alert.critical"] } },
    },
  },
  {
    file: "webhooks/[endpointId]/route.ts",
    module: endpointItem,
    path: (p) => `/api/v1/webhooks/${p.endpointId}`,
    params: (w) => ({ endpointId: w.endpointId }),
    methods: {
      GET: { role: "viewer" },
      PATCH: { role: "admin", maxBodyBytes: MB, validBody: { description: "changed" } },
      DELETE: { role: "admin" },
    },
  },
  {
    file: "webhooks/[endpointId]/secret/route.ts",
    module: secret,
    path: (p) => `/api/v1/webhooks/${p.endpointId}/secret`,
    params: (w) => ({ endpointId: w.endpointId }),
    methods: { GET: { role: "admin" } },
  },
  {
    file: "webhooks/[endpointId]/rotate-secret/route.ts",
    module: rotateSecret,
    path: (p) => `/api/v1/webhooks/${p.endpointId}/rotate-secret`,
    params: (w) => ({ endpointId: w.endpointId }),
    methods: { POST: { role: "admin", maxBodyBytes: MB, validBody: { grace_period_seconds: 0 } } },
  },
  {
    file: "webhooks/[endpointId]/deliveries/route.ts",
    module: endpointDeliveries,
    path: (p) => `/api/v1/webhooks/${p.endpointId}/deliveries`,
    params: (w) => ({ endpointId: w.endpointId }),
    methods: { GET: { role: "viewer", paginated: true } },
  },
  {
    file: "webhooks/[endpointId]/retry-failed/route.ts",
    module: retryFailed,
    path: (p) => `/api/v1/webhooks/${p.endpointId}/retry-failed`,
    params: (w) => ({ endpointId: w.endpointId }),
    methods: { POST: { role: "admin", maxBodyBytes: MB, validBody: { since: "2020-01-01T00:00:00Z" } } },
  },
  {
    file: "webhooks/[endpointId]/test/route.ts",
    module: endpointTest,
    path: (p) => `/api/v1/webhooks/${p.endpointId}/test`,
    params: (w) => ({ endpointId: w.endpointId }),
    methods: { POST: { role: "admin", maxBodyBytes: MB, validBody: { event_type: "alert.critical" } } },
  },
  {
    file: "events/route.ts",
    module: events,
    path: () => "/api/v1/events",
    params: () => ({}),
    methods: {
      POST: { role: "admin", maxBodyBytes: MAX_EVENT_BYTES + 1024, validBody: { type: "alert.critical", data: sampleData } },
    },
  },
  {
    file: "events/[eventId]/route.ts",
    module: eventItem,
    path: (p) => `/api/v1/events/${p.eventId}`,
    params: (w) => ({ eventId: w.eventId }),
    methods: { GET: { role: "viewer" } },
  },
  {
    file: "deliveries/[deliveryId]/route.ts",
    module: deliveryItem,
    path: (p) => `/api/v1/deliveries/${p.deliveryId}`,
    params: (w) => ({ deliveryId: w.deliveryId }),
    methods: { GET: { role: "viewer" } },
  },
  {
    file: "deliveries/[deliveryId]/retry/route.ts",
    module: deliveryRetry,
    path: (p) => `/api/v1/deliveries/${p.deliveryId}/retry`,
    params: (w) => ({ deliveryId: w.deliveryId }),
    methods: { POST: { role: "admin" } },
  },
  {
    file: "api-keys/route.ts",
    module: apiKeys,
    path: () => "/api/v1/api-keys",
    params: () => ({}),
    methods: {
      GET: { role: "admin", paginated: true },
      POST: { role: "admin", maxBodyBytes: MB, validBody: { name: "new key" } },
    },
  },
  {
    file: "api-keys/[apiKeyId]/route.ts",
    module: apiKeyItem,
    path: (p) => `/api/v1/api-keys/${p.apiKeyId}`,
    params: (w) => ({ apiKeyId: w.spareKeyId }),
    methods: { DELETE: { role: "admin" } },
  },
  {
    file: "audit-log/route.ts",
    module: auditLog,
    path: () => "/api/v1/audit-log",
    params: () => ({}),
    methods: { GET: { role: "admin", paginated: true } },
  },
  {
    file: "event-types/route.ts",
    module: eventTypes,
    path: () => "/api/v1/event-types",
    params: () => ({}),
    methods: { GET: { role: "viewer" } },
  },
  {
    file: "openapi.json/route.ts",
    module: openapi,
    path: () => "/api/v1/openapi.json",
    params: () => ({}),
    methods: { GET: { role: "viewer" } },
  },
  {
    file: "notifications/route.ts",
    module: notifications,
    path: () => "/api/v1/notifications",
    params: () => ({}),
    methods: { GET: { role: "viewer", paginated: true } },
  },
  {
    file: "notifications/[noticeId]/read/route.ts",
    module: noticeRead,
    path: (p) => `/api/v1/notifications/${p.noticeId}/read`,
    params: (w) => ({ noticeId: w.noticeId }),
    methods: { POST: { role: "viewer", userOnly: true } },
  },
  {
    file: "notifications/read-all/route.ts",
    module: notificationsReadAll,
    path: () => "/api/v1/notifications/read-all",
    params: () => ({}),
    methods: { POST: { role: "viewer", userOnly: true } },
  },
  {
    file: "notifications/preferences/route.ts",
    module: notificationPreferences,
    path: () => "/api/v1/notifications/preferences",
    params: () => ({}),
    methods: {
      GET: { role: "viewer", userOnly: true },
      PATCH: { role: "viewer", userOnly: true, maxBodyBytes: MB, validBody: { email: false } },
    },
  },
  {
    file: "account/retention/route.ts",
    module: retention,
    path: () => "/api/v1/account/retention",
    params: () => ({}),
    methods: {
      GET: { role: "viewer" },
      PATCH: { role: "owner", maxBodyBytes: MB, validBody: { retention_days: 30 } },
    },
  },
  {
    file: "stats/deliveries/route.ts",
    module: deliveryStats,
    path: () => "/api/v1/stats/deliveries",
    params: () => ({}),
    methods: { GET: { role: "viewer" } },
  },
];

/** The catch-all answers every other /api/v1 path with the API's JSON 404 (no auth needed). */
export const CATCH_ALL = { file: "[...path]/route.ts", module: catchAll };

/** Every route.ts under app/api/v1, relative to it. */
export function routeFilesOnDisk(): string[] {
  const root = path.join(process.cwd(), "app/api/v1");
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^route\.(ts|tsx|js|mjs)$/.test(entry.name)) found.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  walk(root);
  return found.sort();
}

export function handlerOf(route: { module: Record<string, unknown> }, method: Method): Handler {
  const handler = route.module[method];
  if (typeof handler !== "function") throw new Error(`no ${method} handler`);
  return handler as Handler;
}
