"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSyncExternalStore, type ReactNode } from "react";
import { Bar, BarChart, Tooltip, XAxis } from "recharts";
import { Card, EmptyState } from "@/components/ui/card";
import { EnvironmentBadge, formatSuccessRate } from "@/components/webhooks/badges";
import { DisablesIn, HealthBadge } from "@/components/webhooks/health";
import { LinkButton } from "@/components/webhooks/link-button";
import type { DeliveryStatsOutput, EndpointStatsOutput } from "@/lib/deliveries/stats";
import { deliveryStatsQuery, endpointPath, WEBHOOKS_PATH } from "./queries";

const SUCCEEDED = "#10b981"; // emerald-500
const FAILED = "#ef4444"; // red-500

/** The dashboard home: endpoints' health, attempts and success rate of the last 24 hours, failing endpoints first. */
export function DeliveriesOverview({ canManage }: { canManage: boolean }) {
  const { data, error, isPending } = useQuery(deliveryStatsQuery());
  if (isPending) {
    return (
      <p role="status" className="text-sm text-slate-500">
        Loading delivery statistics…
      </p>
    );
  }
  if (!data) {
    return (
      <p role="alert" className="text-sm text-red-600">
        Could not load delivery statistics: {error?.message}
      </p>
    );
  }
  if (data.endpoints.length === 0) {
    return (
      <Card>
        <EmptyState
          title="No webhook endpoints yet"
          action={canManage ? <LinkButton href={`${WEBHOOKS_PATH}/new`}>Add Webhook</LinkButton> : undefined}
        >
          {canManage
            ? "Add an endpoint to receive alerts, optimizations, health checks, backups and maintenance events. Delivery statistics appear here once events flow."
            : "Endpoints your admins add will appear here with their delivery statistics."}
        </EmptyState>
      </Card>
    );
  }
  return (
    <div className="space-y-6">
      <Totals stats={data} />
      <Card>
        <div className="flex items-center justify-between border-b border-slate-200 px-5 py-3">
          <h2 className="text-sm font-semibold">Endpoints</h2>
          <p className="text-xs text-slate-500">Failing endpoints first · attempts of the last 24 hours, by hour</p>
        </div>
        <ul className="divide-y divide-slate-100" aria-label="Endpoints by delivery health">
          {data.endpoints.map((endpoint) => (
            <EndpointStatsRow key={endpoint.id} endpoint={endpoint} />
          ))}
        </ul>
        {data.truncated && (
          <p className="border-t border-slate-100 px-5 py-3 text-xs text-slate-500">
            Showing the newest {data.endpoints.length} endpoints.
          </p>
        )}
      </Card>
    </div>
  );
}

function Totals({ stats }: { stats: DeliveryStatsOutput }) {
  const { totals } = stats;
  const rateTone =
    totals.success_rate === null ? "text-slate-900" : totals.success_rate >= 0.99 ? "text-emerald-700" : totals.success_rate >= 0.9 ? "text-amber-700" : "text-red-700";
  return (
    <dl className="grid gap-4 sm:grid-cols-3" aria-label="Last 24 hours">
      <Stat label="Attempts (24 h)" testId="total-deliveries">
        <span className="tabular-nums">{totals.attempts.toLocaleString("en-US")}</span>
        {totals.attempts > 0 && (
          <span className="ml-2 text-sm font-normal text-slate-500">
            {totals.succeeded.toLocaleString("en-US")} succeeded · {totals.failed.toLocaleString("en-US")} failed
          </span>
        )}
      </Stat>
      <Stat label="Success rate (24 h)" testId="total-success-rate">
        <span className={`tabular-nums ${rateTone}`}>{formatSuccessRate(totals.success_rate)}</span>
      </Stat>
      <Stat label="Failing endpoints" testId="failing-endpoints">
        <span className={`tabular-nums ${totals.failing_endpoints > 0 ? "text-red-700" : ""}`}>{totals.failing_endpoints}</span>
        <span className="ml-2 text-sm font-normal text-slate-500">
          of {totals.endpoints}
          {totals.degraded_endpoints > 0 && ` · ${totals.degraded_endpoints} degraded`}
          {totals.disabled_endpoints > 0 && ` · ${totals.disabled_endpoints} disabled`}
        </span>
      </Stat>
    </dl>
  );
}

