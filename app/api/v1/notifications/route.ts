// GET /api/v1/notifications — the account's notices, newest first, with the caller's read marks and unread count
import { apiRoute } from "@/lib/api/handler";
import { listNotifications } from "@/lib/notices/notifications";
import { notificationsQuery } from "@/lib/notices/schemas";

export const GET = apiRoute({ query: notificationsQuery }, ({ caller, query }) => listNotifications(caller, query));
