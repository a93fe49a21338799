import "server-only";
import type { Prisma } from "@prisma/client";
import type { Caller } from "../auth/caller";
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
