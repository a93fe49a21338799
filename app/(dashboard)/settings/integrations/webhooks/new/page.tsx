import type { Metadata } from "next";
import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { NewEndpointForm } from "@/components/webhooks/new-endpoint-form";
import { hasRole } from "@/lib/auth/roles";
import { requirePageCaller } from "@/lib/auth/session";
import { eventTypeSummaries } from "@/lib/webhooks/event-types";

export const metadata: Metadata = { title: "Add Webhook" };

export default async function NewWebhookPage() {
  const caller = await requirePageCaller();
  return (
    <>
      <Link href="/settings/integrations/webhooks" className="text-sm text-brand-700 hover:underline">
        ← Webhooks
      </Link>
      <div className="mt-2">
        <PageHeader
          title="Add Webhook"
          description="Enter your endpoint's URL and choose the events it receives. Saving activates it and shows its signing secret."
        />
      </div>
      {hasRole(caller.role, "admin") ? (
        <NewEndpointForm eventTypes={eventTypeSummaries()} />
      ) : (
        <Card>
          <EmptyState title="Only admins can add webhooks">
            Ask an owner or admin of your account to add the endpoint for you.
          </EmptyState>
        </Card>
      )}
    </>
  );
}
