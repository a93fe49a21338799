import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeliveryDetail } from "@/components/deliveries/delivery-detail";
import { deliveryKeys, endpointPath, historyPath } from "@/components/deliveries/queries";
import { ApiError } from "@/lib/api/errors";
import { hasRole } from "@/lib/auth/roles";
import { requirePageCaller } from "@/lib/auth/session";
import { getDelivery } from "@/lib/deliveries/queries";
import { findEndpoint } from "@/lib/webhooks/queries";

export const metadata: Metadata = { title: "Delivery" };

export default async function DeliveryPage({ params }: { params: Promise<{ endpointId: string; deliveryId: string }> }) {
  const { endpointId, deliveryId } = await params;
  const caller = await requirePageCaller();
  let endpoint, delivery;
  try {
    [endpoint, delivery] = await Promise.all([findEndpoint(caller.accountId, endpointId), getDelivery(caller, deliveryId)]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
  // A delivery is addressed under its own endpoint only.
  if (delivery.endpoint_id !== endpoint.id) notFound();
  const queryClient = new QueryClient();
  queryClient.setQueryData(deliveryKeys.detail(deliveryId), delivery);

  return (
    <>
      <nav aria-label="Breadcrumb" className="flex flex-wrap items-center gap-1.5 text-sm text-slate-500">
        <Link href={endpointPath(endpointId)} className="max-w-md truncate font-mono text-xs text-brand-700 hover:underline">
          {endpoint.url}
        </Link>
        <span aria-hidden>/</span>
        <Link href={historyPath(endpointId)} className="text-brand-700 hover:underline">
          Delivery History
        </Link>
        <span aria-hidden>/</span>
        <span aria-current="page" className="font-mono text-xs">
          {deliveryId}
        </span>
      </nav>
      <div className="mt-3">
        <HydrationBoundary state={dehydrate(queryClient)}>
          <DeliveryDetail deliveryId={deliveryId} canManage={hasRole(caller.role, "admin")} />
        </HydrationBoundary>
      </div>
    </>
  );
}
