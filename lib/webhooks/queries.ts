import "server-only";
import type { Prisma, WebhookEndpoint } from "@prisma/client";
import { notFound } from "../api/errors";
import { db } from "../db";
import type { DeliveryStatsOutput } from "./schemas";

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

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deliveries settled in the last 24 hours per endpoint, test deliveries left out: the same
 * counting as the dashboard home (lib/deliveries/stats.ts), so the two never disagree.
 */
export async function deliveryStats(
  accountId: string,
  endpointIds: string[],
  now: Date = new Date(),
): Promise<Map<string, DeliveryStatsOutput>> {
  const stats = new Map(endpointIds.map((id) => [id, { succeeded: 0, failed: 0, success_rate: null as number | null }]));
  if (endpointIds.length === 0) return stats;
  const groups = await db.delivery.groupBy({
    by: ["endpointId", "status"],
    where: {
      accountId,
      endpointId: { in: endpointIds },
      status: { in: ["succeeded", "failed"] },
      isTest: false,
      completedAt: { gte: new Date(now.getTime() - DAY_MS) },
    },
    _count: { _all: true },
  });
  for (const group of groups) {
    const entry = stats.get(group.endpointId)!;
    if (group.status === "succeeded") entry.succeeded = group._count._all;
    else entry.failed = group._count._all;
  }
  for (const entry of stats.values()) {
    const settled = entry.succeeded + entry.failed;
    entry.success_rate = settled === 0 ? null : entry.succeeded / settled;
  }
  return stats;
}
