import "server-only";
import { afterCursor, newestFirst, page } from "../api/pagination";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { auditEntryOutput, type AuditEntryOutput, type AuditLogQuery } from "./schemas";

/** The account's audit log, newest first, optionally for one target (e.g. an endpoint). */
export async function listAuditEntries(
  caller: Caller,
  query: AuditLogQuery,
): Promise<{ data: AuditEntryOutput[]; next_cursor: string | null }> {
  const rows = await db.auditLogEntry.findMany({
    where: {
      accountId: caller.accountId,
      ...(query.target_id ? { targetId: query.target_id } : {}),
      ...afterCursor(query.cursor),
    },
    orderBy: newestFirst,
    take: query.limit + 1,
  });
  const result = page(rows, query.limit);
  return {
    data: result.rows.map((row) =>
      auditEntryOutput.parse({
        id: row.id,
        action: row.action,
        actor: { type: row.actorType, id: row.actorId, label: row.actorLabel },
        target: { type: row.targetType, id: row.targetId },
        metadata: row.metadata ?? {},
        created_at: row.createdAt.toISOString(),
      }),
    ),
    next_cursor: result.nextCursor,
  };
}
