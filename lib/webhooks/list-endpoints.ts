import "server-only";
import { afterCursor, newestFirst, page } from "../api/pagination";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { endpointDeliveryCounts } from "../deliveries/stats";
import { deliveryConfig } from "../deliveries/config";
import type { ErrorClass } from "../deliveries/send-request";
import { diagnose, type FailedAttempt } from "./diagnosis";
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

/** One endpoint, with the diagnosis of its last failed attempt while it is not healthy (lists leave that out). */
export async function getEndpoint(caller: Caller, endpointId: string): Promise<EndpointWithStatsOutput> {
  const endpoint = await findEndpoint(caller.accountId, endpointId);
  const unhealthy = endpoint.status === "disabled" || endpoint.recentFailures !== 0 || endpoint.failureStreak > 0;
  const [stats, failed] = await Promise.all([
    endpointDeliveryCounts(caller.accountId, [endpoint.id]),
    unhealthy ? lastFailedAttempt(caller.accountId, endpoint.id) : null,
  ]);
  const diagnosis = failed
    ? diagnose(failed, { timeoutMs: deliveryConfig().timeoutMs, previousSecretExpiresAt: endpoint.previousSecretExpiresAt })
    : null;
  return { ...toEndpointOutput(endpoint, new Date(), diagnosis), deliveries_24h: stats.get(endpoint.id)! };
}

// The endpoint's latest failed attempt among its 100 newest deliveries' attempts: bounded, on the
// (endpoint_id, created_at) and (delivery_id, number) indexes, whatever the history's size.
const RECENT_DELIVERIES = 100;

async function lastFailedAttempt(accountId: string, endpointId: string): Promise<FailedAttempt | null> {
  const rows = await db.$queryRaw<
    { error_class: ErrorClass; error_message: string | null; response_status: number | null; response_body: string | null; at_ms: number }[]
  >`
    WITH recent AS (
      SELECT id FROM deliveries
       WHERE account_id = ${accountId} AND endpoint_id = ${endpointId} AND is_test = false AND last_attempt_at IS NOT NULL
       ORDER BY created_at DESC LIMIT ${RECENT_DELIVERIES})
    SELECT a.error_class, a.error_message, a.response_status, left(a.response_body, 1000) AS response_body,
           (extract(epoch FROM a.created_at) * 1000)::float8 AS at_ms
      FROM recent CROSS JOIN LATERAL (
        SELECT * FROM delivery_attempts a
         WHERE a.delivery_id = recent.id AND a.account_id = ${accountId} AND NOT a.succeeded AND a.error_class IS NOT NULL
         ORDER BY a.number DESC LIMIT 1) a
     ORDER BY a.created_at DESC LIMIT 1`;
  const row = rows[0];
  if (!row) return null;
  return {
    errorClass: row.error_class,
    errorMessage: row.error_message,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    at: new Date(Math.round(row.at_ms)),
  };
}
