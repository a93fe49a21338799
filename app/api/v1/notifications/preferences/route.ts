// GET, PATCH /api/v1/notifications/preferences — the signed-in user's notice mails for this account (opt-out)
import { apiRoute } from "@/lib/api/handler";
import { notificationPreferences, updateNotificationPreferences } from "@/lib/notices/notifications";
import { notificationPreferencesInput } from "@/lib/notices/schemas";

export const GET = apiRoute({}, ({ caller }) => notificationPreferences(caller));

export const PATCH = apiRoute({ body: notificationPreferencesInput }, ({ caller, body }) =>
  updateNotificationPreferences(caller, body),
);
