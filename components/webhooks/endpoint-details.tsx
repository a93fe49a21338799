"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api-fetch";
import type { EventTypeSummary } from "@/lib/webhooks/event-types";
import type { EndpointOutput, EndpointWithStatsOutput } from "@/lib/webhooks/schemas";
import { AuditLogCard } from "./audit-log-card";
import { EnvironmentBadge, formatSuccessRate } from "./badges";
import { DisablesIn, HealthBadge } from "./health";
import {
  checkForm,
  EndpointFields,
  errorsFromApi,
  formFromEndpoint,
  type EndpointFormErrors,
  type EndpointFormValues,
} from "./endpoint-fields";
import { WEBHOOKS_PATH } from "./new-endpoint-form";
import { endpointQuery, webhookKeys } from "./queries";
import { SigningSecretCard } from "./signing-secret-card";

/**
 * The endpoint page: header with status and actions, settings, signing secret, then
 * `children` (the deliveries area), then the audit log for admins.
 */
export function EndpointDetails({
  endpointId,
  canManage,
  eventTypes,
  children,
}: {
  endpointId: string;
  canManage: boolean;
  eventTypes: EventTypeSummary[];
  children?: ReactNode;
}) {
  const { data: endpoint, error } = useQuery(endpointQuery(endpointId));
  if (!endpoint) {
    return error ? (
      <p role="alert" className="text-sm text-red-600">
        Could not load the endpoint: {error.message}
      </p>
    ) : (
      <p role="status" className="text-sm text-slate-500">
        Loading endpoint…
      </p>
    );
  }
  return (
    <div className="space-y-6">
      <EndpointHeader endpoint={endpoint} canManage={canManage} />
      <SettingsCard endpoint={endpoint} canManage={canManage} eventTypes={eventTypes} />
      <SigningSecretCard endpoint={endpoint} canManage={canManage} />
      {children}
      {canManage && <AuditLogCard endpointId={endpoint.id} />}
    </div>
  );
}

function useInvalidateEndpoint(endpointId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
      queryClient.invalidateQueries({ queryKey: webhookKeys.audit(endpointId) }),
    ]);
}

function EndpointHeader({ endpoint, canManage }: { endpoint: EndpointWithStatsOutput; canManage: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const invalidate = useInvalidateEndpoint(endpoint.id);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  // After re-enabling, offer to replay what failed or was stopped while the endpoint was down.
  const [replaySince, setReplaySince] = useState<string | null>(null);
  const nextStatus = endpoint.status === "active" ? "disabled" : "active";
  const setStatus = useMutation({
    mutationFn: () => apiFetch<EndpointOutput>(`/api/v1/webhooks/${endpoint.id}`, { method: "PATCH", body: { status: nextStatus } }),
    onSuccess: (updated) => {
      queryClient.setQueryData(webhookKeys.detail(endpoint.id), { ...endpoint, ...updated });
      toast.success(updated.status === "active" ? "Webhook enabled" : "Webhook disabled");
      if (updated.status === "active") setReplaySince(endpoint.failing_since ?? endpoint.disabled_at);
      return invalidate();
    },
    onError: (error) => toast.error(error.message),
  });
  const replay = useMutation({
    mutationFn: (since: string) =>
      apiFetch<{ retried: number }>(`/api/v1/webhooks/${endpoint.id}/retry-failed`, { method: "POST", body: { since } }),
    onSuccess: ({ retried }) => {
      setReplaySince(null);
      toast.success(retried === 0 ? "Nothing to replay" : `Replaying ${retried} deliveries`);
    },
    onError: (error) => toast.error(error.message),
  });
  const remove = useMutation({
    mutationFn: () => apiFetch(`/api/v1/webhooks/${endpoint.id}`, { method: "DELETE" }),
    onSuccess: async () => {
      toast.success("Webhook deleted");
      queryClient.removeQueries({ queryKey: webhookKeys.detail(endpoint.id) });
      await queryClient.invalidateQueries({ queryKey: webhookKeys.list() });
      router.push(WEBHOOKS_PATH);
    },
    onError: (error) => toast.error(error.message),
  });
  const stats = endpoint.deliveries_24h;

  return (
    <Card className="p-5">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 space-y-1.5">
          <div className="flex flex-wrap items-center gap-2">
            <HealthBadge health={endpoint.health} />
            <EnvironmentBadge environment={endpoint.environment} />
          </div>
          <h1 className="break-all font-mono text-lg font-semibold" data-testid="endpoint-url">
            {endpoint.url}
          </h1>
          {endpoint.description && <p className="text-sm text-slate-600">{endpoint.description}</p>}
          <p className="text-xs text-slate-500">
            <span className="font-mono">{endpoint.id}</span> · created {new Date(endpoint.created_at).toLocaleString()} · success
            rate (24 h): <span className="tabular-nums">{formatSuccessRate(stats.success_rate)}</span>
            {stats.success_rate !== null && ` (${stats.succeeded} of ${stats.succeeded + stats.failed} attempts)`}
          </p>
          <DisablesIn health={endpoint.health} className="block" />
        </div>
        {canManage && (
          <div className="flex gap-2">
            <Button variant="secondary" pending={setStatus.isPending} onClick={() => setStatus.mutate()}>
              {endpoint.status === "active" ? "Disable" : "Enable"}
            </Button>
            <Button variant="danger" onClick={() => setConfirmingDelete(true)}>
              Delete
            </Button>
          </div>
        )}
      </div>
      {endpoint.status === "disabled" && (
        <p role="status" className="mt-4 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700">
          {endpoint.disabled_reason === "failing"
            ? "This endpoint was disabled automatically because its attempts kept failing; its pending retries were cancelled. Fix the receiver, then enable it again."
            : "This endpoint is disabled: it receives no events until it is enabled again."}
        </p>
      )}
      <HealthDiagnosis endpoint={endpoint} />
      <Dialog
        open={replaySince !== null}
        onOpenChange={(open) => !open && setReplaySince(null)}
        title="Replay what failed meanwhile?"
        description={
          replaySince
            ? `Deliveries to this endpoint that failed or were stopped since ${new Date(replaySince).toLocaleString()} can be sent again now.`
            : undefined
        }
      >
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setReplaySince(null)}>
            Not now
          </Button>
          <Button pending={replay.isPending} onClick={() => replaySince && replay.mutate(replaySince)}>
            Replay deliveries
          </Button>
        </div>
      </Dialog>
      <Dialog
        open={confirmingDelete}
        onOpenChange={setConfirmingDelete}
        title="Delete this webhook?"
        description={
          <>
            <span className="break-all font-mono">{endpoint.url}</span> stops receiving events immediately and disappears from
            this list. This cannot be undone.
          </>
        }
      >
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirmingDelete(false)}>
            Cancel
          </Button>
          <Button variant="danger" pending={remove.isPending} onClick={() => remove.mutate()}>
            Delete webhook
          </Button>
        </div>
      </Dialog>
    </Card>
  );
}

