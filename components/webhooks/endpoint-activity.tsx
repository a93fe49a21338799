import { historyPath } from "@/components/deliveries/queries";
import { SendTestEventButton } from "@/components/deliveries/send-test-event-dialog";
import { Card } from "@/components/ui/card";
import { LinkButton } from "./link-button";

// The endpoint page's way into deliveries: Send Test Event (admins) and Delivery History.
export function EndpointActivity({ endpointId, canManage }: { endpointId: string; canManage: boolean }) {
  return (
    <>
      {canManage && (
        <Card className="p-5">
          <section aria-label="Send test event" className="flex flex-wrap items-center justify-between gap-4">
            <div>
              <h2 className="text-sm font-semibold">Send Test Event</h2>
              <p className="mt-1 text-sm text-slate-500">
                Send a sample payload of any event type to this endpoint and see its response.
              </p>
            </div>
            <SendTestEventButton endpointId={endpointId} canManage={canManage} />
          </section>
        </Card>
      )}
      <Card className="p-5">
        <section aria-label="Delivery history" className="flex flex-wrap items-center justify-between gap-4">
          <div>
            <h2 className="text-sm font-semibold">Delivery History</h2>
            <p className="mt-1 text-sm text-slate-500">
              Every delivery to this endpoint with its attempts, responses and retries.
            </p>
          </div>
          <LinkButton variant="secondary" href={historyPath(endpointId)}>
            View Delivery History
          </LinkButton>
        </section>
      </Card>
    </>
  );
}
