"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api-fetch";
import type { EndpointOutput, RotatedSecretOutput } from "@/lib/webhooks/schemas";
import { DEFAULT_GRACE_PERIOD_SECONDS, GRACE_PERIOD_CHOICES } from "@/lib/webhooks/limits";
import { webhookKeys } from "./queries";
import { SecretDisplay } from "./secret-display";

export function SigningSecretCard({ endpoint, canManage }: { endpoint: EndpointOutput; canManage: boolean }) {
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<string | null>(null);
  const [rolling, setRolling] = useState(false);
  const reveal = useMutation({
    mutationFn: () => apiFetch<{ secret: string }>(`/api/v1/webhooks/${endpoint.id}/secret`),
    onSuccess: (result) => {
      setShown(result.secret);
      return queryClient.invalidateQueries({ queryKey: webhookKeys.audit(endpoint.id) });
    },
    onError: (error) => toast.error(`Could not reveal the secret: ${error.message}`),
  });
  const graceUntil = endpoint.previous_secret_expires_at ? new Date(endpoint.previous_secret_expires_at) : null;

  return (
    <Card className="p-5">
      <section aria-labelledby="signing-secret-heading" className="space-y-3">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 id="signing-secret-heading" className="text-sm font-semibold">
              Signing secret
            </h2>
            <p className="mt-1 max-w-2xl text-sm text-slate-600">
              Every request carries <code className="font-mono">X-DB24x7-Signature: sha256=…</code>, the HMAC-SHA256 of
              the raw body keyed with this secret. Verify it before processing a request.
            </p>
          </div>
          {canManage && (
            <Button variant="secondary" onClick={() => setRolling(true)}>
              Roll secret
            </Button>
          )}
        </div>

        {!canManage ? (
          <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">Only admins can see the signing secret.</p>
        ) : shown ? (
          <div className="space-y-2">
            <SecretDisplay secret={shown} />
            <Button variant="ghost" onClick={() => setShown(null)}>
              Hide secret
            </Button>
          </div>
        ) : (
          <div className="flex items-center gap-2">
            <code aria-hidden className="block flex-1 rounded bg-slate-100 px-3 py-2 font-mono text-xs text-slate-500">
              whsec_••••••••••••••••••••••••••••••••••••••••••••
            </code>
            <Button variant="secondary" pending={reveal.isPending} onClick={() => reveal.mutate()}>
              Reveal secret
            </Button>
          </div>
        )}

        {graceUntil && (
          <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <p className="font-medium">Secret roll in progress until {graceUntil.toLocaleString()}.</p>
            <p className="mt-1">
              Until then <code className="font-mono">X-DB24x7-Signature</code> is still signed with the previous secret, and{" "}
              <code className="font-mono">X-DB24x7-Signature-Next</code> with the new one. Switch your receiver to the new
              secret whenever you like: when it refuses the previous signature (401 or 403), the request is sent again at
              once signed with the new secret, and once it accepts that, the roll completes early. No delivery fails.
            </p>
          </div>
        )}
      </section>
      {canManage && (
        <RollSecretDialog
          endpointId={endpoint.id}
          open={rolling}
          onOpenChange={setRolling}
          onRolled={() => setShown(null)}
        />
      )}
    </Card>
  );
}

function RollSecretDialog({
  endpointId,
  open,
  onOpenChange,
  onRolled,
}: {
  endpointId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onRolled: () => void;
}) {
  const queryClient = useQueryClient();
  const [grace, setGrace] = useState(DEFAULT_GRACE_PERIOD_SECONDS);
  const roll = useMutation({
    mutationFn: () =>
      apiFetch<RotatedSecretOutput>(`/api/v1/webhooks/${endpointId}/rotate-secret`, {
        method: "POST",
        body: { grace_period_seconds: grace },
      }),
    onSuccess: () => {
      toast.success("Signing secret rolled");
      onRolled();
      return queryClient.invalidateQueries({ queryKey: webhookKeys.all });
    },
    onError: (error) => toast.error(`Could not roll the secret: ${error.message}`),
  });

  function close(next: boolean) {
    if (!next) {
      roll.reset();
      setGrace(DEFAULT_GRACE_PERIOD_SECONDS);
    }
    onOpenChange(next);
  }

  const rolled = roll.data;
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title={rolled ? "Copy your new signing secret" : "Roll signing secret"}
      description={
        rolled
          ? rolled.previous_secret_expires_at
            ? `The previous secret keeps signing X-DB24x7-Signature until ${new Date(rolled.previous_secret_expires_at).toLocaleString()}; the new one signs X-DB24x7-Signature-Next meanwhile.`
            : "The new secret signs every request from now on."
          : "A new secret is generated. Choose how long the current one keeps signing requests, so your receiver can switch without failed deliveries."
      }
    >
      {rolled ? (
        <div className="space-y-4">
          <SecretDisplay secret={rolled.secret} label="New signing secret" />
          <div className="flex justify-end">
            <Button onClick={() => close(false)}>Done</Button>
          </div>
        </div>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            roll.mutate();
          }}
        >
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Keep the current secret for</legend>
            {GRACE_PERIOD_CHOICES.map((choice) => (
              <label key={choice.seconds} className="mt-1.5 flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="grace_period_seconds"
                  value={choice.seconds}
                  checked={grace === choice.seconds}
                  onChange={() => setGrace(choice.seconds)}
                  className="accent-brand-600"
                />
                {choice.label}
              </label>
            ))}
          </fieldset>
          {grace === 0 && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-xs text-red-700">
              Requests are signed with the new secret immediately; your receiver rejects them until it has the new
              secret. Use this when the current secret has leaked.
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => close(false)}>
              Cancel
            </Button>
            <Button type="submit" pending={roll.isPending}>
              Roll secret
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
