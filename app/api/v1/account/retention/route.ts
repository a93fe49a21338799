// GET /api/v1/account/retention — how long the account's history and response bodies are kept; PATCH — change it (owners)
import { apiRoute } from "@/lib/api/handler";
import { updateRetentionInput } from "@/lib/retention/schemas";
import { getRetention, updateRetention } from "@/lib/retention/settings";

export const GET = apiRoute({}, ({ caller }) => getRetention(caller.accountId));

export const PATCH = apiRoute({ role: "owner", body: updateRetentionInput }, ({ caller, body }) => updateRetention(caller, body));
