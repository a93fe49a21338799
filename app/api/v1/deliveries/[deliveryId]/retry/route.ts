// POST /api/v1/deliveries/:id/retry — "Retry now": one immediate manual attempt
import { apiRoute } from "@/lib/api/handler";
import { retryDeliveryNow } from "@/lib/deliveries/commands";

export const POST = apiRoute({ role: "admin" }, ({ caller, params }) => retryDeliveryNow(caller, params.deliveryId));
