import { inngest } from "../client";
import { attemptDelivery } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import { DELIVERY_REQUESTED, type DeliveryRequestedData } from "@/lib/deliveries/dispatch";

// One durable run per delivery. Each attempt is a step that returns its outcome rather than
// throwing on a 4xx/5xx, so this loop, not Inngest's generic retries, owns the documented
// schedule; Inngest's retries only cover our own faults (e.g. the database was unreachable).
export const deliverWebhook = inngest.createFunction(
  {
    id: "deliver-webhook",
    triggers: [{ event: DELIVERY_REQUESTED }],
    concurrency: [{ key: "event.data.endpoint_id", limit: deliveryConfig().endpointConcurrency }],
    retries: 3,
  },
  async ({ event, step }) => {
    const { delivery_id: deliveryId } = event.data as DeliveryRequestedData;
    const { schedule } = deliveryConfig();
    for (let index = 0; index < schedule.length; index++) {
      const n = index + 1;
      if (index > 0) await step.sleep(`wait-before-attempt-${n}`, schedule[index]);
      const outcome = await step.run(`attempt-${n}`, () => attemptDelivery(deliveryId, "scheduled", index));
      if (outcome.kind !== "failed" || outcome.final) return { delivery_id: deliveryId, attempts: n, outcome: outcome.kind };
    }
    return { delivery_id: deliveryId, attempts: schedule.length, outcome: "failed" };
  },
);
