import type { Metadata } from "next";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Webhooks" };

export default function WebhooksPage() {
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Send real-time database events to your own HTTPS endpoints, signed with HMAC-SHA256."
      />
      <Card>
        <EmptyState title="No webhook endpoints yet">
          Endpoints you add here receive the event types you choose, with automatic retries.
        </EmptyState>
      </Card>
    </>
  );
}
