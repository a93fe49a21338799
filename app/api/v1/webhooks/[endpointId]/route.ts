// GET /api/v1/webhooks/:endpointId — one endpoint; PATCH — edit, enable or disable it; DELETE — delete it
import { apiRoute } from "@/lib/api/handler";
import { deleteEndpoint } from "@/lib/webhooks/delete-endpoint";
import { getEndpoint } from "@/lib/webhooks/list-endpoints";
import { updateEndpointInput } from "@/lib/webhooks/schemas";
import { updateEndpoint } from "@/lib/webhooks/update-endpoint";

export const GET = apiRoute({}, ({ caller, params }) => getEndpoint(caller, params.endpointId));

export const PATCH = apiRoute({ role: "admin", body: updateEndpointInput }, ({ caller, params, body }) =>
  updateEndpoint(caller, params.endpointId, body),
);

export const DELETE = apiRoute({ role: "admin" }, ({ caller, params }) => deleteEndpoint(caller, params.endpointId));
