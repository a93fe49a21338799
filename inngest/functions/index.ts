import type { InngestFunction } from "inngest";
import { attemptRequestedDelivery } from "./attempt-requested";
import { deliverFirstAttempts } from "./deliver-first-attempts";
import { deliverWebhook } from "./deliver-webhook";
import { purgeHistory } from "./purge-history";
import { sweepOutbox } from "./sweep-outbox";

// Every durable function the app serves; each lives in its own file beside this one.
export const functions: InngestFunction.Any[] = [deliverFirstAttempts, deliverWebhook, attemptRequestedDelivery, sweepOutbox, purgeHistory];
