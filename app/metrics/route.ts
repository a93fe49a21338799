// GET /metrics — Prometheus metrics of the whole stack, for a scraper holding METRICS_TOKEN.
// Not an /api/v1 route: no session or API key, one operator's token; 404 while it is unset.
import type { NextRequest } from "next/server";
import { secretMatches } from "@/inngest/engine/signing";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { withApiHeaders } from "@/lib/api/json-response";
import { setting } from "@/lib/config";
import { scrapeMetrics } from "@/lib/observability/scrape";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest): Promise<Response> {
  const token = setting("METRICS_TOKEN");
  if (!token) return errorResponse(new ApiError(404, "not_found", "Not found"));
  const presented = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  if (!presented || !secretMatches(presented, token)) {
    return errorResponse(new ApiError(401, "unauthorized", "Authorization: Bearer <METRICS_TOKEN> required"), { "WWW-Authenticate": "Bearer" });
  }
  try {
    const { contentType, body } = await scrapeMetrics(token);
    return withApiHeaders(new Response(body, { headers: { "content-type": contentType } }));
  } catch (error) {
    console.error("[metrics] scrape failed", error);
    return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side"));
  }
}
