import "server-only";
import { notFound } from "../api/errors";
import { auditEntry } from "../audit/record";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { AUDIT_TARGET, ENDPOINT_NOT_FOUND } from "./queries";

/** Soft delete: the endpoint stops receiving at once and disappears; its history stays. */
export async function deleteEndpoint(caller: Caller, endpointId: string): Promise<{ id: string; deleted: true }> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, accountId: caller.accountId, deletedAt: null },
      data: { deletedAt: new Date() },
    });
    if (count === 0) throw notFound(ENDPOINT_NOT_FOUND);
    await tx.auditLogEntry.create({ data: auditEntry(caller, "webhook_endpoint.deleted", { type: AUDIT_TARGET, id: endpointId }) });
    return { id: endpointId, deleted: true as const };
  });
}
