"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api-fetch";
import type { DeliveryDetailOutput } from "@/lib/deliveries/schemas";
import { CodeBlock } from "./code-block";
import { EventTypeOptions } from "./event-type-options";
import { formatDuration, prettyBody } from "./format";
import {
  AWAIT_TIMEOUT_MS,
  deliveryKeys,
  deliveryPath,
  deliveryQuery,
  eventTypesQuery,
  isSettled,
  type CatalogEventType,
} from "./queries";
import { DeliveryStatusBadge } from "./status-badge";
import { useTimedOut } from "./use-now";

/**
 * "Send Test Event" (Testing Your Webhook in the docs): pick a type, see its sample, send it
 * to the endpoint now and read the result. The API queues the test delivery and answers at
 * once; the dialog follows the delivery until its one attempt is recorded. Admins only.
 */
export function SendTestEventButton({
  endpointId,
  canManage,
  eventTypes,
  variant = "secondary",
}: {
  endpointId: string;
  canManage: boolean;
  /** The catalog (GET /api/v1/event-types); fetched when not given. */
  eventTypes?: CatalogEventType[];
  variant?: "primary" | "secondary";
}) {
  const [open, setOpen] = useState(false);
  if (!canManage) return null;
  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)}>
        Send Test Event
      </Button>
      {open && <SendTestEventDialog endpointId={endpointId} eventTypes={eventTypes} onClose={() => setOpen(false)} />}
    </>
  );
}

