// GET /api/v1/openapi.json: the API description, built from the very zod schemas the routes
// validate with and answer through, so the document cannot drift from the code.
// test/api/openapi.test.ts fails when a route file exports a method this table lacks.
import { z, type ZodType } from "zod";
import { apiKeyOutput, createApiKeyInput } from "../api-keys/schemas";
import { auditEntryOutput, auditLogQuery } from "../audit/schemas";
import {
  deliveryDetailOutput,
  deliveryOutput,
  listDeliveriesQuery,
  retryFailedInput,
  sendTestEventInput,
} from "../deliveries/schemas";
import { deliveryStatsOutput } from "../deliveries/stats";
import { eventOutput, publishEventInput, publishEventOutput } from "../events/schemas";
import {
  markAllReadOutput,
  notificationListOutput,
  notificationOutput,
  notificationPreferencesInput,
  notificationPreferencesOutput,
  notificationsQuery,
} from "../notices/schemas";
import {
  createdEndpointOutput,
  createEndpointInput,
  endpointWithStatsOutput,
  rotatedSecretOutput,
  rotateSecretInput,
  secretOutput,
  updateEndpointInput,
} from "../webhooks/schemas";
import { retentionOutput, updateRetentionInput } from "../retention/schemas";
import { paginationQuery } from "./pagination";

type Role = "viewer" | "admin" | "owner";

export interface Operation {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  summary: string;
  /** What the operation does beyond its summary, before the role it needs. */
  description?: string;
  role: Role;
  query?: ZodType;
  body?: ZodType;
  status?: number;
  response?: ZodType;
}

