import "server-only";
import { SYSTEM_CALLER } from "../audit/system";
import { publishEvent } from "../events/publish-event";
import type { PublishEventOutput } from "../events/schemas";
import { publicUrl } from "../public-url";
import { noticePath } from "./describe";
import { loadNotices, type LoadedNotice } from "./load";

// Notices published as the operational event types (lib/webhooks/event-types.ts), signed and
// delivered like every other event to the endpoints subscribed to them. Each is published with
// the producer id `notice:<id>`, so a repeated run publishes it once. An event about an
// endpoint is published in that endpoint's environment and never delivered to the endpoint
// itself (a failing endpoint would only fail it too).

const MAX_REASON = 2000;

/**
 * The event a notice becomes, or null: 24 h warnings are for people only. (A delivery of an
 * operational event that exhausts its schedule records no notice: see isOperationalEventType.)
 */
export function noticeEvent(notice: LoadedNotice): { type: string; data: Record<string, unknown> } | null {
  const common = {
    endpoint_id: notice.endpointId!,
    reason: notice.reason.slice(0, MAX_REASON),
    dashboard_url: new URL(noticePath(notice), publicUrl()).toString(),
  };
  switch (notice.kind) {
    case "endpoint_failing":
      return {
        type: "webhook_endpoint.failing",
        data: { ...common, failing_since: notice.data.since, disables_at: notice.disablesAt?.toISOString() ?? null },
      };
    case "endpoint_disabled":
      return {
        type: "webhook_endpoint.disabled",
        data: { ...common, disabled_at: notice.data.disabled_at, automatic: notice.data.automatic === true },
      };
    case "delivery_exhausted":
      return {
        type: "webhook_delivery.exhausted",
        data: { ...common, delivery_id: notice.deliveryId!, event_id: notice.eventId! },
      };
    case "endpoint_disable_soon":
      return null;
  }
}

/** Publishes the notice's operational event (once, however often called); null when it has none. */
export async function publishNoticeEvent(accountId: string, noticeId: string): Promise<PublishEventOutput | null> {
  const [notice] = await loadNotices(accountId, [noticeId]);
  if (!notice?.endpoint || !notice.endpointId) return null;
  const event = noticeEvent(notice);
  if (!event) return null;
  return publishEvent(
    SYSTEM_CALLER(accountId),
    { ...event, environment: notice.endpoint.environment, id: `notice:${notice.id}` },
    { excludeEndpointId: notice.endpointId },
  );
}
