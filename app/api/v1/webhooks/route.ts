// GET /api/v1/webhooks — list the account's endpoints; POST — create one (its secret is in the response)
import { apiRoute } from "@/lib/api/handler";
import { paginationQuery } from "@/lib/api/pagination";
import { createEndpoint } from "@/lib/webhooks/create-endpoint";
import { listEndpoints } from "@/lib/webhooks/list-endpoints";
import { createEndpointInput } from "@/lib/webhooks/schemas";

export const GET = apiRoute({ query: paginationQuery }, ({ caller, query }) => listEndpoints(caller, query));

export const POST = apiRoute({ role: "admin", body: createEndpointInput }, async ({ caller, body }) =>
  Response.json(await createEndpoint(caller, body), { status: 201 }),
);
