"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { apiFetch } from "@/lib/client/api-fetch";
import type { NotificationOutput } from "@/lib/notices/schemas";
import { notificationKeys, notificationsQuery } from "./queries";

const KIND_LABELS: Record<NotificationOutput["kind"], string> = {
  endpoint_failing: "Failing",
  endpoint_disable_soon: "Disabled in 24 h",
  endpoint_disabled: "Disabled",
  delivery_exhausted: "Delivery failed",
};

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The account's notifications, newest first; opening one marks it read. */
export function NotificationsList() {
  const queryClient = useQueryClient();
  const { data, isPending, error } = useQuery(notificationsQuery());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: notificationKeys.all });
  const markRead = useMutation({
    mutationFn: (id: string) => apiFetch(`/api/v1/notifications/${id}/read`, { method: "POST" }),
    onSettled: invalidate,
    onError: (e) => toast.error(e.message),
  });
  const markAll = useMutation({
    mutationFn: () => apiFetch("/api/v1/notifications/read-all", { method: "POST" }),
    onSettled: invalidate,
    onError: (e) => toast.error(e.message),
  });
  const items = data?.data ?? [];
  return (
    <Card>
      <div className="flex items-center justify-between border-b border-slate-200 px-5 py-3">
        <h2 className="text-sm font-semibold">
          {data ? `${data.unread_count >= 100 ? "99+" : data.unread_count} unread` : "Notifications"}
        </h2>
        <Button variant="secondary" onClick={() => markAll.mutate()} pending={markAll.isPending} disabled={!data?.unread_count}>
          Mark all read
        </Button>
      </div>
      {isPending ? (
        <p className="px-5 py-8 text-sm text-slate-500" role="status">
          Loading notifications…
        </p>
      ) : error ? (
        <p className="px-5 py-8 text-sm text-red-600" role="alert">
          {error.message}
        </p>
      ) : items.length === 0 ? (
        <EmptyState title="Nothing to report">
          You are told here when an endpoint starts failing, a day before it would be disabled, when it is disabled, and
          when a delivery fails every attempt.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Notifications">
          {items.map((n) => (
            <li key={n.id} className={`flex items-start gap-3 px-5 py-3 ${n.read ? "" : "bg-brand-50/40"}`} data-testid="notification">
              <span
                aria-hidden
                className={`mt-1.5 size-2 shrink-0 rounded-full ${n.read ? "bg-transparent" : "bg-brand-600"}`}
              />
              <div className="min-w-0 flex-1">
                <p className="text-sm">
                  <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-700">
                    {KIND_LABELS[n.kind]}
                  </span>
                  <Link
                    href={n.link}
                    className="font-medium text-slate-900 hover:underline"
                    onClick={() => !n.read && markRead.mutate(n.id)}
                  >
                    {n.title}
                  </Link>
                  {!n.read && <span className="sr-only"> (unread)</span>}
                </p>
                <p className="mt-0.5 text-sm text-slate-600">{n.reason}</p>
                <p className="mt-0.5 text-xs text-slate-500">
                  {when(n.created_at)}
                  {n.disables_at && <> · disabled automatically {when(n.disables_at)} unless a delivery succeeds</>}
                </p>
              </div>
              {!n.read && (
                <Button variant="ghost" className="shrink-0 px-2 py-1 text-xs" onClick={() => markRead.mutate(n.id)}>
                  Mark read
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
