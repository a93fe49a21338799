import "server-only";
import type { Prisma } from "@prisma/client";
import type pg from "pg";
import type { Caller } from "../auth/caller";
import { sqlTimestamp } from "../db";
import { newId } from "../ids";

/** Audit entry to write inside the same transaction as the change it records. */
export function auditEntry(
  caller: Caller,
  action: string,
  target: { type: string; id: string },
  metadata: Prisma.InputJsonObject = {},
): Prisma.AuditLogEntryUncheckedCreateInput {
  return {
    id: newId("aud"),
    accountId: caller.accountId,
    actorType: caller.actor.type,
    actorId: caller.actor.id,
    actorLabel: caller.actor.label,
    action,
    targetType: target.type,
    targetId: target.id,
    metadata,
  };
}

/** Writes entries on a pg connection, inside the caller's transaction (the SQL paths' createMany). */
export async function writeAuditEntries(client: pg.PoolClient, entries: Prisma.AuditLogEntryUncheckedCreateInput[], now: Date) {
  if (entries.length === 0) return;
  await client.query(
    `INSERT INTO audit_log_entries (id, account_id, actor_type, actor_id, actor_label, action, target_type, target_id, metadata, created_at)
     SELECT x.id, x."accountId", x."actorType", x."actorId", x."actorLabel", x.action, x."targetType", x."targetId", coalesce(x.metadata, '{}'), $2
     FROM json_to_recordset($1::json) AS x(id text, "accountId" text, "actorType" text, "actorId" text, "actorLabel" text,
       action text, "targetType" text, "targetId" text, metadata jsonb)`,
    [JSON.stringify(entries), sqlTimestamp(now)],
  );
}
