import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { retentionKeys } from "@/components/retention/queries";
import { RetentionForm } from "@/components/retention/retention-form";
import { PageHeader } from "@/components/ui/card";
import { hasRole } from "@/lib/auth/roles";
import { requirePageCaller } from "@/lib/auth/session";
import { getRetention } from "@/lib/retention/settings";

export const metadata: Metadata = { title: "Data retention" };

export default async function RetentionPage() {
  const caller = await requirePageCaller();
  const queryClient = new QueryClient();
  queryClient.setQueryData(retentionKeys.all, await getRetention(caller.accountId));
  return (
    <>
      <PageHeader title="Data retention" description="How long this account's webhook history is kept." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <RetentionForm canEdit={hasRole(caller.role, "owner")} />
      </HydrationBoundary>
    </>
  );
}
