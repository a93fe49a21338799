// GET /api/v1/webhooks/:endpointId/secret — reveal the signing secret (admins; audited)
import { apiRoute } from "@/lib/api/handler";
import { revealSecret } from "@/lib/webhooks/reveal-secret";

export const GET = apiRoute({ role: "admin" }, async ({ caller, params }) =>
  Response.json(await revealSecret(caller, params.endpointId), { headers: { "Cache-Control": "no-store" } }),
);
