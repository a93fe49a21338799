// POST /api/v1/notifications/:noticeId/read — mark one notification read (for the signed-in user)
import { apiRoute } from "@/lib/api/handler";
import { markNotificationRead } from "@/lib/notices/notifications";

export const POST = apiRoute({}, ({ caller, params }) => markNotificationRead(caller, params.noticeId));
