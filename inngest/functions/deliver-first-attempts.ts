import { inngest } from "../client";
import { deliveriesDue, failedRun, scheduleContinued, scheduleContinuedId, type DeliveriesDue } from "../events";
import { attemptDeliveries } from "@/lib/deliveries/attempt-delivery";
import { deliveryConfig } from "@/lib/deliveries/config";
import { observedBatch } from "@/lib/observability/deliveries";

const config = deliveryConfig();

/** Every delivery the batch's events carry, with its account. */
const deliveriesOf = (events: Array<{ data: DeliveriesDue }>) =>
  events.flatMap(({ data }) => data.deliveries.map((d) => ({ ...d, account_id: data.account_id })));

// First attempts, many deliveries per run: almost every delivery succeeds at its first
// attempt, and one run per delivery would spend far more on orchestration than on the request
// itself. Each event of a batch carries all the deliveries of one published event. The
// attempts of a batch go out in parallel and are recorded in groups; whatever is left to do for
// a delivery afterwards (its retries, or a first attempt the batch's time budget did not reach)
// is written to the outbox with the attempt and goes on in a deliver-webhook run of its own,
// as do first attempts to endpoints already failing (a batch waits for its slowest request,
// and a failing endpoint's are the slowest). If this run fails for good, its onFailure hands
// every delivery of the batch on the same way, resuming where each stopped.
export const deliverFirstAttempts = inngest.createFunction(
  {
    id: "deliver-first-attempts",
    triggers: [deliveriesDue],
    batchEvents: { maxSize: config.batchSize, timeout: config.batchWait },
    concurrency: { limit: config.batchConcurrency },
    retries: 10,
    onFailure: async ({ event, step }) => {
      const failed = failedRun.parse(event.data);
      const events = (failed.events ?? [failed.event]).map(({ data }) => ({ data: deliveriesDue.schema.parse(data) }));
      await step.sendEvent(
        "resume-deliveries",
        deliveriesOf(events).map((d) =>
          scheduleContinued.create({ ...d, attempt: 0, resume: true }, { id: scheduleContinuedId(d.delivery_id, failed.run_id) }),
        ),
      );
    },
  },
  async ({ events, step }) => {
    const due = deliveriesOf(events);
    // Each attempt's span is a child of its own publish, through the traceparent its event carried.
    const traceparents = new Map<string, string>();
    for (const { data } of events) {
      if (data.traceparent) for (const d of data.deliveries) traceparents.set(d.delivery_id, data.traceparent);
    }
    return step.run("attempt-1", () => observedBatch(events.map(({ data }) => data.traceparent), due.length, async () => {
      const outcomes = await attemptDeliveries(
        due.map((d) => d.delivery_id),
        "scheduled",
        0,
        {
          budgetMs: config.batchBudgetMs,
          endpointConcurrency: config.batchEndpointConcurrency,
          isolateFaults: true,
          deferFailing: true,
          handOver: true,
          traceparents,
        },
      );
      const count = (kind: string) => [...outcomes.values()].filter((o) => o.kind === kind).length;
      return { deliveries: due.length, attempted: count("attempted"), deferred: count("deferred") };
    }));
  },
);
