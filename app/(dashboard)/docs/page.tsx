import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { deliveryConfig } from "@/lib/deliveries/config";
import { EVENT_CATEGORIES, EVENT_TYPES } from "@/lib/webhooks/event-types";

export const metadata: Metadata = { title: "Docs" };
export const dynamic = "force-dynamic";

function formatDelay(ms: number): string {
  if (ms === 0) return "Immediately";
  const units: [number, string][] = [[3_600_000, "hour"], [60_000, "minute"], [1000, "second"]];
  for (const [size, unit] of units) {
    if (ms % size === 0) return `After ${ms / size} ${unit}${ms / size === 1 ? "" : "s"}`;
  }
  return `After ${ms} ms`;
}

const HEADERS = [
  ["X-DB24x7-Signature", "sha256=<hex HMAC-SHA256 of the raw body, keyed with your signing secret>"],
  ["X-DB24x7-Event-ID", "The event's id, the same on every retry: use it for idempotency"],
  ["X-DB24x7-Delivery-ID", "Unique per attempt, for debugging"],
  ["X-DB24x7-Timestamp", "Unix seconds when the request was generated"],
  ["X-DB24x7-Signature-Next", "Only while a rolled secret's grace period runs: the signature with the new secret"],
];

export default function DocsPage() {
  const { schedule, timeoutMs } = deliveryConfig();
  return (
    <>
      <PageHeader
        title="Docs"
        description="How DB24x7 delivers events to your endpoints, and the API to publish and manage them."
      />
      <div className="grid gap-6">
        <Card className="p-5">
          <h2 className="text-base font-semibold">API</h2>
          <p className="mt-1 text-sm text-slate-600">
            Every <code className="font-mono">/api/v1</code> route is described in the{" "}
            <a href="/api/v1/openapi.json" className="font-medium text-brand-700 hover:underline">
              OpenAPI document
            </a>{" "}
            (generated from the same schemas that validate requests). Authenticate with{" "}
            <code className="font-mono">Authorization: Bearer &lt;API key&gt;</code>; create keys under{" "}
            <Link href="/settings/api-keys" className="font-medium text-brand-700 hover:underline">
              Settings → API keys
            </Link>
            .
          </p>
        </Card>
        <Card className="p-5">
          <h2 className="text-base font-semibold">Request headers</h2>
          <dl className="mt-3 grid gap-2 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-6">
            {HEADERS.map(([name, meaning]) => (
              <div key={name} className="contents">
                <dt className="font-mono text-xs font-medium text-slate-800">{name}</dt>
                <dd className="text-slate-600">{meaning}</dd>
              </div>
            ))}
          </dl>
          <p className="mt-3 text-sm text-slate-600">
            Any 2xx answer is a success. Redirects are not followed. Requests time out after {timeoutMs / 1000} s.
          </p>
        </Card>
        <Card className="p-5">
          <h2 className="text-base font-semibold">Retry schedule</h2>
          <ol className="mt-3 space-y-1 text-sm">
            {schedule.map((delay, i) => (
              <li key={i} className="flex gap-3">
                <span className="w-24 text-slate-500">
                  Attempt {i + 1}
                  {i === schedule.length - 1 ? " (final)" : ""}
                </span>
                <span>{formatDelay(delay)}</span>
              </li>
            ))}
          </ol>
        </Card>
        <Card className="p-5">
          <h2 className="text-base font-semibold">Event types</h2>
          <div className="mt-3 grid gap-4 sm:grid-cols-2">
            {EVENT_CATEGORIES.map((category) => (
              <div key={category}>
                <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{category}</h3>
                <ul className="mt-1 space-y-1 text-sm">
                  {EVENT_TYPES.filter((t) => t.category === category).map((t) => (
                    <li key={t.type}>
                      <code className="font-mono text-xs">{t.type}</code>
                      <span className="text-slate-600"> — {t.description}</span>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        </Card>
      </div>
    </>
  );
}
