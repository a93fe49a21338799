// GET /api/v1/event-types — the event-type catalog with each type's data JSON Schema and a sample
import { apiRoute } from "@/lib/api/handler";
import { eventTypeCatalog } from "@/lib/webhooks/event-types";

export const GET = apiRoute({}, async () => ({ data: eventTypeCatalog() }));