function Stat({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <Card className="px-5 py-4">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold" data-testid={testId}>
        {children}
      </dd>
    </Card>
  );
}

function EndpointStatsRow({ endpoint }: { endpoint: EndpointStatsOutput }) {
  const settled = endpoint.succeeded + endpoint.failed;
  const tone =
    endpoint.success_rate === null ? "text-slate-400" : endpoint.failed > 0 ? (endpoint.success_rate < 0.9 ? "text-red-700" : "text-amber-700") : "text-emerald-700";
  return (
    <li data-testid="endpoint-stats" className="flex flex-wrap items-center gap-x-6 gap-y-3 px-5 py-4">
      <div className="min-w-0 flex-1 basis-72 space-y-1">
        <Link href={endpointPath(endpoint.id)} className="block break-all font-mono text-xs font-medium text-brand-700 hover:underline">
          {endpoint.url}
        </Link>
        <div className="flex flex-wrap items-center gap-2">
          <EnvironmentBadge environment={endpoint.environment} />
          <HealthBadge health={endpoint.health} />
          {endpoint.description && <span className="truncate text-xs text-slate-500">{endpoint.description}</span>}
        </div>
        <DisablesIn health={endpoint.health} className="block" />
      </div>
      <HourlyChart endpoint={endpoint} />
      <div className="w-28 text-right">
        <p className={`text-lg font-semibold tabular-nums ${tone}`} data-testid="endpoint-success-rate">
          {formatSuccessRate(endpoint.success_rate)}
        </p>
        <p className="text-xs text-slate-500">
          {settled === 0 ? "no attempts" : `${endpoint.failed} failed of ${settled} attempts`}
        </p>
      </div>
    </li>
  );
}

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

const noSubscription = () => () => {};

/** False on the server and while hydrating, true after. */
function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}

function HourlyChart({ endpoint }: { endpoint: EndpointStatsOutput }) {
  const settled = endpoint.succeeded + endpoint.failed;
  const summary = `Attempts per hour over the last 24 hours: ${endpoint.succeeded} succeeded, ${endpoint.failed} failed`;
  // Drawn in the browser only: Recharts puts style attributes in server-rendered HTML, which the
  // pages' Content-Security-Policy refuses (proxy.ts); styles React sets in the browser are not.
  const hydrated = useHydrated();
  return (
    <div role="img" aria-label={summary} className="w-60 shrink-0">
      {!hydrated ? (
        <div className="h-12" />
      ) : settled === 0 ? (
        <div className="flex h-12 items-end">
          <div className="h-px w-full bg-slate-200" />
        </div>
      ) : (
        <BarChart width={240} height={48} data={endpoint.hours} margin={{ top: 2, right: 0, bottom: 0, left: 0 }} barCategoryGap={1}>
          <XAxis dataKey="hour" hide />
          <Tooltip
            cursor={{ fill: "#f1f5f9" }}
            labelFormatter={(label) => `${hourLabel(String(label))}`}
            contentStyle={{ fontSize: 12, borderRadius: 6, padding: "4px 8px" }}
            itemStyle={{ padding: 0 }}
            wrapperStyle={{ zIndex: 10 }}
          />
          <Bar dataKey="succeeded" name="Succeeded" stackId="d" fill={SUCCEEDED} background={{ fill: "#f1f5f9" }} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="d" fill={FAILED} isAnimationActive={false} />
        </BarChart>
      )}
      <div aria-hidden className="mt-1 flex justify-between text-[10px] text-slate-400">
        <span>24 h ago</span>
        <span>now</span>
      </div>
    </div>
  );
}
