import { z } from "zod";
import { paginationQuery } from "../api/pagination";

export const auditLogQuery = paginationQuery.extend({
  target_id: z.string().min(1).max(200).optional(),
});
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

export const auditEntryOutput = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.object({ type: z.string(), id: z.string(), label: z.string() }),
  target: z.object({ type: z.string(), id: z.string() }),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export type AuditEntryOutput = z.infer<typeof auditEntryOutput>;
