import "server-only";
import { auditEntry } from "../audit/record";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { AUDIT_TARGET, lockEndpoint } from "./queries";
import { rotatedSecretOutput, type RotateSecretInput, type RotatedSecretOutput } from "./schemas";
import { encryptSigningSecret, generateSigningSecret } from "./secrets";

/**
 * Rolls the signing secret. With a grace period the current secret becomes the previous one
 * and keeps signing X-DB24x7-Signature until it expires (secrets.ts explains why); rolling
 * again during a grace period replaces the previous secret, ending its grace period.
 */
export async function rotateSecret(caller: Caller, endpointId: string, input: RotateSecretInput): Promise<RotatedSecretOutput> {
  const secret = generateSigningSecret();
  return db.$transaction(async (tx) => {
    const endpoint = await lockEndpoint(tx, caller.accountId, endpointId);
    const grace = input.grace_period_seconds;
    const expiresAt = grace > 0 ? new Date(Date.now() + grace * 1000) : null;
    await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, accountId: caller.accountId, deletedAt: null },
      data: {
        secretEncrypted: encryptSigningSecret(endpoint.id, secret),
        previousSecretEncrypted: expiresAt ? endpoint.secretEncrypted : null,
        previousSecretExpiresAt: expiresAt,
      },
    });
    await tx.auditLogEntry.create({
      data: auditEntry(caller, "webhook_endpoint.secret_rotated", { type: AUDIT_TARGET, id: endpointId }, {
        grace_period_seconds: grace,
        previous_secret_expires_at: expiresAt?.toISOString() ?? null,
      }),
    });
    return rotatedSecretOutput.parse({ secret, previous_secret_expires_at: expiresAt?.toISOString() ?? null });
  });
}
