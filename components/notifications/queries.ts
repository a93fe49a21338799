// Query keys and options for the notifications (the bell, the list, the mail preference),
// shared by server prefetch and the client hooks.
import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { NotificationListOutput, NotificationPreferencesOutput } from "@/lib/notices/schemas";

export const NOTIFICATIONS_PATH = "/notifications";
export const NOTIFICATION_SETTINGS_PATH = "/settings/notifications";
export const NOTIFICATIONS_LIMIT = 50;
// The bell refreshes now and then, so a notice recorded while a page is open shows up.
const BELL_POLL_MS = 30_000;

export const notificationKeys = {
  all: ["notifications"] as const,
  list: () => [...notificationKeys.all, "list"] as const,
  preferences: () => [...notificationKeys.all, "preferences"] as const,
};

/** The newest notifications with the caller's unread count: the bell reads the count from it too. */
export const notificationsQuery = () =>
  queryOptions({
    queryKey: notificationKeys.list(),
    queryFn: () => apiFetch<NotificationListOutput>(`/api/v1/notifications?limit=${NOTIFICATIONS_LIMIT}`),
    refetchInterval: BELL_POLL_MS,
  });

export const notificationPreferencesQuery = () =>
  queryOptions({
    queryKey: notificationKeys.preferences(),
    queryFn: () => apiFetch<NotificationPreferencesOutput>("/api/v1/notifications/preferences"),
  });
