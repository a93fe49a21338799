import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { DeliveriesOverview } from "@/components/deliveries/deliveries-overview";
import { deliveryKeys } from "@/components/deliveries/queries";
import { PageHeader } from "@/components/ui/card";
import { hasRole } from "@/lib/auth/roles";
import { requirePageCaller } from "@/lib/auth/session";
import { deliveryStats } from "@/lib/deliveries/stats";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const caller = await requirePageCaller();
  const queryClient = new QueryClient();
  queryClient.setQueryData(deliveryKeys.stats(), await deliveryStats(caller));
  return (
    <>
      <PageHeader title="Dashboard" description="Webhook deliveries across your endpoints over the last 24 hours." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <DeliveriesOverview canManage={hasRole(caller.role, "admin")} />
      </HydrationBoundary>
    </>
  );
}
