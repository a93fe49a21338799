import { describe, expect, it } from "vitest";
import { noticePath, noticeText, noticeTitle, type NoticeFacts } from "./describe";

const failing: NoticeFacts = {
  kind: "endpoint_failing",
  reason: "Connection refused by 203.0.113.10:443",
  endpointId: "we_1",
  deliveryId: null,
  endpointLabel: "Orders pager",
  data: { since: "2026-02-07T14:02:11.000Z" },
  disablesAt: new Date("2026-02-12T14:02:11Z"),
};
const links = { page: "https://hooks.example.com/settings/integrations/webhooks/we_1", preferences: "https://hooks.example.com/settings/notifications" };

describe("notice wording", () => {
  it("says what happened, why, since when, when it will be disabled, and links to the endpoint", () => {
    expect(noticeTitle(failing)).toBe('Webhook endpoint "Orders pager" is failing');
    const text = noticeText(failing, links);
    expect(text).toContain("Why: Connection refused by 203.0.113.10:443");
    expect(text).toContain("Failing since: Sat, 07 Feb 2026 14:02:11 UTC");
    expect(text).toContain("disabled automatically on Thu, 12 Feb 2026 14:02:11 UTC");
    expect(text).toContain(`Open the endpoint: ${links.page}`);
    expect(text).toContain(`Stop these mails: ${links.preferences}`);
  });

  it("names no disable date once the endpoint is disabled, and tells a manual disable from an automatic one", () => {
    const disabled: NoticeFacts = { ...failing, kind: "endpoint_disabled", disablesAt: null, data: { automatic: false } };
    expect(noticeTitle(disabled)).toBe('Webhook endpoint "Orders pager" was disabled');
    expect(noticeTitle({ ...disabled, data: { automatic: true } })).toBe('Webhook endpoint "Orders pager" was disabled automatically');
    expect(noticeText(disabled, links)).not.toContain("disabled automatically on");
  });

  it("links a delivery's notice to the delivery, an endpoint's to the endpoint", () => {
    expect(noticePath(failing)).toBe("/settings/integrations/webhooks/we_1");
    expect(noticePath({ endpointId: "we_1", deliveryId: "dlv_2" })).toBe("/settings/integrations/webhooks/we_1/deliveries/dlv_2");
  });
});
