import type { InngestFunction } from "inngest";
import { attemptRequestedDelivery } from "./attempt-requested";
import { checkEndpointHealth } from "./check-endpoint-health";
import { deliverFirstAttempts } from "./deliver-first-attempts";
import { deliverWebhook } from "./deliver-webhook";
import { purgeHistory } from "./purge-history";
import { sendNotices } from "./send-notices";
import { sweepOutbox } from "./sweep-outbox";

// Every durable function the app serves; each lives in its own file beside this one.
export const functions: InngestFunction.Any[] = [
  deliverFirstAttempts,
  deliverWebhook,
  attemptRequestedDelivery,
  sendNotices,
  sweepOutbox,
  checkEndpointHealth,
  purgeHistory,
];
