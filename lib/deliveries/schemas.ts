import { z } from "zod";

export const DELIVERY_STATUSES = ["pending", "retrying", "succeeded", "failed", "cancelled", "skipped"] as const;

export const attemptOutput = z.object({
  id: z.string(),
  number: z.number(),
  trigger: z.enum(["scheduled", "manual", "test"]),
  created_at: z.string(),
  request: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() }),
  response: z
    .object({
      status: z.number(),
      headers: z.record(z.string(), z.string()),
      body: z.string(),
      /** The body was removed after the account's body retention (body is then ""). */
      body_trimmed: z.boolean(),
    })
    .nullable(),
  duration_ms: z.number(),
  succeeded: z.boolean(),
  error: z.object({ class: z.string(), message: z.string() }).nullable(),
});
export type AttemptOutput = z.infer<typeof attemptOutput>;

export const deliveryOutput = z.object({
  id: z.string(),
  event_id: z.string(),
  endpoint_id: z.string(),
  event_type: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  is_test: z.boolean(),
  attempt_count: z.number(),
  next_attempt_at: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  last_status_code: z.number().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});
export type DeliveryOutput = z.infer<typeof deliveryOutput>;

export const deliveryDetailOutput = deliveryOutput.extend({
  attempts: z.array(attemptOutput),
  max_attempts: z.number(),
});
export type DeliveryDetailOutput = z.infer<typeof deliveryDetailOutput>;

export const listDeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  event_type: z.string().max(100).optional(),
  event_id: z.string().trim().max(100).optional(),
});
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuery>;

export const retryFailedInput = z.strictObject({
  since: z.iso.datetime({ offset: true }),
});

export const sendTestEventInput = z.strictObject({
  event_type: z.string().min(1).max(100),
});
