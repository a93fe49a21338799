import { inngest } from "../client";
import { dispatchStragglers } from "@/lib/deliveries/dispatch";

// The safety net behind "an event is never lost between the database and Inngest": every
// minute, deliveries that were stored but never handed over are handed over.
export const sweepUndispatchedDeliveries = inngest.createFunction(
  { id: "sweep-undispatched-deliveries", triggers: [{ cron: "* * * * *" }], concurrency: 1 },
  async ({ step }) => {
    const dispatched = await step.run("dispatch-stragglers", () => dispatchStragglers());
    return { dispatched };
  },
);
