"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import type { DeliveryOutput } from "@/lib/deliveries/schemas";
import type { EventTypeSummary } from "@/lib/webhooks/event-types";
import { CopyId } from "./copy-id";
import { EventTypeOptions } from "./event-type-options";
import { deliveriesQuery, deliveryPath, type DeliveryFilters } from "./queries";
import { RetryFailedButton } from "./retry-failed-dialog";
import { SendTestEventButton } from "./send-test-event-dialog";
import { DeliveryStatusBadge, NextAttempt, RelativeTime } from "./status-badge";

const STATUS_FILTERS = [
  { value: "", label: "All statuses" },
  { value: "succeeded", label: "Succeeded" },
  { value: "retrying", label: "Retrying" },
  { value: "failed", label: "Failed" },
  { value: "pending", label: "Pending" },
  { value: "cancelled", label: "Cancelled" },
  { value: "skipped", label: "Skipped (endpoint disabled)" },
];

const selectClass = "rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm";

/** Delivery History: newest first, filterable, paged with "Load more", live while in flight. */
export function DeliveryHistory({
  endpointId,
  canManage,
  eventTypes,
}: {
  endpointId: string;
  canManage: boolean;
  eventTypes: EventTypeSummary[];
}) {
  const ids = useId();
  const [status, setStatus] = useState("");
  const [eventType, setEventType] = useState("");
  const [search, setSearch] = useState("");
  const [eventId, setEventId] = useState("");
  // Search as the user types, once they pause.
  useEffect(() => {
    const timer = setTimeout(() => setEventId(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const filters: DeliveryFilters = { status, event_type: eventType, event_id: eventId };
  const filtered = Boolean(status || eventType || eventId);
  const query = useInfiniteQuery(deliveriesQuery(endpointId, filters));
  const deliveries = query.data?.pages.flatMap((p) => p.data) ?? [];

  function clearFilters() {
    setStatus("");
    setEventType("");
    setSearch("");
    setEventId("");
  }

  return (
    <Card>
      <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-5 py-3">
        <form
          role="search"
          aria-label="Filter deliveries"
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            setEventId(search.trim());
          }}
        >
          <div className="flex flex-col gap-1">
            <label htmlFor={`${ids}-status`} className="text-xs font-medium text-slate-600">
              Status
            </label>
            <select id={`${ids}-status`} value={status} onChange={(e) => setStatus(e.target.value)} className={selectClass}>
              {STATUS_FILTERS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={`${ids}-type`} className="text-xs font-medium text-slate-600">
              Event type
            </label>
            <select id={`${ids}-type`} value={eventType} onChange={(e) => setEventType(e.target.value)} className={selectClass}>
              <option value="">All event types</option>
              <EventTypeOptions types={eventTypes} />
            </select>
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={`${ids}-event-id`} className="text-xs font-medium text-slate-600">
              Event ID
            </label>
            <input
              id={`${ids}-event-id`}
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="evt_…"
              spellCheck={false}
              autoComplete="off"
              className={`${selectClass} w-64 font-mono placeholder:font-sans placeholder:text-slate-400`}
            />
          </div>
          {filtered && (
            <Button type="button" variant="ghost" onClick={clearFilters}>
              Clear filters
            </Button>
          )}
        </form>
        {canManage && <RetryFailedButton endpointId={endpointId} />}
      </div>

      {query.isPending ? (
        <p className="px-5 py-8 text-sm text-slate-500" role="status">
          Loading deliveries…
        </p>
      ) : query.error && deliveries.length === 0 ? (
        <div className="flex items-center justify-between gap-4 px-5 py-8" role="alert">
          <p className="text-sm text-red-600">Could not load deliveries: {query.error.message}</p>
          <Button variant="secondary" onClick={() => query.refetch()}>
            Try again
          </Button>
        </div>
      ) : deliveries.length === 0 ? (
        filtered ? (
          <EmptyState title="No deliveries match these filters" action={<Button variant="secondary" onClick={clearFilters}>Clear filters</Button>}>
            Try another status or event type, or check the event ID.
          </EmptyState>
        ) : (
          <EmptyState
            title="No deliveries yet"
            action={canManage ? <SendTestEventButton endpointId={endpointId} canManage variant="primary" /> : undefined}
          >
            {canManage
              ? "Send a test event to check that your endpoint receives and verifies deliveries. Events you publish to this endpoint’s types appear here as they are delivered."
              : "Events published to this endpoint’s types appear here as they are delivered."}
          </EmptyState>
        )
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" aria-label="Deliveries" aria-busy={query.isFetching || undefined}>
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="px-5 py-2 font-medium">Status</th>
                  <th scope="col" className="px-5 py-2 font-medium">Event type</th>
                  <th scope="col" className="px-5 py-2 font-medium">Event ID</th>
                  <th scope="col" className="px-5 py-2 text-right font-medium">Attempts</th>
                  <th scope="col" className="whitespace-nowrap px-5 py-2 text-right font-medium">Response</th>
                  <th scope="col" className="px-5 py-2 font-medium">Created</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {deliveries.map((delivery) => (
                  <DeliveryRow key={delivery.id} delivery={delivery} endpointId={endpointId} />
                ))}
              </tbody>
            </table>
          </div>
          <div className="flex items-center justify-between gap-3 border-t border-slate-100 px-5 py-3 text-xs text-slate-500">
            <span aria-live="polite">
              {deliveries.length} {deliveries.length === 1 ? "delivery" : "deliveries"} shown
              {query.error ? ` · refresh failed: ${query.error.message}` : ""}
            </span>
            {query.hasNextPage && (
              <Button variant="secondary" pending={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
                Load more
              </Button>
            )}
          </div>
        </>
      )}
    </Card>
  );
}

function DeliveryRow({ delivery, endpointId }: { delivery: DeliveryOutput; endpointId: string }) {
  return (
    <tr data-testid="delivery-row" data-delivery-id={delivery.id} className="align-top hover:bg-slate-50/60">
      <td className="px-5 py-3">
        <div className="flex flex-col items-start gap-1">
          <DeliveryStatusBadge status={delivery.status} />
          {delivery.status === "retrying" && <NextAttempt iso={delivery.next_attempt_at} />}
        </div>
      </td>
      <td className="px-5 py-3">
        <Link
          href={deliveryPath(endpointId, delivery.id)}
          className="font-mono text-xs font-medium text-brand-700 hover:underline"
          aria-label={`${delivery.event_type} delivery ${delivery.id}`}
        >
          {delivery.event_type}
        </Link>
        {delivery.is_test && (
          <span className="ml-2 rounded bg-brand-50 px-1.5 py-0.5 text-[11px] font-medium text-brand-700">Test</span>
        )}
      </td>
      <td className="max-w-[16rem] px-5 py-3">
        <CopyId value={delivery.event_id} label="event ID" />
      </td>
      <td className="px-5 py-3 text-right tabular-nums">{delivery.attempt_count}</td>
      <td className="px-5 py-3 text-right">
        <ResponseStatus code={delivery.last_status_code} error={delivery.last_error} />
      </td>
      <td className="whitespace-nowrap px-5 py-3 text-slate-600">
        <RelativeTime iso={delivery.created_at} />
      </td>
    </tr>
  );
}

export function ResponseStatus({ code, error }: { code: number | null; error: string | null }) {
  if (code === null) {
    return error ? (
      <span className="text-xs text-red-700" title={error}>
        No response
      </span>
    ) : (
      <span className="text-slate-400">—</span>
    );
  }
  const ok = code >= 200 && code < 300;
  return (
    <span className={`font-mono text-xs font-semibold tabular-nums ${ok ? "text-emerald-700" : "text-red-700"}`} title={error ?? undefined}>
      {code}
    </span>
  );
}
