import "server-only";
import type { Prisma, WebhookEndpoint } from "@prisma/client";
import { ApiError } from "../api/errors";
import { auditEntry } from "../audit/record";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import { dispatch, type OutboxMessage } from "../deliveries/outbox";
import { recordNoticesTx } from "../notices/record";
import { cancelOpenDeliveriesTx } from "./disable-endpoints";
import { assertUrlAllowed, assertUrlShape } from "./check-url";
import { decryptCustomHeaders, encryptCustomHeaders, MAX_CUSTOM_HEADERS, mergeCustomHeaders } from "./custom-headers";
import { toEndpointOutput } from "./endpoint-output";
import { AUDIT_TARGET, findEndpoint, lockEndpoint } from "./queries";
import type { EndpointOutput, UpdateEndpointInput } from "./schemas";

const FIELDS = [
  ["url", "url"],
  ["description", "description"],
  ["environment", "environment"],
  ["event_types", "eventTypes"],
  ["standard_webhooks", "standardWebhooks"],
  ["filter", "filter"],
  ["rate_limit_per_second", "rateLimitPerSecond"],
] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Edits an endpoint's settings and/or enables or disables it. The URL (with DNS) is checked
 * before the transaction; inside it the row is locked, the network-free rules are checked
 * again against what will be stored, and the write and its audit entries commit together. Disabling
 * cancels the endpoint's open deliveries and records the `endpoint_disabled` notice in the same
 * transaction.
 */
export async function updateEndpoint(caller: Caller, endpointId: string, input: UpdateEndpointInput): Promise<EndpointOutput> {
  const before = await findEndpoint(caller.accountId, endpointId);
  const environment = input.environment ?? before.environment;
  if (input.url !== undefined && input.url !== before.url) await assertUrlAllowed(input.url, environment);

  let handOvers: OutboxMessage[] = [];
  const output = await db.$transaction(async (tx) => {
    const current = await lockEndpoint(tx, caller.accountId, endpointId);
    const data: Prisma.WebhookEndpointUpdateManyMutationInput = {};
    const changes: Record<string, { from: Prisma.InputJsonValue; to: Prisma.InputJsonValue }> = {};
    for (const [field, column] of FIELDS) {
      const next = input[field];
      if (next === undefined || same(next, current[column])) continue;
      (data as Record<string, unknown>)[column] = next;
      changes[field] = { from: current[column] as Prisma.InputJsonValue, to: next as Prisma.InputJsonValue };
    }
    if (input.headers !== undefined) {
      const stored = decryptCustomHeaders(endpointId, current.headersEncrypted);
      const merged = mergeCustomHeaders(stored, input.headers);
      if (Object.keys(merged).length > MAX_CUSTOM_HEADERS) {
        throw new ApiError(400, "too_many_headers", `An endpoint has at most ${MAX_CUSTOM_HEADERS} custom headers; this change would leave ${Object.keys(merged).length}`);
      }
      if (!same(merged, stored)) {
        data.headersEncrypted = encryptCustomHeaders(endpointId, merged);
        // Names only: values may be credentials.
        changes.header_names = { from: Object.keys(stored), to: Object.keys(merged) };
      }
    }
    if (changes.url || changes.environment) {
      assertUrlShape(input.url ?? current.url, input.environment ?? current.environment);
    }
    const statusChange = input.status !== undefined && input.status !== current.status ? input.status : null;
    const now = new Date();
    if (statusChange === "disabled") Object.assign(data, { status: "disabled", disabledReason: "manual", disabledAt: now });
    // Enabled again: a new run of attempts starts (the recent bits stay, so it shows degraded).
    if (statusChange === "active") Object.assign(data, { status: "active", disabledReason: null, disabledAt: null, failingSince: null, failureStreak: 0 });
    if (Object.keys(data).length === 0) return toEndpointOutput(current);

    await tx.webhookEndpoint.updateMany({ where: { id: endpointId, accountId: caller.accountId, deletedAt: null }, data });
    const target = { type: AUDIT_TARGET, id: endpointId };
    const entries = [];
    if (Object.keys(changes).length > 0) entries.push(auditEntry(caller, "webhook_endpoint.updated", target, { changes }));
    if (statusChange === "disabled") entries.push(auditEntry(caller, "webhook_endpoint.disabled", target, { previous_reason: current.disabledReason }));
    if (statusChange === "active") {
      entries.push(auditEntry(caller, "webhook_endpoint.enabled", target, { previous_reason: current.disabledReason }));
    }
    await tx.auditLogEntry.createMany({ data: entries });
    if (statusChange === "disabled") {
      await cancelOpenDeliveriesTx(tx, caller.accountId, endpointId, `by ${caller.actor.label}`, now);
      handOvers = await recordNoticesTx(
        tx,
        [{ kind: "endpoint_disabled", accountId: caller.accountId, endpointId, disabledAt: now, automatic: false, reason: `Disabled by ${caller.actor.label}.` }],
        now,
      );
    }
    const updated: WebhookEndpoint = await tx.webhookEndpoint.findFirstOrThrow({ where: { id: endpointId, accountId: caller.accountId } });
    return toEndpointOutput(updated);
  });
  await dispatch(handOvers);
  return output;
}
