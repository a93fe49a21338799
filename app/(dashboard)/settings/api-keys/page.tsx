import type { Metadata } from "next";
import { ApiKeysManager } from "@/components/api-keys/api-keys-manager";
import { PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/auth/session";
import { hasRole } from "@/lib/auth/roles";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const caller = await requirePageCaller();
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys authenticate calls to the <code className="font-mono">/api/v1</code> API with{" "}
            <code className="font-mono">Authorization: Bearer &lt;key&gt;</code>.
          </>
        }
      />
      <ApiKeysManager canManage={hasRole(caller.role, "admin")} />
    </>
  );
}
