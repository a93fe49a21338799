import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { NotificationsList } from "@/components/notifications/notifications-list";
import { NOTIFICATION_SETTINGS_PATH, NOTIFICATIONS_LIMIT, notificationKeys } from "@/components/notifications/queries";
import { PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/auth/session";
import { listNotifications } from "@/lib/notices/notifications";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const caller = await requirePageCaller();
  const queryClient = new QueryClient();
  queryClient.setQueryData(notificationKeys.list(), await listNotifications(caller, { limit: NOTIFICATIONS_LIMIT }));
  return (
    <>
      <PageHeader
        title="Notifications"
        description={
          <>
            What happened to this account&apos;s webhooks. Owners and admins are also mailed about endpoints when a mail
            server is configured (<Link href={NOTIFICATION_SETTINGS_PATH} className="text-brand-700 hover:underline">your mail settings</Link>).
          </>
        }
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <NotificationsList />
      </HydrationBoundary>
    </>
  );
}
