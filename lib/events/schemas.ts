import { z } from "zod";
import { deliveryOutput } from "../deliveries/schemas";

export const ENVIRONMENTS = ["production", "staging", "development"] as const;

// Events are at most 256 KB on the wire (the whole signed body).
export const MAX_EVENT_BYTES = 256 * 1024;

export const publishEventInput = z.strictObject({
  type: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()),
  environment: z.enum(ENVIRONMENTS).default("production"),
  // The producer's own id: publishing the same id again returns the first result.
  id: z.string().trim().min(1).max(255).optional(),
});
export type PublishEventInput = z.infer<typeof publishEventInput>;

export const publishEventOutput = z.object({
  id: z.string(),
  deliveries: z.array(z.object({ id: z.string(), endpoint_id: z.string() })),
  duplicate: z.boolean(),
});
export type PublishEventOutput = z.infer<typeof publishEventOutput>;

export const eventOutput = z.object({
  id: z.string(),
  type: z.string(),
  environment: z.enum(ENVIRONMENTS),
  created_at: z.string(),
  external_id: z.string().nullable(),
  is_test: z.boolean(),
  data: z.unknown(),
  deliveries: z.array(deliveryOutput),
});
