// Query keys and options for the delivery screens, shared by server prefetch (the pages put
// the same data under the same keys) and the client hooks.
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { DeliveryDetailOutput, DeliveryOutput } from "@/lib/deliveries/schemas";
import type { DeliveryStatsOutput } from "@/lib/deliveries/stats";
import type { EventCategory } from "@/lib/webhooks/event-types";

export const WEBHOOKS_PATH = "/settings/integrations/webhooks";
export const endpointPath = (endpointId: string) => `${WEBHOOKS_PATH}/${endpointId}`;
export const historyPath = (endpointId: string) => `${endpointPath(endpointId)}/deliveries`;
export const deliveryPath = (endpointId: string, deliveryId: string) => `${historyPath(endpointId)}/${deliveryId}`;

export type DeliveryFilters = { status?: string; event_type?: string; event_id?: string };
export type DeliveryPage = { data: DeliveryOutput[]; next_cursor: string | null };
export type CatalogEventType = { type: string; category: EventCategory; description: string; sample: unknown };

export const deliveryKeys = {
  all: ["deliveries"] as const,
  lists: (endpointId: string) => [...deliveryKeys.all, "list", endpointId] as const,
  list: (endpointId: string, filters: DeliveryFilters) => [...deliveryKeys.lists(endpointId), filters] as const,
  detail: (deliveryId: string) => [...deliveryKeys.all, "detail", deliveryId] as const,
  stats: () => [...deliveryKeys.all, "stats"] as const,
  eventTypes: () => ["event-types"] as const,
};

export const HISTORY_PAGE_SIZE = 20;
const ACTIVE_POLL_MS = 2_000;
// With nothing in flight on screen the list still refreshes now and then, so deliveries of
// newly published events show up without a reload.
const IDLE_POLL_MS = 10_000;

// While a person waits for an attempt they asked for (Retry now, Send Test Event), which the
// server queues and makes a moment later, the delivery is read faster, for a bounded time.
const AWAITED_POLL_MS = 500;
export const AWAIT_TIMEOUT_MS = 30_000;

const inFlight = (d: Pick<DeliveryOutput, "status">) => d.status === "pending" || d.status === "retrying";
export const isSettled = (d: Pick<DeliveryOutput, "status">) => !inFlight(d);

/** Normalised filters: empty values dropped, so equal filters share one cache entry. */
export function cleanFilters(filters: DeliveryFilters): DeliveryFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as DeliveryFilters;
}

export function deliveriesPath(endpointId: string, filters: DeliveryFilters, cursor?: string) {
  const params = new URLSearchParams({ limit: String(HISTORY_PAGE_SIZE), ...cleanFilters(filters) });
  if (cursor) params.set("cursor", cursor);
  return `/api/v1/webhooks/${endpointId}/deliveries?${params}`;
}

export const deliveriesQuery = (endpointId: string, filters: DeliveryFilters) =>
  infiniteQueryOptions({
    queryKey: deliveryKeys.list(endpointId, cleanFilters(filters)),
    queryFn: ({ pageParam }) => apiFetch<DeliveryPage>(deliveriesPath(endpointId, filters, pageParam ?? undefined)),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.data.some(inFlight)) ? ACTIVE_POLL_MS : IDLE_POLL_MS,
  });

/** One delivery; `awaitingAttempt` polls it fast while the screen waits for a requested attempt. */
export const deliveryQuery = (deliveryId: string, { awaitingAttempt = false }: { awaitingAttempt?: boolean } = {}) =>
  queryOptions({
    queryKey: deliveryKeys.detail(deliveryId),
    queryFn: () => apiFetch<DeliveryDetailOutput>(`/api/v1/deliveries/${deliveryId}`),
    refetchInterval: (query) =>
      awaitingAttempt ? AWAITED_POLL_MS : query.state.data && inFlight(query.state.data) ? ACTIVE_POLL_MS : false,
  });

export const deliveryStatsQuery = () =>
  queryOptions({
    queryKey: deliveryKeys.stats(),
    queryFn: () => apiFetch<DeliveryStatsOutput>("/api/v1/stats/deliveries"),
    refetchInterval: 60_000,
  });

export const eventTypesQuery = () =>
  queryOptions({
    queryKey: deliveryKeys.eventTypes(),
    queryFn: () => apiFetch<{ data: CatalogEventType[] }>("/api/v1/event-types").then((r) => r.data),
    staleTime: Infinity,
  });
