import { inngest } from "../client";
import { attemptRequested, failedRun } from "../events";
import { attemptDelivery, settleRequestedAttempt } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import { observedRun } from "@/lib/observability/deliveries";

// The attempts people ask for ("Retry now", "Retry all failed", test events): one attempt each,
// under the same per-endpoint bound as the schedule. The request that asked answered at once
// with the delivery queued; the dashboard follows it until this run records the attempt. If
// the attempt cannot be made at all (our fault, retried first), the delivery is not left
// queued: it settles as the state machine says a failed attempt would.
export const attemptRequestedDelivery = inngest.createFunction(
  {
    id: "attempt-requested",
    triggers: [attemptRequested],
    concurrency: [{ key: "event.data.endpoint_id", limit: deliveryConfig().endpointConcurrency }],
    retries: 10,
    onFailure: async ({ event, step, error }) => {
      const requested = attemptRequested.schema.parse(failedRun.parse(event.data).event.data);
      console.error(`[deliveries] ${requested.trigger} attempt of ${requested.delivery_id} given up: ${error.message}`);
      await step.run("settle", () => settleRequestedAttempt(requested.delivery_id, requested.trigger));
    },
  },
  async ({ event, step }) => {
    const { delivery_id: deliveryId, trigger } = event.data;
    const outcome = await step.run("attempt", () => observedRun("webhooks.attempt-requested", deliveryId, () => attemptDelivery(deliveryId, trigger)));
    return { delivery_id: deliveryId, outcome: outcome.kind };
  },
);
