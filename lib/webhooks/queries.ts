import "server-only";
import type { Prisma, WebhookEndpoint } from "@prisma/client";
import { notFound } from "../api/errors";
import { db } from "../db";

export const ENDPOINT_NOT_FOUND = "Webhook endpoint";
export const AUDIT_TARGET = "webhook_endpoint";

/** The caller's live (not deleted) endpoint, or a 404 — another account's id looks the same. */
export async function findEndpoint(accountId: string, endpointId: string): Promise<WebhookEndpoint> {
  const endpoint = await db.webhookEndpoint.findFirst({ where: { id: endpointId, accountId, deletedAt: null } });
  if (!endpoint) throw notFound(ENDPOINT_NOT_FOUND);
  return endpoint;
}

/**
 * Inside a transaction: locks the endpoint row (SELECT … FOR UPDATE, scoped by account) and
 * reads it, so a change computed from it cannot lose a concurrent one. 404 when absent.
 */
export async function lockEndpoint(
  tx: Prisma.TransactionClient,
  accountId: string,
  endpointId: string,
): Promise<WebhookEndpoint> {
  await tx.$queryRaw`SELECT id FROM webhook_endpoints WHERE id = ${endpointId} AND account_id = ${accountId} AND deleted_at IS NULL FOR UPDATE`;
  const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: endpointId, accountId, deletedAt: null } });
  if (!endpoint) throw notFound(ENDPOINT_NOT_FOUND);
  return endpoint;
}
