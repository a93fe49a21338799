"use client";

import type { DeliveryOutput } from "@/lib/deliveries/schemas";
import { formatDateTime, formatRelative } from "./format";
import { useNow } from "./use-now";

const base = "inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1";

const STATUS: Record<DeliveryOutput["status"], { label: string; style: string; dot: string }> = {
  succeeded: { label: "Succeeded", style: "bg-emerald-50 text-emerald-700 ring-emerald-600/20", dot: "bg-emerald-500" },
  retrying: { label: "Retrying", style: "bg-amber-50 text-amber-800 ring-amber-600/20", dot: "bg-amber-500" },
  failed: { label: "Failed", style: "bg-red-50 text-red-700 ring-red-600/20", dot: "bg-red-500" },
  pending: { label: "Pending", style: "bg-sky-50 text-sky-700 ring-sky-600/20", dot: "bg-sky-500" },
  cancelled: { label: "Cancelled", style: "bg-slate-100 text-slate-700 ring-slate-500/20", dot: "bg-slate-400" },
  skipped: { label: "Skipped", style: "bg-slate-100 text-slate-700 ring-slate-500/20", dot: "bg-slate-300" },
};

export function DeliveryStatusBadge({ status }: { status: DeliveryOutput["status"] }) {
  const { label, style, dot } = STATUS[status];
  return (
    <span className={`${base} ${style}`} data-status={status}>
      <span aria-hidden className={`size-1.5 rounded-full ${dot} ${status === "pending" || status === "retrying" ? "animate-pulse" : ""}`} />
      {label}
    </span>
  );
}

/** A past time as "3 minutes ago", the exact time in its title; rendered after hydration. */
export function RelativeTime({ iso, className = "" }: { iso: string; className?: string }) {
  const now = useNow(15_000);
  return (
    <time dateTime={iso} title={now === null ? undefined : formatDateTime(iso)} className={className}>
      {now === null ? "\u00a0" : formatRelative(iso, now, { past: true })}
    </time>
  );
}

/** "next attempt in 25 seconds" beside a retrying delivery, ticking each second; "retry queued" when none is scheduled. */
export function NextAttempt({ iso }: { iso: string | null }) {
  const now = useNow(1000);
  if (!iso) return <span className="text-xs text-amber-800">retry queued</span>;
  if (now === null) return null;
  const due = new Date(iso).getTime();
  return (
    <span className="text-xs text-amber-800" title={formatDateTime(iso)}>
      {due <= now ? "next attempt due now" : `next attempt ${formatRelative(iso, now)}`}
    </span>
  );
}

export function TriggerBadge({ trigger }: { trigger: "scheduled" | "manual" | "test" }) {
  const style =
    trigger === "manual"
      ? "bg-violet-50 text-violet-700 ring-violet-600/20"
      : trigger === "test"
        ? "bg-brand-50 text-brand-700 ring-brand-600/20"
        : "bg-slate-100 text-slate-700 ring-slate-500/20";
  return <span className={`${base} capitalize ${style}`}>{trigger}</span>;
}
