import "server-only";
import type { WebhookEndpoint } from "@prisma/client";
import { endpointOutput, type EndpointOutput } from "./schemas";

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The API's view of an endpoint, through the output schema (which has no secret in it). */
export function toEndpointOutput(endpoint: WebhookEndpoint, now: Date = new Date()): EndpointOutput {
  const graceRunning = endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now;
  return endpointOutput.parse({
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    environment: endpoint.environment,
    event_types: endpoint.eventTypes,
    status: endpoint.status,
    disabled_reason: endpoint.disabledReason,
    disabled_at: iso(endpoint.disabledAt),
    standard_webhooks: endpoint.standardWebhooks,
    previous_secret_expires_at: graceRunning ? iso(endpoint.previousSecretExpiresAt) : null,
    failing_since: iso(endpoint.failingSince),
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  });
}
