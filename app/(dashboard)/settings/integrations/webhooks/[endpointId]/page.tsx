import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EndpointActivity } from "@/components/webhooks/endpoint-activity";
import { EndpointDetails } from "@/components/webhooks/endpoint-details";
import { AUDIT_LIMIT, webhookKeys } from "@/components/webhooks/queries";
import { ApiError } from "@/lib/api/errors";
import { listAuditEntries } from "@/lib/audit/list-entries";
import { hasRole } from "@/lib/auth/roles";
import { requirePageCaller } from "@/lib/auth/session";
import { eventTypeSummaries } from "@/lib/webhooks/event-types";
import { getEndpoint } from "@/lib/webhooks/list-endpoints";

export const metadata: Metadata = { title: "Webhook endpoint" };

export default async function WebhookEndpointPage({ params }: { params: Promise<{ endpointId: string }> }) {
  const { endpointId } = await params;
  const caller = await requirePageCaller();
  const canManage = hasRole(caller.role, "admin");
  const queryClient = new QueryClient();
  try {
    queryClient.setQueryData(webhookKeys.detail(endpointId), await getEndpoint(caller, endpointId));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
  if (canManage) {
    queryClient.setQueryData(
      webhookKeys.audit(endpointId),
      await listAuditEntries(caller, { target_id: endpointId, limit: AUDIT_LIMIT }),
    );
  }
  return (
    <>
      <Link href="/settings/integrations/webhooks" className="text-sm text-brand-700 hover:underline">
        ← Webhooks
      </Link>
      <div className="mt-3">
        <HydrationBoundary state={dehydrate(queryClient)}>
          <EndpointDetails endpointId={endpointId} canManage={canManage} eventTypes={eventTypeSummaries()}>
            {/* Deliveries area (Send Test Event, Delivery History): components/webhooks/endpoint-activity.tsx */}
            <EndpointActivity endpointId={endpointId} canManage={canManage} />
          </EndpointDetails>
        </HydrationBoundary>
      </div>
    </>
  );
}
