import "server-only";
import { afterCursor, newestFirst, page } from "../api/pagination";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { endpointDeliveryCounts } from "../deliveries/stats";
import { toEndpointOutput } from "./endpoint-output";
import { findEndpoint } from "./queries";
import type { EndpointWithStatsOutput } from "./schemas";

export async function listEndpoints(
  caller: Caller,
  query: { limit: number; cursor?: string },
): Promise<{ data: EndpointWithStatsOutput[]; next_cursor: string | null }> {
  const rows = await db.webhookEndpoint.findMany({
    where: { accountId: caller.accountId, deletedAt: null, ...afterCursor(query.cursor) },
    orderBy: newestFirst,
    take: query.limit + 1,
  });
  const result = page(rows, query.limit);
  const stats = await endpointDeliveryCounts(caller.accountId, result.rows.map((r) => r.id));
  return {
    data: result.rows.map((row) => ({ ...toEndpointOutput(row), deliveries_24h: stats.get(row.id)! })),
    next_cursor: result.nextCursor,
  };
}

export async function getEndpoint(caller: Caller, endpointId: string): Promise<EndpointWithStatsOutput> {
  const endpoint = await findEndpoint(caller.accountId, endpointId);
  const stats = await endpointDeliveryCounts(caller.accountId, [endpoint.id]);
  return { ...toEndpointOutput(endpoint), deliveries_24h: stats.get(endpoint.id)! };
}
