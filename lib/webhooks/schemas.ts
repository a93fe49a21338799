import { z } from "zod";
import { headerNameProblem, headerValueProblem, MAX_CUSTOM_HEADERS } from "./custom-headers";
import { EVENT_TYPE_NAMES, isEventType } from "./event-types";
import { compileFilter, describeFilterProblem } from "./filter";
import { HEALTH_STATES, RECENT_ATTEMPTS } from "./health";
import { DEFAULT_GRACE_PERIOD_SECONDS, MAX_GRACE_PERIOD_SECONDS, MAX_URL_LENGTH } from "./limits";

export const ENVIRONMENTS = ["production", "staging", "development"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

// The URL's rules (lib/webhooks/url-policy.ts) run in the domain functions, where the
// environment is known (so the length rule answers as `url_not_allowed` too); here only its
// type and a generous outer bound.
const url = z.string().trim().min(1, "is required").max(MAX_URL_LENGTH * 8);

const eventTypes = z
  .array(z.string())
  .min(1, "choose at least one event type")
  .max(EVENT_TYPE_NAMES.length * 2)
  .superRefine((types, ctx) => {
    types.forEach((type, index) => {
      if (!isEventType(type)) ctx.addIssue({ code: "custom", path: [index], message: `unknown event type: ${type}` });
    });
  })
  // Stored in catalog order, without duplicates.
  .transform((types) => EVENT_TYPE_NAMES.filter((name) => types.includes(name)));

// A CEL expression (lib/webhooks/filter.ts); null or "" for none. A problem names its position.
const filter = z
  .string()
  .max(4096)
  .nullable()
  .superRefine((expression, ctx) => {
    if (expression === null || expression.trim() === "") return;
    const compiled = compileFilter(expression);
    if ("problem" in compiled) {
      ctx.addIssue({ code: "custom", message: `is not a valid filter: ${describeFilterProblem(compiled.problem)}`, params: { position: compiled.problem.position } });
    }
  })
  .transform((expression) => (expression === null || expression.trim() === "" ? null : expression));

const rateLimitPerSecond = z.number().int().min(1).max(1000).nullable();

// Custom headers: name → value; on update a value of null removes that header (merge patch).
function customHeaders<V extends z.ZodType<string | null>>(value: V) {
  return z.record(z.string(), value).superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_CUSTOM_HEADERS) ctx.addIssue({ code: "custom", message: `at most ${MAX_CUSTOM_HEADERS} headers` });
    const seen = new Set<string>();
    for (const name of names) {
      const problem = headerNameProblem(name) ?? (typeof headers[name] === "string" ? headerValueProblem(headers[name]) : null);
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
      if (seen.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path: [name], message: "is given twice (header names ignore case)" });
      seen.add(name.toLowerCase());
    }
  });
}

export const createEndpointInput = z.strictObject({
  url,
  description: z.string().trim().max(500).default(""),
  environment: z.enum(ENVIRONMENTS).default("production"),
  event_types: eventTypes,
  standard_webhooks: z.boolean().default(false),
  filter: filter.default(null),
  rate_limit_per_second: rateLimitPerSecond.default(null),
  headers: customHeaders(z.string()).default({}),
});
export type CreateEndpointInput = z.infer<typeof createEndpointInput>;

export const updateEndpointInput = z
  .strictObject({
    url: url.optional(),
    description: z.string().trim().max(500).optional(),
    environment: z.enum(ENVIRONMENTS).optional(),
    event_types: eventTypes.optional(),
    standard_webhooks: z.boolean().optional(),
    status: z.enum(["active", "disabled"]).optional(),
    filter: filter.optional(),
    rate_limit_per_second: rateLimitPerSecond.optional(),
    headers: customHeaders(z.string().nullable()).optional(),
  })
  .refine((input) => Object.values(input).some((v) => v !== undefined), { message: "change at least one field" });
export type UpdateEndpointInput = z.infer<typeof updateEndpointInput>;

export const rotateSecretInput = z.strictObject({
  grace_period_seconds: z.number().int().min(0).max(MAX_GRACE_PERIOD_SECONDS).default(DEFAULT_GRACE_PERIOD_SECONDS),
});
export type RotateSecretInput = z.infer<typeof rotateSecretInput>;

/** Plain-language reading of the last failed attempt (lib/webhooks/diagnosis.ts). */
export const diagnosisOutput = z.object({
  code: z.string(),
  summary: z.string(),
  action: z.string(),
  response_excerpt: z.string().nullable(),
  attempted_at: z.string(),
});

/** The endpoint's health from its recent attempts (lib/webhooks/health.ts). */
export const healthOutput = z.object({
  state: z.enum(HEALTH_STATES),
  /** Since when: the first failed attempt of the run (failing), or when it was disabled. */
  since: z.string().nullable(),
  disabled_reason: z.string().nullable(),
  consecutive_failures: z.number().int(),
  /** Failed attempts among the last `recent_attempts_considered`. */
  recent_failures: z.number().int(),
  recent_attempts_considered: z.literal(RECENT_ATTEMPTS),
  /** While failing: when it will be disabled automatically unless an attempt succeeds before. */
  disables_at: z.string().nullable(),
  /** While not healthy, on GET /webhooks/{id} only (null in lists). */
  diagnosis: diagnosisOutput.nullable(),
});
export type HealthOutput = z.infer<typeof healthOutput>;

// Output schemas: what the API may say about an endpoint. No secret field exists here, so a
// list or GET cannot carry one; the secret has its own response shapes below.
export const endpointOutput = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  environment: z.enum(ENVIRONMENTS),
  event_types: z.array(z.string()),
  status: z.enum(["active", "disabled"]),
  disabled_reason: z.string().nullable(),
  disabled_at: z.string().nullable(),
  standard_webhooks: z.boolean(),
  filter: z.string().nullable(),
  rate_limit_per_second: z.number().int().nullable(),
  /** Custom headers, values masked. */
  headers: z.record(z.string(), z.string()),
  /** While a rolled-out secret still signs X-DB24x7-Signature (see secrets.ts). */
  previous_secret_expires_at: z.string().nullable(),
  failing_since: z.string().nullable(),
  health: healthOutput,
  created_at: z.string(),
  updated_at: z.string(),
});
export type EndpointOutput = z.infer<typeof endpointOutput>;

/** Attempts over the last 24 hours, test deliveries left out (lib/deliveries/stats.ts counts them). */
export const deliveryCountsOutput = z.object({
  succeeded: z.number().int(),
  failed: z.number().int(),
  /** succeeded / (succeeded + failed) attempts; null when none was made. */
  success_rate: z.number().nullable(),
});
export type DeliveryCountsOutput = z.infer<typeof deliveryCountsOutput>;

export const endpointWithStatsOutput = endpointOutput.extend({ deliveries_24h: deliveryCountsOutput });
export type EndpointWithStatsOutput = z.infer<typeof endpointWithStatsOutput>;

export const createdEndpointOutput = endpointOutput.extend({ secret: z.string() });
export type CreatedEndpointOutput = z.infer<typeof createdEndpointOutput>;

export const secretOutput = z.object({ secret: z.string() });
export const rotatedSecretOutput = z.object({
  secret: z.string(),
  previous_secret_expires_at: z.string().nullable(),
});
export type RotatedSecretOutput = z.infer<typeof rotatedSecretOutput>;
