// GET /api/v1/api-keys — list the account's API keys; POST — create one (the key is shown once)
import { apiRoute } from "@/lib/api/handler";
import { paginationQuery } from "@/lib/api/pagination";
import { createApiKey, listApiKeys } from "@/lib/api-keys/api-keys";
import { createApiKeyInput } from "@/lib/api-keys/schemas";

export const GET = apiRoute({ role: "admin", query: paginationQuery }, ({ caller, query }) =>
  listApiKeys(caller, query),
);

export const POST = apiRoute({ role: "admin", body: createApiKeyInput }, async ({ caller, body }) =>
  Response.json(await createApiKey(caller, body), { status: 201 }),
);
