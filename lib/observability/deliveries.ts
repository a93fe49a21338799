// What the delivery core reports, in one place so its own files carry a call each: publishes
// and attempts, counted (metrics.ts) and traced (tracing.ts). Attribute names are ours
// (db24x7.*) beside OpenTelemetry's HTTP ones; an endpoint's URL goes in as its host only, since
// a receiver's URL may carry a token in its path or query.
import type { PublishEventOutput } from "../events/schemas";
import type { Recorded, SentAttempt } from "../deliveries/record-attempts";
import type { AttemptTrigger, DeliveryState } from "../deliveries/state";
import { metrics } from "./metrics";
import { contextFrom, inSpan, linksTo } from "./tracing";

export const ATTRIBUTES = {
  eventId: "db24x7.event.id",
  eventType: "db24x7.event.type",
  deliveryId: "db24x7.delivery.id",
  endpointId: "db24x7.endpoint.id",
  accountId: "db24x7.account.id",
  trigger: "db24x7.attempt.trigger",
  attempt: "db24x7.attempt.number",
  result: "db24x7.attempt.result",
} as const;

/** A publish, in a span named after it, counted once stored (a repeated producer id is not). */
export function observedPublish(
  accountId: string,
  type: string,
  publish: () => Promise<PublishEventOutput>,
): Promise<PublishEventOutput> {
  return inSpan("webhooks.publish", { attributes: { [ATTRIBUTES.accountId]: accountId, [ATTRIBUTES.eventType]: type } }, async (span) => {
    const output = await publish();
    span.setAttributes({ [ATTRIBUTES.eventId]: output.id, "db24x7.deliveries": output.deliveries.length, "db24x7.duplicate": output.duplicate });
    if (!output.duplicate) {
      const m = metrics();
      m.eventsPublished.inc();
      m.deliveriesCreated.inc(output.deliveries.length);
    }
    return output;
  });
}

/** A batch run of first attempts: linked to each published event it carries. */
export function observedBatch<T>(traceparents: Array<string | undefined>, deliveries: number, run: () => Promise<T>): Promise<T> {
  return inSpan("webhooks.deliver-first-attempts", { attributes: { "db24x7.deliveries": deliveries }, links: linksTo(traceparents) }, run);
}

/** A step of a run of one delivery (deliver-webhook, attempt-requested): its attempt's parent. */
export function observedRun<T>(name: string, deliveryId: string, run: () => Promise<T>): Promise<T> {
  return inSpan(name, { attributes: { [ATTRIBUTES.deliveryId]: deliveryId } }, run);
}

interface AttemptedDelivery {
  id: string;
  accountId: string;
  endpointId: string;
  state: DeliveryState;
  createdMs: number;
  event: { id: string };
  endpoint: { url: string };
}

/**
 * One attempt of a delivery (one request, or two over a secret switch), in a span that is the
 * child of its publish when the hand-over carried the publish's `traceparent`, else of the run.
 */
export function observedAttempt(
  delivery: AttemptedDelivery,
  trigger: AttemptTrigger,
  attempt: number,
  traceparent: string | undefined,
  send: () => Promise<SentAttempt[]>,
): Promise<SentAttempt[]> {
  const startedAt = Date.now();
  const m = metrics();
  const scheduled = trigger === "scheduled";
  if (scheduled && attempt === 0 && delivery.state.scheduledAttempts === 0) {
    m.firstAttemptDelay.observe(Math.max(0, startedAt - delivery.createdMs) / 1000);
  }
  const attributes = {
    [ATTRIBUTES.deliveryId]: delivery.id,
    [ATTRIBUTES.eventId]: delivery.event.id,
    [ATTRIBUTES.endpointId]: delivery.endpointId,
    [ATTRIBUTES.accountId]: delivery.accountId,
    [ATTRIBUTES.trigger]: trigger,
    ...(scheduled ? { [ATTRIBUTES.attempt]: attempt + 1 } : {}),
    "http.request.method": "POST",
    "server.address": hostOf(delivery.endpoint.url),
  };
  return inSpan("webhooks.attempt", { attributes, parent: contextFrom(traceparent) }, async (span) => {
    const sent = await send();
    for (const { result } of sent) {
      const outcome = result.errorClass ?? "success";
      m.attempts.inc({ result: outcome, trigger });
      m.attemptDuration.observe({ result: outcome }, result.durationMs / 1000);
    }
    const { result } = sent[sent.length - 1]!;
    span.setAttribute(ATTRIBUTES.result, result.errorClass ?? "success");
    if (result.status !== null) span.setAttribute("http.response.status_code", result.status);
    if (sent.length > 1) span.addEvent("signed again with the new secret");
    return sent;
  });
}

/** Deliveries an attempt settled, by their final status. */
export function countSettled(recorded: Map<string, Recorded>): void {
  const m = metrics();
  for (const { decision } of recorded.values()) if (decision.completed) m.deliveriesCompleted.inc({ status: decision.status });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}
