import { inngest } from "../client";
import { attemptDelivery } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import { DELIVERY_RETRY_REQUESTED, type DeliveryRequestedData } from "@/lib/deliveries/dispatch";

// "Retry all failed": one manual attempt per delivery, under the same per-endpoint bound.
export const retryDelivery = inngest.createFunction(
  {
    id: "retry-delivery",
    triggers: [{ event: DELIVERY_RETRY_REQUESTED }],
    concurrency: [{ key: "event.data.endpoint_id", limit: deliveryConfig().endpointConcurrency }],
    retries: 3,
  },
  async ({ event, step }) => {
    const { delivery_id: deliveryId } = event.data as DeliveryRequestedData;
    const outcome = await step.run("manual-attempt", () => attemptDelivery(deliveryId, "manual"));
    return { delivery_id: deliveryId, outcome: outcome.kind };
  },
);
