import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeliveryHistory } from "@/components/deliveries/delivery-history";
import { deliveryKeys, endpointPath, HISTORY_PAGE_SIZE } from "@/components/deliveries/queries";
import { SendTestEventButton } from "@/components/deliveries/send-test-event-dialog";
import { PageHeader } from "@/components/ui/card";
import { ApiError } from "@/lib/api/errors";
import { hasRole } from "@/lib/auth/roles";
import { requirePageCaller } from "@/lib/auth/session";
import { listEndpointDeliveries } from "@/lib/deliveries/queries";
import { eventTypeCatalog, eventTypeSummaries } from "@/lib/webhooks/event-types";
import { findEndpoint } from "@/lib/webhooks/queries";

export const metadata: Metadata = { title: "Delivery History" };

// Settings → Integrations → Webhooks → [Your Webhook] → Delivery History
export default async function DeliveryHistoryPage({ params }: { params: Promise<{ endpointId: string }> }) {
  const { endpointId } = await params;
  const caller = await requirePageCaller();
  const canManage = hasRole(caller.role, "admin");
  let endpoint;
  try {
    endpoint = await findEndpoint(caller.accountId, endpointId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
  const queryClient = new QueryClient();
  const firstPage = await listEndpointDeliveries(caller, endpointId, { limit: HISTORY_PAGE_SIZE });
  queryClient.setQueryData(deliveryKeys.list(endpointId, {}), { pages: [firstPage], pageParams: [null] });
  const catalog = canManage
    ? eventTypeCatalog().map(({ type, category, description, sample }) => ({ type, category, description, sample }))
    : undefined;

  return (
    <>
      <Link href={endpointPath(endpointId)} className="text-sm text-brand-700 hover:underline">
        ← Back to endpoint
      </Link>
      <div className="mt-3">
        <PageHeader
          title="Delivery History"
          description={
            <>
              Every delivery to <span className="break-all font-mono text-slate-800">{endpoint.url}</span>, newest first.
              {endpoint.status === "disabled" && " This endpoint is disabled: it receives no events until it is enabled again."}
            </>
          }
          actions={<SendTestEventButton endpointId={endpointId} canManage={canManage} eventTypes={catalog} variant="primary" />}
        />
        <HydrationBoundary state={dehydrate(queryClient)}>
          <DeliveryHistory endpointId={endpointId} canManage={canManage} eventTypes={eventTypeSummaries()} />
        </HydrationBoundary>
      </div>
    </>
  );
}
