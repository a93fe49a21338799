import "server-only";
import { db } from "../db";
import { deliveryConfig } from "../deliveries/config";
import type { NoticeFacts } from "./describe";
import type { NoticeKind } from "./record";

export interface LoadedNotice extends NoticeFacts {
  id: string;
  accountId: string;
  eventId: string | null;
  createdAt: Date;
  endpoint: { environment: "production" | "staging" | "development"; deleted: boolean } | null;
}

export const ENDPOINT_KINDS: readonly NoticeKind[] = ["endpoint_failing", "endpoint_disable_soon", "endpoint_disabled"];

/** The endpoint as notices name it: its description, else its URL's host (the path may hold a token). */
export function endpointLabel(endpoint: { description: string; url: string } | null): string {
  if (!endpoint) return "a deleted endpoint";
  if (endpoint.description.trim()) return endpoint.description.trim();
  return URL.canParse(endpoint.url) ? new URL(endpoint.url).host : "an endpoint";
}

/** The account's notices among `ids`, with what their wording and their event need. */
export async function loadNotices(accountId: string, ids: string[]): Promise<LoadedNotice[]> {
  const notices = await db.notice.findMany({
    where: { accountId, id: { in: ids } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: {
      endpoint: { select: { description: true, url: true, environment: true, status: true, deletedAt: true } },
    },
  });
  const { autoDisableAfterMs } = deliveryConfig();
  return notices.map((n) => {
    const data = (n.data ?? {}) as Record<string, unknown>;
    const kind = n.kind as NoticeKind;
    // A failing endpoint is disabled once it has failed for autoDisableAfter, unless it has been
    // disabled already.
    let disablesAt: Date | null = null;
    if (kind === "endpoint_disable_soon" && typeof data.disables_at === "string") disablesAt = new Date(data.disables_at);
    if (kind === "endpoint_failing" && typeof data.since === "string" && n.endpoint?.status === "active") {
      disablesAt = new Date(new Date(data.since).getTime() + autoDisableAfterMs);
    }
    return {
      id: n.id,
      accountId: n.accountId,
      kind,
      reason: n.reason || "No reason was recorded",
      endpointId: n.endpointId,
      deliveryId: n.deliveryId,
      eventId: n.eventId,
      endpointLabel: endpointLabel(n.endpoint),
      data,
      disablesAt,
      createdAt: n.createdAt,
      endpoint: n.endpoint ? { environment: n.endpoint.environment, deleted: n.endpoint.deletedAt !== null } : null,
    };
  });
}
