import { z } from "zod";

export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1, "is required").max(100),
  role: z.enum(["admin", "viewer"]).default("admin"),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

// Output schema: the key itself appears only in the create response.
export const apiKeyOutput = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: z.enum(["owner", "admin", "viewer"]),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type ApiKeyOutput = z.infer<typeof apiKeyOutput>;
