// POST /api/v1/notifications/read-all — mark every notification of the account read (for the signed-in user)
import { apiRoute } from "@/lib/api/handler";
import { markAllNotificationsRead } from "@/lib/notices/notifications";

export const POST = apiRoute({}, ({ caller }) => markAllNotificationsRead(caller));
