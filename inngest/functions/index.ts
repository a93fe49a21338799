import type { InngestFunction } from "inngest";
import { deliverFirstAttempts } from "./deliver-first-attempts";
import { deliverWebhook } from "./deliver-webhook";
import { retryDelivery } from "./retry-delivery";
import { sweepUndispatchedDeliveries } from "./sweep-undispatched-deliveries";

// Every durable function the app serves; each lives in its own file beside this one.
export const functions: InngestFunction.Any[] = [deliverFirstAttempts, deliverWebhook, retryDelivery, sweepUndispatchedDeliveries];
