import "server-only";
import { Prisma } from "@prisma/client";
import { z } from "zod";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { deliveryCountsOutput, ENVIRONMENTS, type DeliveryCountsOutput } from "../webhooks/schemas";

// Delivery statistics: per live endpoint, settled deliveries of the last 24 hours in hourly
// buckets, for the dashboard home and (summed) for each endpoint's `deliveries_24h`, counted
// once here so the two never disagree. A delivery counts in the hour it settled
// (completed_at): that is when it became a success or a failure. Test deliveries are left
// out; they say nothing about how the endpoint does with real events.

export const HOURS = 24;
const HOUR_MS = 3_600_000;
// Deliveries settle at most ~15 h after creation on the documented schedule; a manual retry
// can settle an older one. This bound keeps the query on the (account_id, created_at) index.
const OLDEST_CREATED_MS = 8 * 24 * HOUR_MS;
export const MAX_STATS_ENDPOINTS = 200;

const hourOutput = z.object({ hour: z.string(), succeeded: z.number().int(), failed: z.number().int() });

export const endpointStatsOutput = deliveryCountsOutput.extend({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  environment: z.enum(ENVIRONMENTS),
  status: z.enum(["active", "disabled"]),
  disabled_reason: z.string().nullable(),
  hours: z.array(hourOutput),
});
export type EndpointStatsOutput = z.infer<typeof endpointStatsOutput>;

export const deliveryStatsOutput = z.object({
  /** The window: whole hours, the last one the current (partial) hour. */
  from: z.string(),
  to: z.string(),
  totals: deliveryCountsOutput.extend({
    deliveries: z.number().int(),
    failing_endpoints: z.number().int(),
  }),
  /** Endpoints with failures first, then by success rate ascending, then busiest first. */
  endpoints: z.array(endpointStatsOutput),
  /** True when the account has more live endpoints than the dashboard lists. */
  truncated: z.boolean(),
});
export type DeliveryStatsOutput = z.infer<typeof deliveryStatsOutput>;

const rate = (succeeded: number, failed: number) => (succeeded + failed === 0 ? null : succeeded / (succeeded + failed));

type Hour = { succeeded: number; failed: number };
const emptyHours = (): Hour[] => Array.from({ length: HOURS }, () => ({ succeeded: 0, failed: 0 }));

/** The window: the current hour and the HOURS - 1 before it, as epoch hours. */
function hourWindow(now: Date) {
  const currentHour = Math.floor(now.getTime() / HOUR_MS);
  return { firstHour: currentHour - (HOURS - 1), from: new Date((currentHour - (HOURS - 1)) * HOUR_MS) };
}

/** Settled deliveries of the window hour by hour, for the given endpoints (all when omitted). */
async function settledByHour(accountId: string, now: Date, endpointIds?: string[]): Promise<Map<string, Hour[]>> {
  const { firstHour, from } = hourWindow(now);
  const oldestCreated = new Date(from.getTime() - OLDEST_CREATED_MS);
  // Timestamps are stored as UTC without a zone; the epoch hour is computed in SQL and the
  // bounds are passed as text, so neither side depends on a session time zone.
  const rows = await db.$queryRaw<{ endpoint_id: string; hour: number; succeeded: bigint; failed: bigint }[]>`
    SELECT d.endpoint_id,
           floor(extract(epoch FROM d.completed_at) / 3600)::int AS hour,
           count(*) FILTER (WHERE d.status = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE d.status = 'failed') AS failed
      FROM deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.account_id = d.account_id AND e.deleted_at IS NULL
     WHERE d.account_id = ${accountId}
       ${endpointIds ? Prisma.sql`AND d.endpoint_id = ANY(${endpointIds}::text[])` : Prisma.empty}
       AND d.is_test = false
       AND d.status IN ('succeeded', 'failed')
       AND d.created_at >= ${oldestCreated.toISOString()}::timestamptz AT TIME ZONE 'UTC'
       AND d.completed_at >= ${from.toISOString()}::timestamptz AT TIME ZONE 'UTC'
       AND d.completed_at <= ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
     GROUP BY 1, 2`;
  const byEndpoint = new Map<string, Hour[]>();
  for (const row of rows) {
    let hours = byEndpoint.get(row.endpoint_id);
    if (!hours) byEndpoint.set(row.endpoint_id, (hours = emptyHours()));
    const bucket = hours[row.hour - firstHour];
    if (!bucket) continue;
    bucket.succeeded += Number(row.succeeded);
    bucket.failed += Number(row.failed);
  }
  return byEndpoint;
}

function counts(hours: Hour[]): DeliveryCountsOutput {
  const succeeded = hours.reduce((n, h) => n + h.succeeded, 0);
  const failed = hours.reduce((n, h) => n + h.failed, 0);
  return { succeeded, failed, success_rate: rate(succeeded, failed) };
}

/** Each endpoint's settled deliveries over the window, summed: its `deliveries_24h`. */
export async function endpointDeliveryCounts(
  accountId: string,
  endpointIds: string[],
  now: Date = new Date(),
): Promise<Map<string, DeliveryCountsOutput>> {
  const byEndpoint = endpointIds.length === 0 ? new Map<string, Hour[]>() : await settledByHour(accountId, now, endpointIds);
  return new Map(endpointIds.map((id) => [id, counts(byEndpoint.get(id) ?? emptyHours())]));
}

/** The dashboard home: every live endpoint's hours, failing endpoints first, and the totals. */
export async function deliveryStats(caller: Caller, now: Date = new Date()): Promise<DeliveryStatsOutput> {
  const { firstHour, from } = hourWindow(now);
  const [endpoints, byEndpoint] = await Promise.all([
    db.webhookEndpoint.findMany({
      where: { accountId: caller.accountId, deletedAt: null },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: MAX_STATS_ENDPOINTS + 1,
      select: { id: true, url: true, description: true, environment: true, status: true, disabledReason: true },
    }),
    settledByHour(caller.accountId, now),
  ]);

  const listed = endpoints.slice(0, MAX_STATS_ENDPOINTS);
  const stats = listed.map((endpoint) => {
    const hours = byEndpoint.get(endpoint.id) ?? emptyHours();
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      environment: endpoint.environment,
      status: endpoint.status,
      disabled_reason: endpoint.disabledReason,
      ...counts(hours),
      hours: hours.map((h, i) => ({ hour: new Date((firstHour + i) * HOUR_MS).toISOString(), ...h })),
    };
  });
  stats.sort(
    (a, b) =>
      Number(b.failed > 0) - Number(a.failed > 0) ||
      (a.success_rate ?? 2) - (b.success_rate ?? 2) ||
      b.succeeded + b.failed - (a.succeeded + a.failed),
  );

  const succeeded = stats.reduce((n, e) => n + e.succeeded, 0);
  const failed = stats.reduce((n, e) => n + e.failed, 0);
  return deliveryStatsOutput.parse({
    from: from.toISOString(),
    to: now.toISOString(),
    totals: {
      deliveries: succeeded + failed,
      succeeded,
      failed,
      success_rate: rate(succeeded, failed),
      failing_endpoints: stats.filter((e) => e.failed > 0).length,
    },
    endpoints: stats,
    truncated: endpoints.length > MAX_STATS_ENDPOINTS,
  });
}
