import type { Metadata } from "next";
import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Dashboard" };

export default function DashboardPage() {
  return (
    <>
      <PageHeader title="Dashboard" description="Webhook deliveries across your endpoints." />
      <Card>
        <EmptyState
          title="No webhook activity yet"
          action={
            <Link href="/settings/integrations/webhooks" className="text-sm font-medium text-brand-700 hover:underline">
              Set up a webhook endpoint →
            </Link>
          }
        >
          Add an endpoint under Settings → Integrations → Webhooks and delivery statistics will appear here.
        </EmptyState>
      </Card>
    </>
  );
}
