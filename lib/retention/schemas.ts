import { z } from "zod";

export const RETENTION_BOUNDS = { min: 1, max: 365 } as const;

const days = z.number().int().min(RETENTION_BOUNDS.min).max(RETENTION_BOUNDS.max);

// Either or both; the body retention may not exceed the history retention (checked against
// what will be stored, in lib/retention/settings.ts).
export const updateRetentionInput = z
  .strictObject({ retention_days: days.optional(), body_retention_days: days.optional() })
  .refine((v) => v.retention_days !== undefined || v.body_retention_days !== undefined, {
    message: "name retention_days, body_retention_days or both",
  });
export type UpdateRetentionInput = z.infer<typeof updateRetentionInput>;

export const retentionOutput = z.object({ retention_days: z.number().int(), body_retention_days: z.number().int() });
export type RetentionOutput = z.infer<typeof retentionOutput>;
