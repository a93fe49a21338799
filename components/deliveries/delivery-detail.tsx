"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { retentionQuery } from "@/components/retention/queries";
import { Card } from "@/components/ui/card";
import { apiFetch } from "@/lib/client/api-fetch";
import type { AttemptOutput, DeliveryDetailOutput } from "@/lib/deliveries/schemas";
import { CodeBlock, HeadersList } from "./code-block";
import { CopyId } from "./copy-id";
import { formatDateTime, formatDuration, formatRelative, prettyBody } from "./format";
import { AWAIT_TIMEOUT_MS, deliveryKeys, deliveryQuery, historyPath, isSettled } from "./queries";
import { errorTitle } from "./send-test-event-dialog";
import { DeliveryStatusBadge, RelativeTime, TriggerBadge } from "./status-badge";
import { useNow, useTimedOut } from "./use-now";

const RETRYABLE = new Set(["failed", "retrying", "cancelled", "skipped"]);

/** One delivery: its summary, "Retry now" for admins, and every attempt, newest first. */
export function DeliveryDetail({ deliveryId, canManage }: { deliveryId: string; canManage: boolean }) {
  const { data: delivery, error } = useQuery(deliveryQuery(deliveryId));
  if (!delivery) {
    return error ? (
      <p role="alert" className="text-sm text-red-600">
        Could not load the delivery: {error.message}
      </p>
    ) : (
      <p role="status" className="text-sm text-slate-500">
        Loading delivery…
      </p>
    );
  }
  return (
    <div className="space-y-6">
      <Summary delivery={delivery} canManage={canManage} />
      <section aria-labelledby="attempts-heading" className="space-y-3">
        <h2 id="attempts-heading" className="text-sm font-semibold">
          Attempts <span className="font-normal text-slate-500">({delivery.attempts.length})</span>
        </h2>
        {delivery.attempts.length === 0 ? (
          <Card className="px-5 py-8 text-center text-sm text-slate-500">
            No attempt yet: the first one is on its way.
          </Card>
        ) : (
          delivery.attempts.map((attempt, i) => <AttemptCard key={attempt.id} attempt={attempt} defaultOpen={i === 0} />)
        )}
      </section>
    </div>
  );
}

/** A requested attempt being waited for: attempts numbered above `after`, data newer than `since`. */
type Awaited = { after: number; since: number };

function reportAttempt(attempt: AttemptOutput) {
  if (attempt.succeeded) {
    toast.success(`Attempt ${attempt.number} succeeded`, {
      description: `${attempt.response?.status ?? ""} in ${formatDuration(attempt.duration_ms)}`,
    });
  } else {
    toast.error(`Attempt ${attempt.number} failed`, {
      description: attempt.response ? `HTTP ${attempt.response.status}` : (attempt.error?.message ?? errorTitle(attempt.error?.class ?? "")),
    });
  }
}

/**
 * "Retry now": the API queues the attempt and answers at once with the delivery as queued; the
 * page then reads the delivery fast until the attempt is recorded (or the delivery settles
 * without it), reports it, and after AWAIT_TIMEOUT_MS falls back to the ordinary polling.
 */
