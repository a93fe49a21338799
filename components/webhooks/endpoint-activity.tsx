import { Card } from "@/components/ui/card";

// Placeholder for the deliveries work: "Send Test Event" and "Delivery History" go here.
// The endpoint page renders <EndpointActivity> between the settings and the audit log; replace
// this file's body (keep the export and the section labels the docs and e2e tests name).
export function EndpointActivity({ endpointId, canManage }: { endpointId: string; canManage: boolean }) {
  void endpointId;
  void canManage;
  return (
    <>
      <Card className="p-5">
        <section aria-label="Send test event">
          <h2 className="text-sm font-semibold">Send Test Event</h2>
          <p className="mt-1 text-sm text-slate-500">Coming soon: send a sample payload of any event type to this endpoint.</p>
        </section>
      </Card>
      <Card className="p-5">
        <section aria-label="Delivery history">
          <h2 className="text-sm font-semibold">Delivery History</h2>
          <p className="mt-1 text-sm text-slate-500">Deliveries to this endpoint will be listed here.</p>
        </section>
      </Card>
    </>
  );
}
