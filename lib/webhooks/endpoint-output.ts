import "server-only";
import type { WebhookEndpoint } from "@prisma/client";
import { deliveryConfig } from "../deliveries/config";
import { decryptCustomHeaders, maskHeaderValue } from "./custom-headers";
import type { Diagnosis } from "./diagnosis";
import { endpointHealth, RECENT_ATTEMPTS } from "./health";
import { endpointOutput, type EndpointOutput } from "./schemas";

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The API's view of an endpoint, through the output schema (which has no secret in it). */
export function toEndpointOutput(endpoint: WebhookEndpoint, now: Date = new Date(), diagnosis: Diagnosis | null = null): EndpointOutput {
  const graceRunning = endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now;
  const health = endpointHealth(endpoint, deliveryConfig());
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
    filter: endpoint.filter,
    rate_limit_per_second: endpoint.rateLimitPerSecond,
    headers: Object.fromEntries(
      Object.entries(decryptCustomHeaders(endpoint.id, endpoint.headersEncrypted)).map(([name, value]) => [name, maskHeaderValue(value)]),
    ),
    previous_secret_expires_at: graceRunning ? iso(endpoint.previousSecretExpiresAt) : null,
    failing_since: iso(endpoint.failingSince),
    health: {
      state: health.state,
      since: iso(health.since),
      disabled_reason: health.disabledReason,
      consecutive_failures: health.consecutiveFailures,
      recent_failures: health.recentFailures,
      recent_attempts_considered: RECENT_ATTEMPTS,
      disables_at: iso(health.disablesAt),
      diagnosis: health.state === "healthy" ? null : diagnosis,
    },
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  });
}
