import { inngest } from "../client";
import { attemptDeliveries } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import { DELIVERY_CONTINUED, DELIVERY_REQUESTED, type DeliveryRequestedData } from "@/lib/deliveries/dispatch";

const config = deliveryConfig();

// First attempts, many deliveries per run: almost every delivery succeeds at its first
// attempt, and one run per delivery would spend far more on orchestration than on the request
// itself. The attempts of a batch go out in parallel and are recorded in groups; whatever is
// left to do for a delivery afterwards (its retries, or a first attempt the batch's time budget
// did not reach) goes on in a deliver-webhook run of its own. If this run fails for good, its
// onFailure hands every delivery of the batch on the same way, resuming where each stopped.
export const deliverFirstAttempts = inngest.createFunction(
  {
    id: "deliver-first-attempts",
    triggers: [{ event: DELIVERY_REQUESTED }],
    batchEvents: { maxSize: config.batchSize, timeout: config.batchWait },
    concurrency: { limit: config.batchConcurrency },
    retries: 10,
    onFailure: async ({ event, step }) => {
      // Our engine adds the whole batch to the failure event (Inngest itself carries events[0]).
      const failed = event.data as { event: { data: DeliveryRequestedData }; events?: Array<{ data: DeliveryRequestedData }>; run_id: string };
      const batch = failed.events ?? [failed.event];
      await step.sendEvent(
        "resume-deliveries",
        batch.map(({ data }) => ({
          name: DELIVERY_CONTINUED,
          id: `${data.delivery_id}:resume:${failed.run_id}`,
          data: { delivery_id: data.delivery_id, endpoint_id: data.endpoint_id, account_id: data.account_id, resume: true },
        })),
      );
    },
  },
  async ({ events, step }) => {
    const requested = new Map(events.map((e) => [(e.data as DeliveryRequestedData).delivery_id, e.data as DeliveryRequestedData]));
    const handOver = await step.run("attempt-1", async () => {
      const outcomes = await attemptDeliveries([...requested.keys()], "scheduled", 0, {
        budgetMs: config.batchBudgetMs,
        endpointConcurrency: config.batchEndpointConcurrency,
        isolateFaults: true,
      });
      const next: Array<{ delivery_id: string; from_attempt: number }> = [];
      for (const [id, outcome] of outcomes) {
        if (outcome.kind === "failed" && !outcome.final) next.push({ delivery_id: id, from_attempt: 1 });
        else if (outcome.kind === "deferred") next.push({ delivery_id: id, from_attempt: 0 });
        // This step ran before and recorded a failed first attempt, but was cut off before
        // the hand-over: hand over now (the event id makes a repeat harmless).
        else if (outcome.kind === "stopped" && outcome.status === "retrying") next.push({ delivery_id: id, from_attempt: 1 });
      }
      return next;
    });
    if (handOver.length > 0) {
      await step.sendEvent(
        "continue-deliveries",
        handOver.map(({ delivery_id, from_attempt }) => {
          const { endpoint_id, account_id } = requested.get(delivery_id)!;
          return {
            name: DELIVERY_CONTINUED,
            id: `${delivery_id}:continue`,
            data: { delivery_id, endpoint_id, account_id, from_attempt } satisfies DeliveryRequestedData,
          };
        }),
      );
    }
    return { deliveries: requested.size, handed_over: handOver.length };
  },
);
