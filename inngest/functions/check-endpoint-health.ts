import { inngest } from "../client";
import { sqlTransaction } from "@/lib/db";
import { deliveryConfig } from "@/lib/deliveries/config";
import { dispatch } from "@/lib/deliveries/outbox";
import { disableFailingEndpoints, noticeDisableSoon } from "@/lib/webhooks/disable-endpoints";

// Attempts disable a failing endpoint when its time has come, but an endpoint whose next attempt
// is hours away (or that gets no more events) would stay failing past it: every 15 minutes,
// failing endpoints due are disabled, and those within a day of it are announced
// (`endpoint_disable_soon`), in bounded batches.
const BATCH = 100;
const MAX_BATCHES = 10;

export const checkEndpointHealth = inngest.createFunction(
  { id: "check-endpoint-health", triggers: [{ cron: "*/15 * * * *" }], concurrency: 1 },
  async ({ step }) => {
    let disabled = 0;
    for (let n = 1; n <= MAX_BATCHES; n++) {
      const count = await step.run(`disable-due-${n}`, async () => {
        const result = await sqlTransaction((client) => disableFailingEndpoints(client, deliveryConfig(), new Date(), { limit: BATCH }));
        await dispatch(result.messages);
        return result.disabled.length;
      });
      disabled += count;
      if (count < BATCH) break;
    }
    const announced = await step.run("notice-disable-soon", async () => {
      const result = await sqlTransaction((client) => noticeDisableSoon(client, deliveryConfig(), new Date(), { limit: 5 * BATCH }));
      await dispatch(result.messages);
      return result.announced;
    });
    return { disabled, announced };
  },
);
