"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api-fetch";
import { deliveryKeys } from "./queries";

const HOUR = 3_600_000;
const CHOICES = [
  { value: "1h", label: "Last hour", ms: HOUR },
  { value: "24h", label: "Last 24 hours", ms: 24 * HOUR },
  { value: "7d", label: "Last 7 days", ms: 7 * 24 * HOUR },
  { value: "custom", label: "Since a date and time", ms: 0 },
] as const;

/** "Retry all failed" for admins: one manual attempt for each failed delivery since a time. */
export function RetryFailedButton({ endpointId }: { endpointId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Retry all failed
      </Button>
      {open && <RetryFailedDialog endpointId={endpointId} onClose={() => setOpen(false)} />}
    </>
  );
}

function RetryFailedDialog({ endpointId, onClose }: { endpointId: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const customId = useId();
  const [choice, setChoice] = useState<(typeof CHOICES)[number]["value"]>("24h");
  const [custom, setCustom] = useState("");
  const [error, setError] = useState<string>();
  const retry = useMutation({
    mutationFn: (since: string) =>
      apiFetch<{ retried: number }>(`/api/v1/webhooks/${endpointId}/retry-failed`, { method: "POST", body: { since } }),
    onSuccess: ({ retried }) => {
      if (retried === 0) toast.info("No failed deliveries since then: nothing to retry.");
      else toast.success(`Retrying ${retried} failed ${retried === 1 ? "delivery" : "deliveries"}`);
      onClose();
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: deliveryKeys.lists(endpointId) }),
        queryClient.invalidateQueries({ queryKey: deliveryKeys.stats() }),
      ]);
    },
    onError: (e) => setError(e.message),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    let since: Date;
    if (choice === "custom") {
      since = new Date(custom);
      if (!custom || Number.isNaN(since.getTime())) {
        setError("Pick the date and time to retry from.");
        return;
      }
      if (since.getTime() > Date.now()) {
        setError("Pick a time in the past.");
        return;
      }
    } else {
      since = new Date(Date.now() - CHOICES.find((c) => c.value === choice)!.ms);
    }
    setError(undefined);
    retry.mutate(since.toISOString());
  }

  return (
    <Dialog
      open
      onOpenChange={(next) => !next && onClose()}
      title="Retry failed deliveries"
      description="Each delivery that failed for good since the time you pick gets one more attempt now. Deliveries still retrying keep their schedule."
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <fieldset className="space-y-1.5">
          <legend className="mb-1 text-sm font-medium text-slate-800">Failed since</legend>
          {CHOICES.map((c) => (
            <label key={c.value} className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="since"
                value={c.value}
                checked={choice === c.value}
                onChange={() => {
                  setChoice(c.value);
                  setError(undefined);
                }}
              />
              {c.label}
            </label>
          ))}
        </fieldset>
        {choice === "custom" && (
          <div className="space-y-1 pl-6">
            <label htmlFor={customId} className="block text-sm font-medium text-slate-800">
              Date and time (your local time)
            </label>
            <input
              id={customId}
              type="datetime-local"
              value={custom}
              onChange={(e) => setCustom(e.target.value)}
              aria-invalid={error ? true : undefined}
              className="block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
            />
          </div>
        )}
        {error && (
          <p role="alert" className="text-sm text-red-600">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" pending={retry.isPending}>
            Retry failed deliveries
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
