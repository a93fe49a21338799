import { inngest } from "../client";
import { dispatchStragglers } from "@/lib/deliveries/outbox";

// The safety net behind "nothing is lost between the database and Inngest": every minute, the
// hand-overs written to the outbox but never sent (a crash, Inngest unreachable) are sent.
export const sweepOutbox = inngest.createFunction(
  { id: "sweep-outbox", triggers: [{ cron: "* * * * *" }], concurrency: 1 },
  async ({ step }) => {
    const dispatched = await step.run("dispatch-stragglers", () => dispatchStragglers());
    return { dispatched };
  },
);
