// POST /api/v1/events — publish an event to every subscribed endpoint (202 once it is stored)
import { apiRoute } from "@/lib/api/handler";
import { jsonResponse } from "@/lib/api/json-response";
import { publishEvent } from "@/lib/events/publish-event";
import { MAX_EVENT_BYTES, publishEventInput } from "@/lib/events/schemas";

export const POST = apiRoute(
  // The request may carry a little more than the event itself (the envelope fields).
  { role: "admin", body: publishEventInput, maxBodyBytes: MAX_EVENT_BYTES + 1024 },
  async ({ caller, body }) => {
    const result = await publishEvent(caller, body);
    // A repeated producer id answers exactly as the first time did, flagged `duplicate`.
    return jsonResponse(result, { status: 202 });
  },
);
