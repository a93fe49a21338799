// POST /api/v1/webhooks/:id/test — queue the event type's sample for the endpoint; answers the queued test delivery
import { apiRoute } from "@/lib/api/handler";
import { sendTestEvent } from "@/lib/deliveries/commands";
import { sendTestEventInput } from "@/lib/deliveries/schemas";

export const POST = apiRoute({ role: "admin", body: sendTestEventInput }, async ({ caller, params, body }) =>
  Response.json(await sendTestEvent(caller, params.endpointId, body.event_type), { status: 202 }),
);
