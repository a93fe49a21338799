import { inngest } from "../client";
import { attemptDeliveries } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import {
  DELIVERY_CONTINUED,
  DELIVERY_REQUESTED,
  type DeliveriesRequestedData,
  type DeliveryRequestedData,
} from "@/lib/deliveries/dispatch";

const config = deliveryConfig();

type Requested = Pick<DeliveryRequestedData, "delivery_id" | "endpoint_id" | "account_id">;

/** The deliveries a batch carries: each event names a published event's (or, as stored by older versions, one delivery). */
function deliveriesOf(events: Array<{ data: unknown }>): Requested[] {
  return events.flatMap(({ data }) => {
    const d = data as Partial<DeliveriesRequestedData> & Partial<DeliveryRequestedData>;
    if (d.deliveries) return d.deliveries.map((x) => ({ ...x, account_id: d.account_id! }));
    return [{ delivery_id: d.delivery_id!, endpoint_id: d.endpoint_id!, account_id: d.account_id! }];
  });
}

// First attempts, many deliveries per run: almost every delivery succeeds at its first
// attempt, and one run per delivery would spend far more on orchestration than on the request
// itself. Each event of a batch carries all the deliveries of one published event. The
// attempts of a batch go out in parallel and are recorded in groups; whatever is left to do for
// a delivery afterwards (its retries, or a first attempt the batch's time budget did not reach)
// goes on in a deliver-webhook run of its own, as do first attempts to endpoints already
// failing (a batch waits for its slowest request, and a failing endpoint's are the slowest).
// If this run fails for good, its onFailure hands every delivery of the batch on the same way,
// resuming where each stopped.
export const deliverFirstAttempts = inngest.createFunction(
  {
    id: "deliver-first-attempts",
    triggers: [{ event: DELIVERY_REQUESTED }],
    batchEvents: { maxSize: config.batchSize, timeout: config.batchWait },
    concurrency: { limit: config.batchConcurrency },
    retries: 10,
    onFailure: async ({ event, step }) => {
      // Our engine adds the whole batch to the failure event (Inngest itself carries events[0]).
      const failed = event.data as { event: { data: unknown }; events?: Array<{ data: unknown }>; run_id: string };
      await step.sendEvent(
        "resume-deliveries",
        deliveriesOf(failed.events ?? [failed.event]).map((d) => ({
          name: DELIVERY_CONTINUED,
          id: `${d.delivery_id}:resume:${failed.run_id}`,
          data: { ...d, resume: true } satisfies DeliveryRequestedData,
        })),
      );
    },
  },
  async ({ events, step }) => {
    const requested = new Map(deliveriesOf(events).map((d) => [d.delivery_id, d]));
    const handOver = await step.run("attempt-1", async () => {
      const outcomes = await attemptDeliveries([...requested.keys()], "scheduled", 0, {
        budgetMs: config.batchBudgetMs,
        endpointConcurrency: config.batchEndpointConcurrency,
        isolateFaults: true,
        deferFailing: true,
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
