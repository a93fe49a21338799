// GET /api/v1/stats/deliveries — per endpoint, settled deliveries per hour over the last 24 hours
import { apiRoute } from "@/lib/api/handler";
import { deliveryStats } from "@/lib/deliveries/stats";

export const GET = apiRoute({}, ({ caller }) => deliveryStats(caller));
