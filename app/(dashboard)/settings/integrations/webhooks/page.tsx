import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/card";
import { EndpointsList } from "@/components/webhooks/endpoints-list";
import { LinkButton } from "@/components/webhooks/link-button";
import { ENDPOINT_LIST_LIMIT, webhookKeys } from "@/components/webhooks/queries";
import { SourceIpsCard } from "@/components/webhooks/source-ips-card";
import { hasRole } from "@/lib/auth/roles";
import { requirePageCaller } from "@/lib/auth/session";
import { listEndpoints } from "@/lib/webhooks/list-endpoints";
import { webhookSourceIps } from "@/lib/webhooks/source-ips";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const caller = await requirePageCaller();
  const canManage = hasRole(caller.role, "admin");
  const queryClient = new QueryClient();
  queryClient.setQueryData(webhookKeys.list(), await listEndpoints(caller, { limit: ENDPOINT_LIST_LIMIT }));
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Send real-time database events to your own HTTPS endpoints, signed with HMAC-SHA256."
        actions={canManage ? <LinkButton href="/settings/integrations/webhooks/new">Add Webhook</LinkButton> : undefined}
      />
      <div className="space-y-6">
        <HydrationBoundary state={dehydrate(queryClient)}>
          <EndpointsList canManage={canManage} />
          <SourceIpsCard ips={webhookSourceIps()} canManage={canManage} />
        </HydrationBoundary>
      </div>
    </>
  );
}
