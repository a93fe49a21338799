"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { apiFetch, ApiClientError } from "@/lib/client/api-fetch";
import { RETENTION_BOUNDS, type RetentionOutput } from "@/lib/retention/schemas";
import { retentionKeys, retentionQuery } from "./queries";

export function RetentionForm({ canEdit }: { canEdit: boolean }) {
  const { data, error } = useQuery(retentionQuery);
  if (error) {
    return (
      <Card className="px-5 py-8 text-sm text-red-600">
        <p role="alert">{error.message}</p>
      </Card>
    );
  }
  if (!data) return null;
  // Keyed on the stored values, so the inputs start again from them after a save.
  return <RetentionFields key={`${data.retention_days}-${data.body_retention_days}`} current={data} canEdit={canEdit} />;
}

function RetentionFields({ current, canEdit }: { current: RetentionOutput; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string>();
  const save = useMutation({
    mutationFn: (input: RetentionOutput) => apiFetch<RetentionOutput>("/api/v1/account/retention", { method: "PATCH", body: input }),
    onSuccess: (saved) => {
      setFormError(undefined);
      queryClient.setQueryData(retentionKeys.all, saved);
      toast.success("Retention saved");
    },
    onError: (error) => {
      if (error instanceof ApiClientError && error.status < 500) setFormError(error.message);
      else toast.error(error.message);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ retention_days: Number(form.get("retention_days")), body_retention_days: Number(form.get("body_retention_days")) });
  }

  return (
    <Card>
      <form onSubmit={onSubmit} className="space-y-4 px-5 py-5" aria-label="Retention">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Keep delivery history for (days)"
            name="retention_days"
            type="number"
            min={RETENTION_BOUNDS.min}
            max={RETENTION_BOUNDS.max}
            step={1}
            required
            defaultValue={current.retention_days}
            disabled={!canEdit}
            hint={`Events, deliveries and their attempts older than this are removed daily (${RETENTION_BOUNDS.min}–${RETENTION_BOUNDS.max}).`}
          />
          <Field
            label="Keep response bodies for (days)"
            name="body_retention_days"
            type="number"
            min={RETENTION_BOUNDS.min}
            max={RETENTION_BOUNDS.max}
            step={1}
            required
            defaultValue={current.body_retention_days}
            disabled={!canEdit}
            hint="Older attempts keep their status and headers; the body your endpoint answered is trimmed. At most the history's days."
          />
        </div>
        <p className="text-xs text-slate-500">Deliveries still pending or retrying are never removed, whatever their age.</p>
        {formError && (
          <p role="alert" className="text-sm text-red-600">
            {formError}
          </p>
        )}
        {canEdit ? (
          <div className="flex justify-end">
            <Button type="submit" pending={save.isPending}>
              Save retention
            </Button>
          </div>
        ) : (
          <p className="text-sm text-slate-600">Only owners of the account can change retention.</p>
        )}
      </form>
    </Card>
  );
}
