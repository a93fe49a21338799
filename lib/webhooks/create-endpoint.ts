import "server-only";
import { auditEntry } from "../audit/record";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { newId } from "../ids";
import { assertUrlAllowed } from "./check-url";
import { encryptCustomHeaders } from "./custom-headers";
import { toEndpointOutput } from "./endpoint-output";
import { AUDIT_TARGET } from "./queries";
import { createdEndpointOutput, type CreateEndpointInput, type CreatedEndpointOutput } from "./schemas";
import { encryptSigningSecret, generateSigningSecret } from "./secrets";

/** Creates an active endpoint with a fresh signing secret, returned this once in the response. */
export async function createEndpoint(caller: Caller, input: CreateEndpointInput): Promise<CreatedEndpointOutput> {
  await assertUrlAllowed(input.url, input.environment);
  const id = newId("we");
  const secret = generateSigningSecret();
  const [endpoint] = await db.$transaction([
    db.webhookEndpoint.create({
      data: {
        id,
        accountId: caller.accountId,
        url: input.url,
        description: input.description,
        environment: input.environment,
        eventTypes: input.event_types,
        standardWebhooks: input.standard_webhooks,
        secretEncrypted: encryptSigningSecret(id, secret),
        filter: input.filter,
        rateLimitPerSecond: input.rate_limit_per_second,
        headersEncrypted: encryptCustomHeaders(id, input.headers),
      },
    }),
    db.auditLogEntry.create({
      data: auditEntry(caller, "webhook_endpoint.created", { type: AUDIT_TARGET, id }, {
        url: input.url,
        description: input.description,
        environment: input.environment,
        event_types: input.event_types,
        standard_webhooks: input.standard_webhooks,
        filter: input.filter,
        rate_limit_per_second: input.rate_limit_per_second,
        // Names only: values may be credentials.
        header_names: Object.keys(input.headers),
      }),
    }),
  ]);
  return createdEndpointOutput.parse({ ...toEndpointOutput(endpoint), secret });
}
