"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api-fetch";
import type { EventTypeSummary } from "@/lib/webhooks/event-types";
import type { CreatedEndpointOutput } from "@/lib/webhooks/schemas";
import { checkForm, emptyEndpointForm, EndpointFields, errorsFromApi, type EndpointFormErrors } from "./endpoint-fields";
import { LinkButton } from "./link-button";
import { webhookKeys } from "./queries";
import { SecretDisplay } from "./secret-display";

export const WEBHOOKS_PATH = "/settings/integrations/webhooks";

export function NewEndpointForm({ eventTypes }: { eventTypes: EventTypeSummary[] }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(emptyEndpointForm);
  const [errors, setErrors] = useState<EndpointFormErrors>({});
  const create = useMutation({
    mutationFn: () =>
      apiFetch<CreatedEndpointOutput>("/api/v1/webhooks", {
        method: "POST",
        body: {
          url: values.url.trim(),
          description: values.description.trim(),
          environment: values.environment,
          event_types: [...values.eventTypes],
          standard_webhooks: values.standardWebhooks,
        },
      }),
    onSuccess: () => {
      toast.success("Webhook created");
      return queryClient.invalidateQueries({ queryKey: webhookKeys.all });
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
    if (Object.keys(found).length > 0) {
      // Send keyboard and screen-reader users to the first problem.
      const selector = found.url ? 'input[name="url"]' : 'input[name="event_types"]';
      event.currentTarget.querySelector<HTMLElement>(selector)?.focus();
      return;
    }
    create.mutate();
  }

  const created = create.data;
  const goToEndpoint = () => created && router.push(`${WEBHOOKS_PATH}/${created.id}`);

  return (
    <>
      <form onSubmit={onSubmit} noValidate aria-label="Add webhook">
        <Card className="p-6">
          <EndpointFields values={values} onChange={setValues} errors={errors} eventTypes={eventTypes} disabled={create.isPending} />
          <div className="mt-6 flex justify-end gap-2 border-t border-slate-100 pt-4">
            <LinkButton href={WEBHOOKS_PATH} variant="secondary">
              Cancel
            </LinkButton>
            <Button type="submit" pending={create.isPending}>
              {create.isPending ? "Saving…" : "Save"}
            </Button>
          </div>
        </Card>
      </form>
      <Dialog
        open={Boolean(created)}
        onOpenChange={(open) => !open && goToEndpoint()}
        title="Copy your signing secret"
        description="Use it to verify the X-DB24x7-Signature header of every request. Store it in your receiver's configuration (e.g. DB24X7_WEBHOOK_SECRET). Admins can reveal it again from the endpoint page."
      >
        {created && (
          <div className="space-y-4">
            <SecretDisplay secret={created.secret} />
            <div className="flex justify-end">
              <Button onClick={goToEndpoint}>Continue to endpoint</Button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}
