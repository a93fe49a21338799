"use client";

import { useId } from "react";
import { Field } from "@/components/ui/field";
import { ApiClientError } from "@/lib/client/api-fetch";
import type { EventTypeSummary } from "@/lib/webhooks/event-types";
import type { EndpointOutput } from "@/lib/webhooks/schemas";
import { EventTypePicker } from "./event-type-picker";

export interface EndpointFormValues {
  url: string;
  description: string;
  environment: EndpointOutput["environment"];
  eventTypes: Set<string>;
  standardWebhooks: boolean;
}

export type EndpointFormErrors = Partial<Record<"url" | "description" | "environment" | "eventTypes", string>>;

export const emptyEndpointForm = (): EndpointFormValues => ({
  url: "",
  description: "",
  environment: "production",
  eventTypes: new Set(),
  standardWebhooks: false,
});

export const formFromEndpoint = (endpoint: EndpointOutput): EndpointFormValues => ({
  url: endpoint.url,
  description: endpoint.description,
  environment: endpoint.environment,
  eventTypes: new Set(endpoint.event_types),
  standardWebhooks: endpoint.standard_webhooks,
});

/** What the browser can tell before asking the server (the server checks everything again). */
export function checkForm(values: EndpointFormValues): EndpointFormErrors {
  const errors: EndpointFormErrors = {};
  if (!values.url.trim()) errors.url = "Enter the URL that should receive the events.";
  if (values.eventTypes.size === 0) errors.eventTypes = "Choose at least one event type.";
  return errors;
}

const FIELD_FOR_PATH: Record<string, keyof EndpointFormErrors> = {
  url: "url",
  description: "description",
  environment: "environment",
  event_types: "eventTypes",
};

/** Puts the API's 400 issues under the fields they concern; null when it is not that kind of error. */
export function errorsFromApi(error: unknown): EndpointFormErrors | null {
  if (!(error instanceof ApiClientError) || error.status !== 400 || !Array.isArray(error.details)) return null;
  const errors: EndpointFormErrors = {};
  for (const issue of error.details as { path?: (string | number)[]; message?: string }[]) {
    const field = FIELD_FOR_PATH[String(issue.path?.[0] ?? "")];
    if (field && issue.message && !errors[field]) {
      errors[field] = issue.path?.[0] === "url" || issue.path?.[0] === "event_types" ? sentence(issue.message) : `${issue.path?.[0]} ${issue.message}`;
    }
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function EndpointFields({
  values,
  onChange,
  errors,
  eventTypes,
  disabled = false,
}: {
  values: EndpointFormValues;
  onChange: (next: EndpointFormValues) => void;
  errors: EndpointFormErrors;
  eventTypes: EventTypeSummary[];
  disabled?: boolean;
}) {
  const id = useId();
  const set = <K extends keyof EndpointFormValues>(key: K, value: EndpointFormValues[K]) => onChange({ ...values, [key]: value });
  return (
    <div className="space-y-5">
      <Field
        label="Endpoint URL"
        name="url"
        type="text"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://example.com/webhooks/db24x7"
        value={values.url}
        onChange={(e) => set("url", e.target.value)}
        error={errors.url}
        disabled={disabled}
        hint="We POST signed JSON to this URL. It must use HTTPS in production."
      />
      <Field
        label="Description"
        name="description"
        placeholder="e.g. On-call paging service"
        maxLength={500}
        value={values.description}
        onChange={(e) => set("description", e.target.value)}
        error={errors.description}
        disabled={disabled}
        hint="Optional. Helps your team tell endpoints apart."
      />
      <div className="space-y-1">
        <label htmlFor={`${id}-environment`} className="block text-sm font-medium text-slate-800">
          Environment
        </label>
        <select
          id={`${id}-environment`}
          name="environment"
          value={values.environment}
          disabled={disabled}
          onChange={(e) => set("environment", e.target.value as EndpointFormValues["environment"])}
          aria-describedby={`${id}-environment-hint`}
          className="block w-full max-w-xs rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
        >
          <option value="production">Production</option>
          <option value="staging">Staging</option>
          <option value="development">Development</option>
        </select>
        <p id={`${id}-environment-hint`} className="text-xs text-slate-500">
          {errors.environment ?? "The endpoint receives events published for this environment."}
        </p>
      </div>
      <EventTypePicker
        eventTypes={eventTypes}
        selected={values.eventTypes}
        onChange={(next) => set("eventTypes", next)}
        error={errors.eventTypes}
        disabled={disabled}
      />
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          name="standard_webhooks"
          checked={values.standardWebhooks}
          disabled={disabled}
          onChange={(e) => set("standardWebhooks", e.target.checked)}
          className="mt-0.5 size-4 accent-brand-600"
        />
        <span>
          <span className="font-medium">Standard Webhooks headers</span>
          <span className="block text-xs text-slate-500">
            Also send <code className="font-mono">webhook-id</code>, <code className="font-mono">webhook-timestamp</code> and{" "}
            <code className="font-mono">webhook-signature</code>, so libraries that implement the Standard Webhooks
            specification can verify requests. The documented <code className="font-mono">X-DB24x7-*</code> headers are
            always sent.
          </span>
        </span>
      </label>
    </div>
  );
}
