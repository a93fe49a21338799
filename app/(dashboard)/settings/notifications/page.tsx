import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { NotificationPreferences } from "@/components/notifications/notification-preferences";
import { notificationKeys } from "@/components/notifications/queries";
import { PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/auth/session";
import { notificationPreferences } from "@/lib/notices/notifications";

export const metadata: Metadata = { title: "Notification settings" };

export default async function NotificationSettingsPage() {
  const caller = await requirePageCaller();
  const queryClient = new QueryClient();
  queryClient.setQueryData(notificationKeys.preferences(), await notificationPreferences(caller));
  return (
    <>
      <PageHeader title="Notifications" description="How you are told about this account's webhook endpoints." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <NotificationPreferences />
      </HydrationBoundary>
    </>
  );
}
