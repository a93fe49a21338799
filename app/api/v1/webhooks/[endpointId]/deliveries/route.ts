// GET /api/v1/webhooks/:id/deliveries — delivery history, newest first, filterable, paginated
import { apiRoute } from "@/lib/api/handler";
import { listEndpointDeliveries } from "@/lib/deliveries/queries";
import { listDeliveriesQuery } from "@/lib/deliveries/schemas";

export const GET = apiRoute({ query: listDeliveriesQuery }, ({ caller, params, query }) =>
  listEndpointDeliveries(caller, params.endpointId, query),
);
