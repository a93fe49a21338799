// DELETE /api/v1/api-keys/:id — revoke an API key (it stops working at once)
import { apiRoute } from "@/lib/api/handler";
import { revokeApiKey } from "@/lib/api-keys/api-keys";

export const DELETE = apiRoute({ role: "admin" }, ({ caller, params }) =>
  revokeApiKey(caller, params.apiKeyId),
);
