"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card, EmptyState } from "@/components/ui/card";
import type { EndpointWithStatsOutput } from "@/lib/webhooks/schemas";
import { EnvironmentBadge, formatSuccessRate } from "./badges";
import { HealthBadge } from "./health";
import { LinkButton } from "./link-button";
import { WEBHOOKS_PATH } from "./new-endpoint-form";
import { ENDPOINT_LIST_LIMIT, endpointsQuery } from "./queries";

export function EndpointsList({ canManage }: { canManage: boolean }) {
  const { data, isPending, error } = useQuery(endpointsQuery());
  const endpoints = data?.data ?? [];
  return (
    <Card>
      <div className="flex items-center justify-between border-b border-slate-200 px-5 py-3">
        <h2 className="text-sm font-semibold">Endpoints</h2>
      </div>
      {isPending ? (
        <p className="px-5 py-8 text-sm text-slate-500" role="status">
          Loading endpoints…
        </p>
      ) : error ? (
        <p className="px-5 py-8 text-sm text-red-600" role="alert">
          Could not load endpoints: {error.message}
        </p>
      ) : endpoints.length === 0 ? (
        <EmptyState
          title="No webhook endpoints yet"
          action={canManage ? <LinkButton href={`${WEBHOOKS_PATH}/new`}>Add your first webhook</LinkButton> : undefined}
        >
          {canManage
            ? "Add an endpoint to receive alerts, optimizations, health checks, backups and maintenance events as signed HTTP POST requests."
            : "Endpoints your admins add will appear here. Ask an owner or admin of your account to add one."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-5 py-2 font-medium">Endpoint</th>
                <th scope="col" className="px-5 py-2 font-medium">Event types</th>
                <th scope="col" className="px-5 py-2 font-medium">Environment</th>
                <th scope="col" className="px-5 py-2 font-medium">Health</th>
                <th scope="col" className="whitespace-nowrap px-5 py-2 text-right font-medium">
                  <abbr title="Succeeded deliveries out of settled deliveries in the last 24 hours" className="no-underline">
                    Success, 24h
                  </abbr>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {endpoints.map((endpoint) => (
                <EndpointRow key={endpoint.id} endpoint={endpoint} />
              ))}
            </tbody>
          </table>
          {data?.next_cursor && (
            <p className="border-t border-slate-100 px-5 py-3 text-xs text-slate-500">
              Showing the newest {ENDPOINT_LIST_LIMIT} endpoints. Use the API (<code className="font-mono">GET /api/v1/webhooks</code>) to page through all of them.
            </p>
          )}
        </div>
      )}
    </Card>
  );
}

function EndpointRow({ endpoint }: { endpoint: EndpointWithStatsOutput }) {
  const stats = endpoint.deliveries_24h;
  const shown = endpoint.event_types.slice(0, 3);
  return (
    <tr data-testid="endpoint-row" className="align-top">
      <td className="max-w-md px-5 py-3">
        <Link
          href={`${WEBHOOKS_PATH}/${endpoint.id}`}
          className="block break-all font-mono text-xs font-medium text-brand-700 hover:underline"
        >
          {endpoint.url}
        </Link>
        {endpoint.description && <p className="mt-0.5 text-xs text-slate-600">{endpoint.description}</p>}
      </td>
      <td className="px-5 py-3">
        <ul className="flex flex-wrap gap-1" aria-label={`${endpoint.event_types.length} event types`}>
          {shown.map((type) => (
            <li key={type} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700">
              {type}
            </li>
          ))}
          {endpoint.event_types.length > shown.length && (
            <li className="px-1 py-0.5 text-[11px] text-slate-500" title={endpoint.event_types.slice(3).join(", ")}>
              +{endpoint.event_types.length - shown.length} more
            </li>
          )}
        </ul>
      </td>
      <td className="px-5 py-3">
        <EnvironmentBadge environment={endpoint.environment} />
      </td>
      <td className="px-5 py-3">
        <HealthBadge health={endpoint.health} />
      </td>
      <td
        className="px-5 py-3 text-right tabular-nums"
        title={stats.success_rate === null ? "No attempts in the last 24 hours" : `${stats.succeeded} attempts succeeded, ${stats.failed} failed`}
      >
        {formatSuccessRate(stats.success_rate)}
      </td>
    </tr>
  );
}