/** What the last failed attempt says, in plain words, while the endpoint is not healthy. */
function HealthDiagnosis({ endpoint }: { endpoint: EndpointWithStatsOutput }) {
  const { health } = endpoint;
  if (health.state === "healthy" || !health.diagnosis) return null;
  const { diagnosis } = health;
  const tone = health.state === "degraded" ? "border-amber-200 bg-amber-50" : "border-red-200 bg-red-50";
  return (
    <section aria-label="Diagnosis" data-testid="diagnosis" className={`mt-4 rounded-md border px-4 py-3 text-sm ${tone}`}>
      <p className="font-medium text-slate-900">{diagnosis.summary}</p>
      <p className="mt-1 text-slate-700">{diagnosis.action}</p>
      {diagnosis.response_excerpt && (
        <p className="mt-2 text-xs text-slate-600">
          Response: <code className="break-all font-mono">{diagnosis.response_excerpt}</code>
        </p>
      )}
      <p className="mt-2 text-xs text-slate-500">
        {health.recent_failures} of the last {health.recent_attempts_considered} attempts failed
        {health.consecutive_failures > 0 && `, the last ${health.consecutive_failures} in a row`} · last failure{" "}
        {new Date(diagnosis.attempted_at).toLocaleString()}
      </p>
    </section>
  );
}

function changedFields(values: EndpointFormValues, endpoint: EndpointOutput) {
  const body: Record<string, unknown> = {};
  if (values.url.trim() !== endpoint.url) body.url = values.url.trim();
  if (values.description.trim() !== endpoint.description) body.description = values.description.trim();
  if (values.environment !== endpoint.environment) body.environment = values.environment;
  const types = [...values.eventTypes].sort();
  if (JSON.stringify(types) !== JSON.stringify([...endpoint.event_types].sort())) body.event_types = types;
  if (values.standardWebhooks !== endpoint.standard_webhooks) body.standard_webhooks = values.standardWebhooks;
  return body;
}

function SettingsCard({
  endpoint,
  canManage,
  eventTypes,
}: {
  endpoint: EndpointWithStatsOutput;
  canManage: boolean;
  eventTypes: EventTypeSummary[];
}) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateEndpoint(endpoint.id);
  const [values, setValues] = useState(() => formFromEndpoint(endpoint));
  const [errors, setErrors] = useState<EndpointFormErrors>({});
  const changes = changedFields(values, endpoint);
  const dirty = Object.keys(changes).length > 0;
  const save = useMutation({
    mutationFn: () => apiFetch<EndpointOutput>(`/api/v1/webhooks/${endpoint.id}`, { method: "PATCH", body: changes }),
    onSuccess: (updated) => {
      queryClient.setQueryData(webhookKeys.detail(endpoint.id), { ...endpoint, ...updated });
      setValues(formFromEndpoint(updated));
      setErrors({});
      toast.success("Webhook saved");
      return invalidate();
    },
    onError: (error) => {
      const fieldErrors = errorsFromApi(error);
      if (fieldErrors) setErrors(fieldErrors);
      else toast.error(error.message);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = checkForm(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate();
  }

  return (
    <Card className="p-5">
      <form onSubmit={onSubmit} noValidate aria-labelledby="settings-heading">
        <h2 id="settings-heading" className="mb-4 text-sm font-semibold">
          Settings
        </h2>
        <EndpointFields
          values={values}
          onChange={setValues}
          errors={errors}
          eventTypes={eventTypes}
          disabled={!canManage || save.isPending}
        />
        {canManage && (
          <div className="mt-5 flex items-center justify-end gap-3 border-t border-slate-100 pt-4">
            {dirty && <span className="text-xs text-slate-500">Unsaved changes</span>}
            {dirty && (
              <Button
                type="button"
                variant="secondary"
                onClick={() => {
                  setValues(formFromEndpoint(endpoint));
                  setErrors({});
                }}
              >
                Discard
              </Button>
            )}
            <Button type="submit" pending={save.isPending} disabled={!dirty}>
              Save changes
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