function useRetryNow(delivery: DeliveryDetailOutput) {
  const queryClient = useQueryClient();
  const [awaited, setAwaited] = useState<Awaited | null>(null);
  const timedOut = useTimedOut(AWAIT_TIMEOUT_MS, awaited?.since ?? null);
  const { data = delivery, dataUpdatedAt } = useQuery({
    ...deliveryQuery(delivery.id, { awaitingAttempt: awaited !== null && !timedOut }),
    enabled: awaited !== null,
  });

  const retry = useMutation({
    mutationFn: () => apiFetch<DeliveryDetailOutput>(`/api/v1/deliveries/${delivery.id}/retry`, { method: "POST" }),
    // Attempts made from now on are the requested one (or one the schedule made meanwhile).
    onMutate: () => ({ after: Math.max(0, ...delivery.attempts.map((a) => a.number)) }),
    onSuccess: async (queued, _, context) => {
      const key = deliveryKeys.detail(queued.id);
      // A read started before the request must not put the delivery's old state back.
      await queryClient.cancelQueries({ queryKey: key });
      const since = Date.now();
      queryClient.setQueryData(key, queued, { updatedAt: since });
      setAwaited({ after: context.after, since });
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: deliveryKeys.lists(queued.endpoint_id) }),
        queryClient.invalidateQueries({ queryKey: deliveryKeys.stats() }),
      ]);
    },
    onError: (error) => toast.error(`Could not retry: ${error.message}`),
  });

  useEffect(() => {
    if (!awaited) return;
    const made = data.attempts.filter((a) => a.number > awaited.after);
    const attempt = made.find((a) => a.trigger === "manual") ?? made[0];
    if (attempt) reportAttempt(attempt);
    else if (!(dataUpdatedAt >= awaited.since && isSettled(data))) return;
    setAwaited(null);
    void queryClient.invalidateQueries({ queryKey: deliveryKeys.lists(data.endpoint_id) });
    void queryClient.invalidateQueries({ queryKey: deliveryKeys.stats() });
  }, [awaited, data, dataUpdatedAt, queryClient]);

  return { retry, awaiting: awaited !== null, timedOut };
}

function Summary({ delivery, canManage }: { delivery: DeliveryDetailOutput; canManage: boolean }) {
  const { retry, awaiting, timedOut } = useRetryNow(delivery);
  const canRetry = canManage && !delivery.is_test && RETRYABLE.has(delivery.status);
  const busy = retry.isPending || (awaiting && !timedOut);

  return (
    <Card className="p-5">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 space-y-1.5">
          <div className="flex flex-wrap items-center gap-2">
            <DeliveryStatusBadge status={delivery.status} />
            {delivery.is_test && (
              <span className="rounded bg-brand-50 px-1.5 py-0.5 text-xs font-medium text-brand-700">Test event</span>
            )}
          </div>
          <h1 className="font-mono text-lg font-semibold" data-testid="delivery-event-type">
            {delivery.event_type}
          </h1>
        </div>
        {canRetry && (
          <Button pending={busy} onClick={() => retry.mutate()}>
            {busy ? "Retrying…" : "Retry now"}
          </Button>
        )}
      </div>
      {awaiting &&
        (timedOut ? (
          <p role="status" className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
            Still queued; the result will appear here and in the delivery history.{" "}
            <Link href={historyPath(delivery.endpoint_id)} className="font-medium underline">
              Open the delivery history
            </Link>
          </p>
        ) : (
          <p role="status" className="mt-4 flex items-center gap-2 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800">
            <span aria-hidden className="size-3.5 animate-spin rounded-full border-2 border-current border-t-transparent" />
            Retry queued — waiting for the attempt…
          </p>
        ))}
      <dl className="mt-5 grid grid-cols-2 gap-x-6 gap-y-4 border-t border-slate-100 pt-4 text-sm lg:grid-cols-4">
        <SummaryItem label="Event ID" wide>
          <CopyId value={delivery.event_id} label="event ID" />
        </SummaryItem>
        <SummaryItem label="Delivery ID" wide>
          <CopyId value={delivery.id} label="delivery ID" />
        </SummaryItem>
        <SummaryItem label="Attempts">
          <span className="tabular-nums" data-testid="attempts-summary">
            {delivery.attempt_count} of {delivery.max_attempts}
          </span>
        </SummaryItem>
        <SummaryItem label="Last response">
          {delivery.last_status_code ?? <span className="text-slate-400">—</span>}
        </SummaryItem>
        <SummaryItem label="Created">
          <RelativeTime iso={delivery.created_at} />
        </SummaryItem>
        <SummaryItem label={delivery.completed_at ? "Completed" : "Next attempt due"}>
          <DueTime delivery={delivery} />
        </SummaryItem>
      </dl>
      {delivery.last_error && delivery.status !== "succeeded" && (
        <p className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          <span className="font-medium">Last error:</span> {delivery.last_error}
        </p>
      )}
    </Card>
  );
}

