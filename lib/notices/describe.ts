// What a notice says, in the mail and in the dashboard's list alike: no server-only imports, so
// both the mail and the in-app list (and their tests) word it one way.
import type { NoticeKind } from "./record";

export interface NoticeFacts {
  kind: NoticeKind;
  reason: string;
  endpointId: string | null;
  deliveryId: string | null;
  /** The endpoint's description, else its URL's host name (never the whole URL: it may hold a token). */
  endpointLabel: string;
  data: Record<string, unknown>;
  /** When an automatic disable is due, where one applies. */
  disablesAt: Date | null;
}

const WEBHOOKS_PATH = "/settings/integrations/webhooks";

/** The dashboard page a notice links to. */
export function noticePath(facts: Pick<NoticeFacts, "endpointId" | "deliveryId">): string {
  if (!facts.endpointId) return WEBHOOKS_PATH;
  const endpoint = `${WEBHOOKS_PATH}/${facts.endpointId}`;
  return facts.deliveryId ? `${endpoint}/deliveries/${facts.deliveryId}` : endpoint;
}

export function noticeTitle(facts: NoticeFacts): string {
  const name = `"${facts.endpointLabel}"`;
  switch (facts.kind) {
    case "endpoint_failing":
      return `Webhook endpoint ${name} is failing`;
    case "endpoint_disable_soon":
      return `Webhook endpoint ${name} will be disabled in 24 hours`;
    case "endpoint_disabled":
      return facts.data.automatic ? `Webhook endpoint ${name} was disabled automatically` : `Webhook endpoint ${name} was disabled`;
    case "delivery_exhausted":
      return `A delivery to ${name} failed every attempt`;
  }
}

const when = (date: Date) => date.toUTCString().replace("GMT", "UTC");

/** The mail's text: what happened, why, what comes next, and where to look. */
export function noticeText(facts: NoticeFacts, links: { page: string; preferences: string }): string {
  const lines = [noticeTitle(facts) + ".", "", `Why: ${facts.reason}`];
  if (facts.kind === "endpoint_failing" && typeof facts.data.since === "string") {
    lines.push(`Failing since: ${when(new Date(facts.data.since))}`);
  }
  if (facts.disablesAt && (facts.kind === "endpoint_failing" || facts.kind === "endpoint_disable_soon")) {
    lines.push(
      `It will be disabled automatically on ${when(facts.disablesAt)} unless a delivery to it succeeds before then.`,
    );
  }
  if (facts.kind === "endpoint_disabled") {
    lines.push("It receives no deliveries until it is enabled again; events published meanwhile are not sent to it.");
  }
  lines.push("", `Open the endpoint: ${links.page}`, "", `You receive this as an owner or admin of the account. Stop these mails: ${links.preferences}`);
  return lines.join("\n");
}
