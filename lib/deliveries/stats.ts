import "server-only";
import { Prisma } from "@prisma/client";
import { z } from "zod";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { toEndpointOutput } from "../webhooks/endpoint-output";
import { healthStateSql, type HealthState } from "../webhooks/health";
import { deliveryCountsOutput, ENVIRONMENTS, healthOutput, type DeliveryCountsOutput } from "../webhooks/schemas";
import { deliveryConfig } from "./config";

// Attempt statistics: per live endpoint, attempts of the last 24 hours in hourly buckets, for
// the dashboard home and (summed) for each endpoint's `deliveries_24h`, counted once here so the
// two never disagree. Attempts, not settled deliveries: a delivery still retrying has failed
// already, and its failed attempts count at once. They are read from endpoint_attempt_hours
// (kept by lib/deliveries/record-attempts.ts) on its (account_id, hour) index, so the cost does
// not grow with the history. Test deliveries are left out; they say nothing about how the
// endpoint does with real events.

export const HOURS = 24;
const HOUR_MS = 3_600_000;
export const MAX_STATS_ENDPOINTS = 200;

const hourOutput = z.object({ hour: z.string(), succeeded: z.number().int(), failed: z.number().int() });

export const endpointStatsOutput = deliveryCountsOutput.extend({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  environment: z.enum(ENVIRONMENTS),
  status: z.enum(["active", "disabled"]),
  disabled_reason: z.string().nullable(),
  health: healthOutput,
  hours: z.array(hourOutput),
});
export type EndpointStatsOutput = z.infer<typeof endpointStatsOutput>;

export const deliveryStatsOutput = z.object({
  /** The window: whole hours, the last one the current (partial) hour. */
  from: z.string(),
  to: z.string(),
  totals: deliveryCountsOutput.extend({
    attempts: z.number().int(),
    /** The same number as `attempts` (the name from when settled deliveries were counted). */
    deliveries: z.number().int(),
    /** Live endpoints, and how many of them are failing / degraded / disabled (health). */
    endpoints: z.number().int(),
    failing_endpoints: z.number().int(),
    degraded_endpoints: z.number().int(),
    disabled_endpoints: z.number().int(),
  }),
  /** Failing endpoints first (soonest disabled first), then degraded, then by success rate ascending, then busiest first. */
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

/** Attempts of the window hour by hour, for the given endpoints (all live ones when omitted). */
async function attemptsByHour(accountId: string, now: Date, endpointIds?: string[]): Promise<Map<string, Hour[]>> {
  const { firstHour, from } = hourWindow(now);
  // Timestamps are stored as UTC without a zone; the epoch hour is computed in SQL and the
  // bounds are passed as text, so neither side depends on a session time zone.
  const rows = await db.$queryRaw<{ endpoint_id: string; hour: number; succeeded: number; failed: number }[]>`
    SELECT h.endpoint_id, floor(extract(epoch FROM h.hour) / 3600)::int AS hour, h.succeeded, h.failed
      FROM endpoint_attempt_hours h
      JOIN webhook_endpoints e ON e.id = h.endpoint_id AND e.account_id = h.account_id AND e.deleted_at IS NULL
     WHERE h.account_id = ${accountId}
       ${endpointIds ? Prisma.sql`AND h.endpoint_id = ANY(${endpointIds}::text[])` : Prisma.empty}
       AND h.hour >= ${from.toISOString()}::timestamptz AT TIME ZONE 'UTC'
       AND h.hour <= ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'`;
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

/** Each endpoint's attempts over the window, summed: its `deliveries_24h`. */
export async function endpointDeliveryCounts(
  accountId: string,
  endpointIds: string[],
  now: Date = new Date(),
): Promise<Map<string, DeliveryCountsOutput>> {
  const byEndpoint = endpointIds.length === 0 ? new Map<string, Hour[]>() : await attemptsByHour(accountId, now, endpointIds);
  return new Map(endpointIds.map((id) => [id, counts(byEndpoint.get(id) ?? emptyHours())]));
}

const STATE_ORDER: Record<HealthState, number> = { failing: 0, degraded: 1, disabled: 2, healthy: 3 };

/** The dashboard home: every live endpoint's health and hours, failing endpoints first, and the totals. */
export async function deliveryStats(caller: Caller, now: Date = new Date()): Promise<DeliveryStatsOutput> {
  const { firstHour, from } = hourWindow(now);
  const settings = deliveryConfig();
  const [endpoints, byEndpoint, byState] = await Promise.all([
    db.webhookEndpoint.findMany({
      where: { accountId: caller.accountId, deletedAt: null },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: MAX_STATS_ENDPOINTS + 1,
    }),
    attemptsByHour(caller.accountId, now),
    // Totals over every live endpoint, listed or not.
    db.$queryRawUnsafe<{ state: HealthState; n: number }[]>(
      `SELECT ${healthStateSql("w", settings)} AS state, count(*)::int AS n
         FROM webhook_endpoints w WHERE w.account_id = $1 AND w.deleted_at IS NULL GROUP BY 1`,
      caller.accountId,
    ),
  ]);

  const listed = endpoints.slice(0, MAX_STATS_ENDPOINTS);
  const stats = listed.map((endpoint) => {
    const hours = byEndpoint.get(endpoint.id) ?? emptyHours();
    const { health } = toEndpointOutput(endpoint, now);
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      environment: endpoint.environment,
      status: endpoint.status,
      disabled_reason: endpoint.disabledReason,
      health,
      ...counts(hours),
      hours: hours.map((h, i) => ({ hour: new Date((firstHour + i) * HOUR_MS).toISOString(), ...h })),
    };
  });
  stats.sort(
    (a, b) =>
      STATE_ORDER[a.health.state] - STATE_ORDER[b.health.state] ||
      (a.health.disables_at ?? "").localeCompare(b.health.disables_at ?? "") ||
      (a.success_rate ?? 2) - (b.success_rate ?? 2) ||
      b.succeeded + b.failed - (a.succeeded + a.failed),
  );

  const succeeded = stats.reduce((n, e) => n + e.succeeded, 0);
  const failed = stats.reduce((n, e) => n + e.failed, 0);
  const inState = (state: HealthState) => byState.find((row) => row.state === state)?.n ?? 0;
  return deliveryStatsOutput.parse({
    from: from.toISOString(),
    to: now.toISOString(),
    totals: {
      attempts: succeeded + failed,
      deliveries: succeeded + failed,
      succeeded,
      failed,
      success_rate: rate(succeeded, failed),
      endpoints: byState.reduce((n, row) => n + row.n, 0),
      failing_endpoints: inState("failing"),
      degraded_endpoints: inState("degraded"),
      disabled_endpoints: inState("disabled"),
    },
    endpoints: stats,
    truncated: endpoints.length > MAX_STATS_ENDPOINTS,
  });
}