function SendTestEventDialog({
  endpointId,
  eventTypes,
  onClose,
}: {
  endpointId: string;
  eventTypes?: CatalogEventType[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const selectId = useId();
  const catalog = useQuery({ ...eventTypesQuery(), enabled: !eventTypes, initialData: eventTypes });
  const types = catalog.data ?? [];
  const [type, setType] = useState<string>("");
  const selected = types.find((t) => t.type === type) ?? types[0];

  const send = useMutation({
    mutationFn: (eventType: string) =>
      apiFetch<DeliveryDetailOutput>(`/api/v1/webhooks/${endpointId}/test`, { method: "POST", body: { event_type: eventType } }),
    onSuccess: (delivery) => {
      queryClient.setQueryData(deliveryKeys.detail(delivery.id), delivery);
      return queryClient.invalidateQueries({ queryKey: deliveryKeys.lists(endpointId) });
    },
    onError: (error) => toast.error(`Could not send the test event: ${error.message}`),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (selected) send.mutate(selected.type);
  }

  const sent = send.data;
  return (
    <Dialog
      open
      onOpenChange={(next) => !next && onClose()}
      size="lg"
      title="Send Test Event"
      description="DB24x7 sends the event type's sample payload to this endpoint now, signed like any delivery, and shows what your endpoint answered. Test events are sent once, without retries."
    >
      {sent ? (
        <AwaitedTestResult key={sent.id} delivery={sent} endpointId={endpointId} onAgain={() => send.reset()} onClose={onClose} />
      ) : (
        <form onSubmit={onSubmit} className="space-y-4">
          {catalog.isPending ? (
            <p role="status" className="text-sm text-slate-500">
              Loading event types…
            </p>
          ) : catalog.error ? (
            <p role="alert" className="text-sm text-red-600">
              Could not load the event types: {catalog.error.message}
            </p>
          ) : (
            <>
              <div className="space-y-1">
                <label htmlFor={selectId} className="block text-sm font-medium text-slate-800">
                  Event type
                </label>
                <select
                  id={selectId}
                  value={selected?.type ?? ""}
                  onChange={(e) => setType(e.target.value)}
                  disabled={send.isPending}
                  aria-describedby={`${selectId}-description`}
                  className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-sm"
                >
                  <EventTypeOptions types={types} />
                </select>
                <p id={`${selectId}-description`} className="text-xs text-slate-500">
                  {selected?.description}
                </p>
              </div>
              {selected && (
                <div className="space-y-1">
                  <p className="text-sm font-medium text-slate-800">Sample payload</p>
                  <CodeBlock label={`Sample payload for ${selected.type}`} testId="sample-payload">
                    {JSON.stringify(selected.sample, null, 2)}
                  </CodeBlock>
                  <p className="text-xs text-slate-500">
                    Sent as <code className="font-mono">data</code> inside the event envelope with a new{" "}
                    <code className="font-mono">id</code>, <code className="font-mono">type</code>,{" "}
                    <code className="font-mono">created_at</code>, <code className="font-mono">account_id</code> and{" "}
                    <code className="font-mono">environment</code>.
                  </p>
                </div>
              )}
            </>
          )}
          {send.error && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {send.error.message}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" pending={send.isPending} disabled={!selected}>
              {send.isPending ? "Sending…" : "Send test event"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** A test delivery on screen, with what can be done next. */
type ResultProps = { delivery: DeliveryDetailOutput; endpointId: string; onAgain: () => void; onClose: () => void };

/** The queued test delivery (as the send answered it), followed until its attempt is recorded, then its result. */
function AwaitedTestResult({ delivery: sent, endpointId, onAgain, onClose }: ResultProps) {
  const queryClient = useQueryClient();
  const [sentAt] = useState(() => Date.now());
  const timedOut = useTimedOut(AWAIT_TIMEOUT_MS, sentAt);
  const { data } = useQuery({ ...deliveryQuery(sent.id, { awaitingAttempt: !timedOut }), initialData: sent });
  const delivery = data ?? sent;
  const done = isSettled(delivery);
  useEffect(() => {
    // The history behind the dialog shows the result too.
    if (done) void queryClient.invalidateQueries({ queryKey: deliveryKeys.lists(endpointId) });
  }, [done, endpointId, queryClient]);

  if (done) return <TestResult delivery={delivery} endpointId={endpointId} onAgain={onAgain} onClose={onClose} />;
  return (
    <div className="space-y-4" data-testid="test-awaiting">
      <div className="flex flex-wrap items-center gap-3">
        <DeliveryStatusBadge status={delivery.status} />
        <span className="font-mono text-sm">{delivery.event_type}</span>
      </div>
      {timedOut ? (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Still queued; the result will appear in the delivery history.{" "}
          <Link href={deliveryPath(endpointId, delivery.id)} className="font-medium underline">
            Follow this delivery
          </Link>
        </p>
      ) : (
        <p role="status" className="flex items-center gap-2 text-sm text-slate-600">
          <span aria-hidden className="size-3.5 animate-spin rounded-full border-2 border-current border-t-transparent" />
          <span>
            <span className="font-medium text-slate-800">Sending…</span> Waiting for your endpoint.
          </span>
        </p>
      )}
      <div className="flex justify-end border-t border-slate-100 pt-4">
        <ResultActions onAgain={onAgain} onClose={onClose} closeLabel="Close" />
      </div>
    </div>
  );
}

/** "Send another" and closing, under a test's result or while it is awaited. */
function ResultActions({ onAgain, onClose, closeLabel }: { onAgain: () => void; onClose: () => void; closeLabel: string }) {
  return (
    <div className="flex gap-2">
      <Button variant="secondary" onClick={onAgain}>
        Send another
      </Button>
      <Button onClick={onClose}>{closeLabel}</Button>
    </div>
  );
}

function TestResult({ delivery, endpointId, onAgain, onClose }: ResultProps) {
  const attempt = delivery.attempts[0];
  return (
    <div className="space-y-4" role="status" aria-label="Test result" data-testid="test-result">
      <div className="flex flex-wrap items-center gap-3">
        <DeliveryStatusBadge status={delivery.status} />
        <span className="font-mono text-sm">{delivery.event_type}</span>
      </div>
      {attempt && (
        <dl className="grid grid-cols-3 gap-4 rounded-md border border-slate-200 px-4 py-3 text-sm">
          <div>
            <dt className="text-xs text-slate-500">Response status</dt>
            <dd className="font-mono font-semibold tabular-nums" data-testid="test-response-status">
              {attempt.response?.status ?? "—"}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Duration</dt>
            <dd className="tabular-nums">{formatDuration(attempt.duration_ms)}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Event ID</dt>
            <dd className="truncate font-mono text-xs" title={delivery.event_id}>
              {delivery.event_id}
            </dd>
          </div>
        </dl>
      )}
      {attempt?.error && (
        <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          <p className="font-medium">{errorTitle(attempt.error.class)}</p>
          <p className="mt-0.5 break-words">{attempt.error.message}</p>
        </div>
      )}
      {attempt?.response && (
        <div className="space-y-1">
          <p className="text-sm font-medium text-slate-800">Response body</p>
          {attempt.response.body ? (
            <CodeBlock label="Response body" testId="test-response-body">
              {prettyBody(attempt.response.body)}
            </CodeBlock>
          ) : (
            <p className="text-xs text-slate-500">The endpoint answered with an empty body.</p>
          )}
        </div>
      )}
      <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 pt-4">
        <Link href={deliveryPath(endpointId, delivery.id)} className="text-sm font-medium text-brand-700 hover:underline">
          View delivery details →
        </Link>
        <ResultActions onAgain={onAgain} onClose={onClose} closeLabel="Done" />
      </div>
    </div>
  );
}

const ERROR_TITLES: Record<string, string> = {
  timeout: "The endpoint did not answer in time",
  connection: "Could not connect to the endpoint",
  dns: "The endpoint's host name did not resolve",
  tls: "TLS handshake failed",
  http_status: "The endpoint answered with an error status",
  redirect: "The endpoint answered with a redirect (not followed)",
  blocked_address: "The endpoint resolves to a blocked address",
  invalid_response: "The endpoint's response was not valid HTTP",
};

export function errorTitle(errorClass: string): string {
  return ERROR_TITLES[errorClass] ?? errorClass;
}
