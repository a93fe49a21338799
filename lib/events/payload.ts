// The wire body of an event, built once and stored: every delivery and every retry sends these
// exact bytes. Compact JSON with the documented key order, so a receiver that re-serialises the
// parsed body (the documentation's Express example does) computes the same signature.
export interface EventEnvelope {
  id: string;
  type: string;
  createdAt: Date;
  data: unknown;
  accountId: string;
  environment: string;
}

export function eventBody(event: EventEnvelope): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    // Whole seconds, as the documentation shows: "2026-02-07T10:30:00Z".
    created_at: event.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
    data: event.data,
    account_id: event.accountId,
    environment: event.environment,
  });
}
