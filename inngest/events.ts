// The events our own code sends to Inngest, one definition each: the name, what the data
// carries (a zod schema the SDK checks when a run starts), and the deterministic event id that
// makes a repeated hand-over start nothing twice. They are written to the outbox with the change
// that calls for them (lib/deliveries/outbox.ts) and never sent any other way, except the
// onFailure resumes, which Inngest sends itself (step.sendEvent) and so need no database.
import { eventType } from "inngest";
import { z } from "zod";

const deliveryRef = { delivery_id: z.string().min(1), endpoint_id: z.string().min(1) };

/** A published event's deliveries are due their first attempts: batched (deliver-first-attempts). */
export const deliveriesDue = eventType("webhooks/event.deliveries-due", {
  schema: z.object({
    event_id: z.string().min(1),
    account_id: z.string().min(1),
    deliveries: z.array(z.object(deliveryRef)).min(1),
    /** The publish's W3C trace context, when tracing is on (lib/observability/tracing.ts). */
    traceparent: z.string().max(256).optional(),
  }),
});
export type DeliveriesDue = z.infer<typeof deliveriesDue.schema>;

/**
 * A delivery's schedule goes on in a run of its own (deliver-webhook), from scheduled attempt
 * `attempt` (0-based) at `not_before`: after a failed first attempt, for a first attempt kept
 * out of a batch, or, with `resume`, from wherever a failed run left it.
 */
export const scheduleContinued = eventType("webhooks/delivery.schedule-continued", {
  schema: z.object({
    ...deliveryRef,
    account_id: z.string().min(1),
    attempt: z.number().int().min(0),
    not_before: z.iso.datetime().optional(),
    resume: z.boolean().optional(),
  }),
});
export type ScheduleContinued = z.infer<typeof scheduleContinued.schema>;
/** A delivery's schedule is continued once from the batch; a resume carries the failed run's id. */
export const scheduleContinuedId = (deliveryId: string, resumedFromRun?: string) =>
  resumedFromRun ? `${deliveryId}:resume:${resumedFromRun}` : `${deliveryId}:continue`;

/** One attempt asked for by a person: "Retry now", "Retry all failed" or a test event (attempt-requested). */
export const attemptRequested = eventType("webhooks/delivery.attempt-requested", {
  schema: z.object({
    ...deliveryRef,
    account_id: z.string().min(1),
    trigger: z.enum(["manual", "test"]),
    request_id: z.string().min(1),
  }),
});
export type AttemptRequested = z.infer<typeof attemptRequested.schema>;

/** Notices were recorded (lib/notices): tell people and subscribed endpoints (send-notices). */
export const noticesRecorded = eventType("webhooks/notices.recorded", {
  schema: z.object({
    account_id: z.string().min(1),
    notice_ids: z.array(z.string().min(1)).min(1),
  }),
});
export type NoticesRecorded = z.infer<typeof noticesRecorded.schema>;

/** Every event the outbox carries: the sweep reads stored ones back through this. */
export const outboxEvent = z.discriminatedUnion("name", [
  z.object({ name: z.literal(deliveriesDue.name), data: deliveriesDue.schema }),
  z.object({ name: z.literal(scheduleContinued.name), data: scheduleContinued.schema }),
  z.object({ name: z.literal(attemptRequested.name), data: attemptRequested.schema }),
  z.object({ name: z.literal(noticesRecorded.name), data: noticesRecorded.schema }),
]);
export type OutboxEvent = z.infer<typeof outboxEvent>;

/** What the onFailure handler of a run is given: the run's triggering event(s), untyped. */
export const failedRun = z.object({
  run_id: z.string(),
  event: z.object({ data: z.unknown() }),
  // Our engine adds the whole batch (Inngest itself carries events[0] only).
  events: z.array(z.object({ data: z.unknown() })).optional(),
});
