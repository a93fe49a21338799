import { inngest } from "../client";
import { failedRun, scheduleContinued, scheduleContinuedId } from "../events";
import { attemptDelivery, resumePoint, type NextAttempt } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import { observedRun } from "@/lib/observability/deliveries";

// One durable run per delivery that needs more than a batched first attempt: its retries, or
// its first attempt when kept out of a batch. Each attempt is a step that returns what the
// state machine decided rather than throwing on a 4xx/5xx, so this loop, not Inngest's generic
// retries, follows the documented schedule, sleeping until each next attempt's recorded time;
// Inngest's retries only cover our own faults (e.g. the database was unreachable): ten retries
// ride out hours of outage with Inngest's backoff. Should a run still fail, its onFailure hands
// the delivery to a new run that resumes the schedule where the record says it stands, so a
// delivery is never left pending for good. That hand-over needs no database.
export const deliverWebhook = inngest.createFunction(
  {
    id: "deliver-webhook",
    triggers: [scheduleContinued],
    concurrency: [{ key: "event.data.endpoint_id", limit: deliveryConfig().endpointConcurrency }],
    retries: 10,
    onFailure: async ({ event, step }) => {
      const failed = failedRun.parse(event.data);
      const original = scheduleContinued.schema.parse(failed.event.data);
      await step.sendEvent(
        "resume-delivery",
        scheduleContinued.create({ ...original, resume: true }, { id: scheduleContinuedId(original.delivery_id, failed.run_id) }),
      );
    },
  },
  async ({ event, step }) => {
    const deliveryId = event.data.delivery_id;
    let next: NextAttempt | null = event.data.resume
      ? await step.run("find-resume-point", () => resumePoint(deliveryId))
      : { attempt: event.data.attempt, at: event.data.not_before ?? new Date(0).toISOString() };
    let attempts = 0;
    while (next) {
      const { attempt, at } = next;
      // Skipped when already due: time only moves on, so a replay skips it too.
      if (Date.parse(at) > Date.now()) await step.sleepUntil(`wait-before-attempt-${attempt + 1}`, at);
      const outcome = await step.run(`attempt-${attempt + 1}`, () =>
        observedRun("webhooks.deliver-webhook", deliveryId, () => attemptDelivery(deliveryId, "scheduled", attempt)),
      );
      attempts++;
      if (outcome.kind === "deferred") throw new Error(`delivery ${deliveryId}: attempt ${attempt + 1} could not be made`);
      next = outcome.kind === "attempted" || outcome.kind === "skipped" ? outcome.next : null;
      // The state machine moves a schedule forward only; anything else would repeat a step.
      if (next && next.attempt <= attempt) next = null;
    }
    return { delivery_id: deliveryId, steps: attempts };
  },
);
