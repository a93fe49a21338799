// POST /api/v1/webhooks/:endpointId/rotate-secret — roll the signing secret, keeping the old one for a grace period
import { apiRoute } from "@/lib/api/handler";
import { rotateSecret } from "@/lib/webhooks/rotate-secret";
import { rotateSecretInput } from "@/lib/webhooks/schemas";

export const POST = apiRoute({ role: "admin", body: rotateSecretInput }, async ({ caller, params, body }) =>
  Response.json(await rotateSecret(caller, params.endpointId, body), { headers: { "Cache-Control": "no-store" } }),
);
