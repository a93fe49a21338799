import { inngest } from "../client";
import { attemptDelivery, scheduledAttemptsMade } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import { DELIVERY_CONTINUED, type DeliveryRequestedData } from "@/lib/deliveries/dispatch";

// One durable run per delivery that needs more than a batched first attempt: its retries, or
// its first attempt when kept out of a batch. Each attempt is a step that returns its outcome
// rather than throwing on a 4xx/5xx, so this loop, not Inngest's generic retries, owns the
// documented schedule; Inngest's retries only cover our own faults (e.g. the database was
// unreachable): ten retries ride out hours of outage with Inngest's backoff. Should a run still
// fail, its onFailure hands the delivery to a new run that resumes the schedule where it
// stopped, so a delivery is never left pending for good. That hand-over needs no database.
export const deliverWebhook = inngest.createFunction(
  {
    id: "deliver-webhook",
    triggers: [{ event: DELIVERY_CONTINUED }],
    concurrency: [{ key: "event.data.endpoint_id", limit: deliveryConfig().endpointConcurrency }],
    retries: 10,
    onFailure: async ({ event, step }) => {
      const original = event.data.event.data as DeliveryRequestedData;
      await step.sendEvent("resume-delivery", {
        name: DELIVERY_CONTINUED,
        id: `${original.delivery_id}:resume:${event.data.run_id}`,
        data: { ...original, resume: true } satisfies DeliveryRequestedData,
      });
    },
  },
  async ({ event, step }) => {
    const data = event.data as DeliveryRequestedData;
    const deliveryId = data.delivery_id;
    const { schedule } = deliveryConfig();
    const start = data.resume
      ? await step.run("find-resume-point", async () => Math.min(await scheduledAttemptsMade(deliveryId), schedule.length - 1))
      : Math.min(data.from_attempt ?? 0, schedule.length - 1);
    for (let index = start; index < schedule.length; index++) {
      const n = index + 1;
      // A resumed schedule makes its next attempt at once; otherwise each retry waits its delay.
      if (index > start || (index > 0 && !data.resume)) await step.sleep(`wait-before-attempt-${n}`, schedule[index]);
      const outcome = await step.run(`attempt-${n}`, () => attemptDelivery(deliveryId, "scheduled", index));
      // A crash after the first attempt was recorded but before this step's result was saved
      // runs the step again, and it finds the attempt made: the schedule goes on as after a failure.
      const madeBefore = outcome.kind === "stopped" && outcome.status === "retrying";
      if (!madeBefore && (outcome.kind !== "failed" || outcome.final)) {
        return { delivery_id: deliveryId, attempts: n, outcome: outcome.kind };
      }
    }
    return { delivery_id: deliveryId, attempts: schedule.length, outcome: "failed" };
  },
);
