// POST /api/v1/webhooks/:id/retry-failed — retry every failed delivery since a time
import { apiRoute } from "@/lib/api/handler";
import { retryFailedDeliveries } from "@/lib/deliveries/commands";
import { retryFailedInput } from "@/lib/deliveries/schemas";

export const POST = apiRoute({ role: "admin", body: retryFailedInput }, async ({ caller, params, body }) =>
  Response.json(await retryFailedDeliveries(caller, params.endpointId, new Date(body.since)), { status: 202 }),
);
