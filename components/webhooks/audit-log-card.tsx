"use client";

import { useQuery } from "@tanstack/react-query";
import { Card } from "@/components/ui/card";
import type { AuditEntryOutput } from "@/lib/audit/schemas";
import { endpointAuditQuery } from "./queries";

const FIELD_LABEL: Record<string, string> = {
  url: "URL",
  description: "description",
  environment: "environment",
  event_types: "event types",
  standard_webhooks: "Standard Webhooks headers",
};

function describe(entry: AuditEntryOutput): string {
  const meta = entry.metadata as Record<string, unknown>;
  switch (entry.action) {
    case "webhook_endpoint.created":
      return "Created the endpoint";
    case "webhook_endpoint.updated": {
      const fields = Object.keys((meta.changes as Record<string, unknown>) ?? {}).map((f) => FIELD_LABEL[f] ?? f);
      return fields.length ? `Changed ${fields.join(", ")}` : "Changed settings";
    }
    case "webhook_endpoint.disabled":
      return "Disabled the endpoint";
    case "webhook_endpoint.enabled":
      return "Enabled the endpoint";
    case "webhook_endpoint.deleted":
      return "Deleted the endpoint";
    case "webhook_endpoint.secret_revealed":
      return "Revealed the signing secret";
    case "webhook_endpoint.secret_rotated": {
      const grace = Number(meta.grace_period_seconds ?? 0);
      return grace > 0 ? `Rolled the signing secret (previous one valid for ${formatDuration(grace)})` : "Rolled the signing secret (no grace period)";
    }
    default:
      return entry.action;
  }
}

function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds > 86400) return `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} ${seconds === 3600 ? "hour" : "hours"}`;
  return `${Math.round(seconds / 60)} minutes`;
}

export function AuditLogCard({ endpointId }: { endpointId: string }) {
  const { data, isPending, error } = useQuery(endpointAuditQuery(endpointId));
  const entries = data?.data ?? [];
  return (
    <Card>
      <section aria-labelledby="audit-log-heading">
        <div className="border-b border-slate-200 px-5 py-3">
          <h2 id="audit-log-heading" className="text-sm font-semibold">
            Audit log
          </h2>
          <p className="text-xs text-slate-500">Who changed this endpoint or revealed its secret, and when. Visible to admins.</p>
        </div>
        {isPending ? (
          <p role="status" className="px-5 py-6 text-sm text-slate-500">
            Loading the audit log…
          </p>
        ) : error ? (
          <p role="alert" className="px-5 py-6 text-sm text-red-600">
            Could not load the audit log: {error.message}
          </p>
        ) : entries.length === 0 ? (
          <p className="px-5 py-6 text-sm text-slate-500">No entries yet.</p>
        ) : (
          <ol className="divide-y divide-slate-100" data-testid="audit-log">
            {entries.map((entry) => (
              <li key={entry.id} className="flex flex-wrap items-baseline justify-between gap-2 px-5 py-2.5 text-sm">
                <span>
                  <span className="font-medium">{describe(entry)}</span>
                  <span className="text-slate-500"> · {entry.actor.label}{entry.actor.type === "api_key" ? " (API key)" : ""}</span>
                </span>
                <time dateTime={entry.created_at} className="text-xs text-slate-500">
                  {new Date(entry.created_at).toLocaleString()}
                </time>
              </li>
            ))}
          </ol>
        )}
      </section>
    </Card>
  );
}
