// Query keys and options for the webhook screens, shared by server prefetch (the pages put
// the same data under the same keys) and the client hooks.
import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { AuditEntryOutput } from "@/lib/audit/schemas";
import type { EndpointWithStatsOutput } from "@/lib/webhooks/schemas";

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: () => [...webhookKeys.all, "list"] as const,
  detail: (endpointId: string) => [...webhookKeys.all, "detail", endpointId] as const,
  audit: (endpointId: string) => [...webhookKeys.all, "audit", endpointId] as const,
};

export type EndpointList = { data: EndpointWithStatsOutput[]; next_cursor: string | null };
export type AuditList = { data: AuditEntryOutput[]; next_cursor: string | null };

export const ENDPOINT_LIST_LIMIT = 100;

export const endpointsQuery = () =>
  queryOptions({
    queryKey: webhookKeys.list(),
    queryFn: () => apiFetch<EndpointList>(`/api/v1/webhooks?limit=${ENDPOINT_LIST_LIMIT}`),
  });

export const endpointQuery = (endpointId: string) =>
  queryOptions({
    queryKey: webhookKeys.detail(endpointId),
    queryFn: () => apiFetch<EndpointWithStatsOutput>(`/api/v1/webhooks/${endpointId}`),
  });

export const AUDIT_LIMIT = 50;

export const endpointAuditQuery = (endpointId: string) =>
  queryOptions({
    queryKey: webhookKeys.audit(endpointId),
    queryFn: () => apiFetch<AuditList>(`/api/v1/audit-log?target_id=${endpointId}&limit=${AUDIT_LIMIT}`),
  });