const listOf = (item: ZodType) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export const OPERATIONS: Operation[] = [
  { method: "GET", path: "/api/v1/api-keys", summary: "List API keys", role: "admin", query: paginationQuery, response: listOf(apiKeyOutput) },
  { method: "POST", path: "/api/v1/api-keys", summary: "Create an API key (the key is in this response only)", role: "admin", body: createApiKeyInput, status: 201, response: apiKeyOutput.extend({ key: z.string() }) },
  { method: "DELETE", path: "/api/v1/api-keys/{apiKeyId}", summary: "Revoke an API key", role: "admin", response: apiKeyOutput },
  {
    method: "GET",
    path: "/api/v1/webhooks",
    summary: "List webhook endpoints",
    description:
      "Each with its `health` (healthy, degraded, failing, disabled) from its recent attempts and `deliveries_24h` (attempts of the last 24 hours); " +
      "`health.diagnosis` is null here: GET /api/v1/webhooks/{endpointId} reads it.",
    role: "viewer",
    query: paginationQuery,
    response: listOf(endpointWithStatsOutput),
  },
  { method: "POST", path: "/api/v1/webhooks", summary: "Create a webhook endpoint (its signing secret is in this response)", role: "admin", body: createEndpointInput, status: 201, response: createdEndpointOutput },
  {
    method: "GET",
    path: "/api/v1/webhooks/{endpointId}",
    summary: "Get a webhook endpoint",
    description:
      "With its `health`: while it is not healthy, `health.diagnosis` reads its last failed attempt in plain words, with what to do; " +
      "while it is failing, `health.disables_at` says when it will be disabled automatically unless an attempt succeeds before.",
    role: "viewer",
    response: endpointWithStatsOutput,
  },
  { method: "PATCH", path: "/api/v1/webhooks/{endpointId}", summary: "Edit, enable or disable a webhook endpoint", role: "admin", body: updateEndpointInput, response: endpointWithStatsOutput },
  { method: "DELETE", path: "/api/v1/webhooks/{endpointId}", summary: "Delete a webhook endpoint", role: "admin", status: 204 },
  { method: "GET", path: "/api/v1/webhooks/{endpointId}/secret", summary: "Reveal the signing secret", role: "admin", response: secretOutput },
  { method: "POST", path: "/api/v1/webhooks/{endpointId}/rotate-secret", summary: "Roll the signing secret, keeping the previous one valid for a grace period", role: "admin", body: rotateSecretInput, response: rotatedSecretOutput },
  {
    method: "POST",
    path: "/api/v1/webhooks/{endpointId}/test",
    summary: "Queue a test event (the type's sample) for the endpoint",
    description:
      "Answers at once with the test delivery queued: status `pending`, no attempts. Its one attempt is made a moment later, " +
      "without retries; read GET /api/v1/deliveries/{deliveryId} until it is no longer `pending` to see the endpoint's answer.",
    role: "admin",
    body: sendTestEventInput,
    status: 202,
    response: deliveryDetailOutput,
  },
  { method: "GET", path: "/api/v1/webhooks/{endpointId}/deliveries", summary: "Delivery history, newest first", role: "viewer", query: listDeliveriesQuery, response: listOf(deliveryOutput) },
  { method: "POST", path: "/api/v1/webhooks/{endpointId}/retry-failed", summary: "Retry every failed delivery since a time", role: "admin", body: retryFailedInput, status: 202, response: z.object({ retried: z.number() }) },
  { method: "GET", path: "/api/v1/deliveries/{deliveryId}", summary: "A delivery with every attempt", role: "viewer", response: deliveryDetailOutput },
  {
    method: "POST",
    path: "/api/v1/deliveries/{deliveryId}/retry",
    summary: "Queue a manual attempt of a delivery now",
    description:
      "Answers at once with the delivery queued: status `retrying`, `next_attempt_at` null for a failed or cancelled " +
      "delivery (no scheduled attempt; a retrying one keeps its schedule), and the attempts made so far. The manual attempt is made a moment " +
      "later; read GET /api/v1/deliveries/{deliveryId} until a new attempt appears or the status settles.",
    role: "admin",
    response: deliveryDetailOutput,
  },
  { method: "POST", path: "/api/v1/events", summary: "Publish an event to every subscribed endpoint", role: "admin", body: publishEventInput, status: 202, response: publishEventOutput },
  { method: "GET", path: "/api/v1/events/{eventId}", summary: "An event and its deliveries", role: "viewer", response: eventOutput },
  { method: "GET", path: "/api/v1/event-types", summary: "The event-type catalog: each type's data JSON Schema and a sample", role: "viewer" },
  { method: "GET", path: "/api/v1/audit-log", summary: "The account's audit log", role: "admin", query: auditLogQuery, response: listOf(auditEntryOutput) },
  { method: "GET", path: "/api/v1/notifications", summary: "The account's notifications (endpoint failing, disabled soon, disabled; delivery exhausted), newest first, with your read marks", role: "viewer", query: notificationsQuery, response: notificationListOutput },
  { method: "POST", path: "/api/v1/notifications/{noticeId}/read", summary: "Mark a notification read (dashboard users only)", role: "viewer", response: notificationOutput },
  { method: "POST", path: "/api/v1/notifications/read-all", summary: "Mark every notification read (dashboard users only)", role: "viewer", response: markAllReadOutput },
  { method: "GET", path: "/api/v1/notifications/preferences", summary: "Your notice mails for this account (dashboard users only)", role: "viewer", response: notificationPreferencesOutput },
  { method: "PATCH", path: "/api/v1/notifications/preferences", summary: "Opt out of (or back into) notice mails for this account (dashboard users only)", role: "viewer", body: notificationPreferencesInput, response: notificationPreferencesOutput },
  {
    method: "GET",
    path: "/api/v1/stats/deliveries",
    summary: "Per endpoint, health and attempts per hour over the last 24 hours",
    description:
      "Attempts, not settled deliveries: a delivery still retrying counts with its failed attempts. The totals count endpoints by health state.",
    role: "viewer",
    response: deliveryStatsOutput,
  },
  { method: "GET", path: "/api/v1/account/retention", summary: "How many days history and response bodies are kept", role: "viewer", response: retentionOutput },
  {
    method: "PATCH",
    path: "/api/v1/account/retention",
    summary: "Change how many days history (1–365) and response bodies (at most the history's days) are kept",
    role: "owner",
    body: updateRetentionInput,
    response: retentionOutput,
  },
  { method: "GET", path: "/api/v1/openapi.json", summary: "This document", role: "viewer" },
];

const roleNote: Record<Role, string> = {
  viewer: "Any member of the account.",
  admin: "Requires an admin or owner (or an admin API key).",
  owner: "Requires an owner, signed in to the dashboard (API keys are at most admin).",
};

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
    },
  },
};

function jsonSchema(schema: ZodType, io: "input" | "output") {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: ZodType) {
  const json = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
    const status = String(op.status ?? 200);
    (paths[op.path] ??= {})[op.method.toLowerCase()] = {
      summary: op.summary,
      description: [op.description, roleNote[op.role]]
        .filter(Boolean)
        .join(" "),
      parameters: [...pathParams, ...(op.query ? queryParameters(op.query) : [])],
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body, "input") } } } } : {}),
      responses: {
        [status]: op.response
          ? { description: op.status === 202 ? "Accepted" : "Success", content: { "application/json": { schema: jsonSchema(op.response, "output") } } }
          : { description: "Success" },
        "4XX": { description: "Error", content: { "application/json": { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "DB24x7 Webhooks API",
      version: "1",
      description:
        "Publish database events and manage webhook endpoints. Authenticate with `Authorization: Bearer <API key>`. " +
        "Errors are `{ error: { code, message, details? } }`; lists are `{ data, next_cursor }`, newest first.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
