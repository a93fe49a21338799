"use client";

import { formatDateTime, formatRelative } from "@/components/deliveries/format";
import { useNow } from "@/components/deliveries/use-now";
import type { HealthOutput } from "@/lib/webhooks/schemas";

const base = "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1";

const STYLE: Record<HealthOutput["state"], { label: string; className: string; dot: string }> = {
  healthy: { label: "Healthy", className: "bg-emerald-50 text-emerald-700 ring-emerald-600/20", dot: "bg-emerald-500" },
  degraded: { label: "Degraded", className: "bg-amber-50 text-amber-800 ring-amber-600/20", dot: "bg-amber-500" },
  failing: { label: "Failing", className: "bg-red-50 text-red-700 ring-red-600/20", dot: "bg-red-500" },
  disabled: { label: "Disabled", className: "bg-slate-100 text-slate-700 ring-slate-500/20", dot: "bg-slate-400" },
};

/** The endpoint's health state in words and colour, with what it means on hover. */
export function HealthBadge({ health }: { health: HealthOutput }) {
  const style = STYLE[health.state];
  const label =
    health.state === "disabled" ? `Disabled${health.disabled_reason === "failing" ? " (failing)" : health.disabled_reason === "manual" ? " (by a person)" : ""}` : style.label;
  const title =
    health.state === "disabled"
      ? "No deliveries are attempted while the endpoint is disabled."
      : `${health.recent_failures} of the last ${health.recent_attempts_considered} attempts failed` +
        (health.consecutive_failures > 0 ? `; ${health.consecutive_failures} in a row` : "");
  return (
    <span className={`${base} ${style.className}`} title={title} data-testid="health-badge" data-state={health.state}>
      <span aria-hidden className={`h-1.5 w-1.5 rounded-full ${style.dot}`} />
      {label}
    </span>
  );
}

/** "Will be disabled in 4 days (Dec 6, 2026, 10:00)" while failing; nothing otherwise. */
export function DisablesIn({ health, className = "" }: { health: HealthOutput; className?: string }) {
  const now = useNow(30_000);
  if (health.state !== "failing" || !health.disables_at || now === null) return null;
  const due = new Date(health.disables_at).getTime() <= now;
  return (
    <span className={`text-xs text-red-700 ${className}`} data-testid="disables-in">
      {due ? "Will be disabled at the next check" : `Will be disabled ${formatRelative(health.disables_at, now)}`} (
      {formatDateTime(health.disables_at)}) unless an attempt succeeds
    </span>
  );
}
