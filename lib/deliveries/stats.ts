import "server-only";
import { z } from "zod";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { ENVIRONMENTS } from "../webhooks/schemas";

// The dashboard's delivery statistics: per live endpoint, settled deliveries of the last 24
// hours in hourly buckets. A delivery counts in the hour it settled (completed_at): that is
// when it became a success or a failure. Test deliveries are left out; they say nothing about
// how the endpoint does with real events.

export const HOURS = 24;
const HOUR_MS = 3_600_000;
// Deliveries settle at most ~15 h after creation on the documented schedule; a manual retry
// can settle an older one. This bound keeps the query on the (account_id, created_at) index.
const OLDEST_CREATED_MS = 8 * 24 * HOUR_MS;
export const MAX_STATS_ENDPOINTS = 200;

const hourOutput = z.object({ hour: z.string(), succeeded: z.number().int(), failed: z.number().int() });

export const endpointStatsOutput = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  environment: z.enum(ENVIRONMENTS),
  status: z.enum(["active", "disabled"]),
  disabled_reason: z.string().nullable(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  /** succeeded / (succeeded + failed); null when nothing settled in the window. */
  success_rate: z.number().nullable(),
  hours: z.array(hourOutput),
});
export type EndpointStatsOutput = z.infer<typeof endpointStatsOutput>;

export const deliveryStatsOutput = z.object({
  /** The window: whole hours, the last one the current (partial) hour. */
  from: z.string(),
  to: z.string(),
  totals: z.object({
    deliveries: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    success_rate: z.number().nullable(),
    failing_endpoints: z.number().int(),
  }),
  /** Endpoints with failures first, then by success rate ascending, then busiest first. */
  endpoints: z.array(endpointStatsOutput),
  /** True when the account has more live endpoints than the dashboard lists. */
  truncated: z.boolean(),
});
export type DeliveryStatsOutput = z.infer<typeof deliveryStatsOutput>;

const rate = (succeeded: number, failed: number) => (succeeded + failed === 0 ? null : succeeded / (succeeded + failed));

export async function deliveryStats(caller: Caller, now: Date = new Date()): Promise<DeliveryStatsOutput> {
  const currentHour = Math.floor(now.getTime() / HOUR_MS);
  const firstHour = currentHour - (HOURS - 1);
  const from = new Date(firstHour * HOUR_MS);
  const oldestCreated = new Date(from.getTime() - OLDEST_CREATED_MS);

  const [endpoints, rows] = await Promise.all([
    db.webhookEndpoint.findMany({
      where: { accountId: caller.accountId, deletedAt: null },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: MAX_STATS_ENDPOINTS + 1,
      select: { id: true, url: true, description: true, environment: true, status: true, disabledReason: true },
    }),
    // Timestamps are stored as UTC without a zone; the epoch hour is computed in SQL and the
    // bounds are passed as text, so neither side depends on a session time zone.
    db.$queryRaw<{ endpoint_id: string; hour: number; succeeded: bigint; failed: bigint }[]>`
      SELECT d.endpoint_id,
             floor(extract(epoch FROM d.completed_at) / 3600)::int AS hour,
             count(*) FILTER (WHERE d.status = 'succeeded') AS succeeded,
             count(*) FILTER (WHERE d.status = 'failed') AS failed
        FROM deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.account_id = d.account_id AND e.deleted_at IS NULL
       WHERE d.account_id = ${caller.accountId}
         AND d.is_test = false
         AND d.status IN ('succeeded', 'failed')
         AND d.created_at >= ${oldestCreated.toISOString()}::timestamptz AT TIME ZONE 'UTC'
         AND d.completed_at >= ${from.toISOString()}::timestamptz AT TIME ZONE 'UTC'
         AND d.completed_at <= ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
       GROUP BY 1, 2`,
  ]);

  const listed = endpoints.slice(0, MAX_STATS_ENDPOINTS);
  const buckets = new Map(
    listed.map((e) => [e.id, Array.from({ length: HOURS }, () => ({ succeeded: 0, failed: 0 }))]),
  );
  for (const row of rows) {
    const bucket = buckets.get(row.endpoint_id)?.[row.hour - firstHour];
    if (!bucket) continue;
    bucket.succeeded += Number(row.succeeded);
    bucket.failed += Number(row.failed);
  }

  const stats = listed.map((endpoint) => {
    const hours = buckets.get(endpoint.id)!;
    const succeeded = hours.reduce((n, h) => n + h.succeeded, 0);
    const failed = hours.reduce((n, h) => n + h.failed, 0);
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      environment: endpoint.environment,
      status: endpoint.status,
      disabled_reason: endpoint.disabledReason,
      succeeded,
      failed,
      success_rate: rate(succeeded, failed),
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
