import "server-only";
import { auditEntry } from "../audit/record";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { AUDIT_TARGET, lockEndpoint } from "./queries";
import { secretOutput } from "./schemas";
import { decryptSigningSecret } from "./secrets";

/** The endpoint's current signing secret; every reveal is recorded in the audit log. */
export async function revealSecret(caller: Caller, endpointId: string): Promise<{ secret: string }> {
  return db.$transaction(async (tx) => {
    const endpoint = await lockEndpoint(tx, caller.accountId, endpointId);
    await tx.auditLogEntry.create({
      data: auditEntry(caller, "webhook_endpoint.secret_revealed", { type: AUDIT_TARGET, id: endpointId }),
    });
    return secretOutput.parse({ secret: decryptSigningSecret(endpoint.id, endpoint.secretEncrypted) });
  });
}
