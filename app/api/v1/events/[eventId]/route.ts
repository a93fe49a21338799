// GET /api/v1/events/:id — an event with its deliveries
import { apiRoute } from "@/lib/api/handler";
import { getEvent } from "@/lib/deliveries/queries";

export const GET = apiRoute({}, ({ caller, params }) => getEvent(caller, params.eventId));