function DueTime({ delivery }: { delivery: DeliveryDetailOutput }) {
  const now = useNow(1000);
  if (delivery.completed_at) return <RelativeTime iso={delivery.completed_at} />;
  const due = delivery.next_attempt_at;
  if (!due) return <span className="text-slate-400">—</span>;
  if (now === null) return <span>&nbsp;</span>;
  return (
    <time dateTime={due} title={formatDateTime(due)} className={delivery.status === "retrying" ? "text-amber-800" : undefined}>
      {new Date(due).getTime() <= now ? "due now" : formatRelative(due, now)}
    </time>
  );
}

function SummaryItem({ label, wide = false, children }: { label: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={`min-w-0 ${wide ? "col-span-2" : ""}`}>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 min-w-0">{children}</dd>
    </div>
  );
}

function AttemptCard({ attempt, defaultOpen }: { attempt: AttemptOutput; defaultOpen: boolean }) {
  const now = useNow(60_000);
  return (
    <Card>
      <details open={defaultOpen} className="group" data-testid="attempt" data-trigger={attempt.trigger}>
        <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-4 gap-y-2 px-5 py-3 text-sm [&::-webkit-details-marker]:hidden">
          <span aria-hidden className="text-slate-400 transition-transform group-open:rotate-90">
            ▸
          </span>
          <span className="font-semibold">Attempt {attempt.number}</span>
          <TriggerBadge trigger={attempt.trigger} />
          <span
            className={`font-mono text-xs font-semibold ${attempt.succeeded ? "text-emerald-700" : "text-red-700"}`}
            data-testid="attempt-outcome"
          >
            {attempt.response ? attempt.response.status : (attempt.error?.class ?? "no response")}
            {attempt.succeeded ? " · succeeded" : " · failed"}
          </span>
          <span className="text-slate-600">{now === null ? "\u00a0" : formatDateTime(attempt.created_at)}</span>
          <span className="ml-auto tabular-nums text-slate-500">{formatDuration(attempt.duration_ms)}</span>
        </summary>
        <div className="space-y-5 border-t border-slate-100 px-5 py-4">
          {attempt.error && (
            <div role="note" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              <p className="font-medium">
                {errorTitle(attempt.error.class)} <span className="font-mono text-xs font-normal">({attempt.error.class})</span>
              </p>
              <p className="mt-0.5 break-words">{attempt.error.message}</p>
            </div>
          )}
          <div className="grid gap-5 xl:grid-cols-2">
            <section aria-label={`Attempt ${attempt.number} request`} className="min-w-0 space-y-2">
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Request</h3>
              <p className="break-all font-mono text-xs">
                <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5 font-semibold">POST</span>
                {attempt.request.url}
              </p>
              <HeadersList headers={attempt.request.headers} label="Request headers" />
              <p className="text-xs text-slate-500">
                Signature values are shown truncated: the full signature could be replayed against your endpoint.
              </p>
              <CodeBlock label="Request body">{prettyBody(attempt.request.body)}</CodeBlock>
            </section>
            <section aria-label={`Attempt ${attempt.number} response`} className="min-w-0 space-y-2">
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Response</h3>
              {attempt.response ? (
                <>
                  <p className="font-mono text-xs">
                    Status{" "}
                    <span className={`font-semibold ${attempt.succeeded ? "text-emerald-700" : "text-red-700"}`}>
                      {attempt.response.status}
                    </span>
                  </p>
                  <HeadersList headers={attempt.response.headers} label="Response headers" />
                  {attempt.response.body ? (
                    <>
                      <CodeBlock label="Response body">{prettyBody(attempt.response.body)}</CodeBlock>
                      <p className="text-xs text-slate-500">The first 16 KB of the response body are kept.</p>
                    </>
                  ) : attempt.response.body_trimmed ? (
                    <TrimmedBody />
                  ) : (
                    <p className="text-xs text-slate-500">Empty body.</p>
                  )}
                </>
              ) : (
                <p className="text-sm text-slate-500">No response was received.</p>
              )}
            </section>
          </div>
        </div>
      </details>
    </Card>
  );
}

function TrimmedBody() {
  const { data } = useQuery(retentionQuery);
  return (
    <p className="text-xs text-slate-500">
      Response body trimmed after {data ? `${data.body_retention_days} days` : "the account's body retention"} (Settings → Data retention).
    </p>
  );
}
