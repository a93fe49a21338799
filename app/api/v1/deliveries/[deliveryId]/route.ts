// GET /api/v1/deliveries/:id — a delivery with every attempt (request and response)
import { apiRoute } from "@/lib/api/handler";
import { getDelivery } from "@/lib/deliveries/queries";

export const GET = apiRoute({}, ({ caller, params }) => getDelivery(caller, params.deliveryId));
