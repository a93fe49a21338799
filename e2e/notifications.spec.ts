import { randomBytes } from "node:crypto";
import { expect, test, signIn } from "./support/test";

// A notice in the account (as the delivery core records it: a row in notices) shows in the
// bell's count and the notifications list, which links to the endpoint; reading it clears the
// count. The mail opt-out is a checkbox under Settings → Notifications.
test("the bell counts a notice, the list links to the endpoint and marks it read", async ({ page, prisma, accountB }) => {
  const endpointId = `we_${randomBytes(11).toString("hex")}`;
  await prisma.webhookEndpoint.create({
    data: {
      id: endpointId,
      accountId: accountB.accountId,
      url: "https://hooks.example.com/orders",
      description: "Orders pager",
      eventTypes: ["alert.critical"],
      secretEncrypted: "unused-by-this-test",
    },
  });
  const since = new Date(Date.now() - 5 * 60_000);
  await prisma.notice.create({
    data: {
      id: `ntc_${randomBytes(11).toString("hex")}`,
      accountId: accountB.accountId,
      kind: "endpoint_failing",
      endpointId,
      reason: "Your endpoint answered HTTP 500 to the last 5 attempts",
      data: { since: since.toISOString() },
      dedupeKey: `endpoint_failing:${endpointId}:${since.getTime()}`,
      createdAt: new Date(),
    },
  });

  await signIn(page, accountB.emails.viewer);
  const bell = page.getByTestId("notification-bell");
  await expect(bell.getByTestId("notification-count")).toHaveText("1");
  await expect(bell).toHaveAccessibleName("Notifications, 1 unread");
  await bell.click();
  await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  const item = page.getByRole("list", { name: "Notifications" }).getByTestId("notification").first();
  await expect(item).toContainText("answered HTTP 500 to the last 5 attempts");
  await expect(item).toContainText("disabled automatically");
  await item.getByRole("link", { name: 'Webhook endpoint "Orders pager" is failing' }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/integrations/webhooks/${endpointId}$`));
  await expect(page.getByTestId("notification-count")).toHaveCount(0);
  await expect(page.getByTestId("notification-bell")).toHaveAccessibleName("Notifications");
});

test("a user opts out of notice mails in settings, and it stays so", async ({ page, prisma, accountA }) => {
  await signIn(page, accountA.emails.admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Notifications" }).click();
  const optIn = page.getByRole("checkbox", { name: /Mail me about this account's webhook endpoints/ });
  await expect(optIn).toBeChecked();
  // This stack has no SMTP_URL: the page says mails would not go out anyway.
  await expect(page.getByTestId("mail-not-applicable")).toContainText("no mail server configured");
  await optIn.uncheck();
  await expect(page.getByText("You will get no notice mails")).toBeVisible();
  await page.reload();
  await expect(optIn).not.toBeChecked();
  const user = await prisma.user.findUniqueOrThrow({ where: { email: accountA.emails.admin } });
  const membership = await prisma.membership.findUniqueOrThrow({
    where: { accountId_userId: { accountId: accountA.accountId, userId: user.id } },
  });
  expect(membership.noticeEmails).toBe(false);
});

test("the IP allowlist card subscribes an endpoint to IP changes", async ({ page, prisma, accountA }) => {
  const endpointId = `we_${randomBytes(11).toString("hex")}`;
  await prisma.webhookEndpoint.create({
    data: {
      id: endpointId,
      accountId: accountA.accountId,
      url: "https://hooks.example.com/firewall",
      description: "Firewall sync",
      eventTypes: ["alert.critical"],
      secretEncrypted: "unused-by-this-test",
    },
  });
  await signIn(page, accountA.emails.admin);
  await page.goto("/settings/integrations/webhooks");
  await page.getByLabel("Endpoint to subscribe").selectOption({ label: "Firewall sync" });
  await page.getByRole("button", { name: "Subscribe to IP changes" }).click();
  await expect(page.getByTestId("ip-changelog-subscribers")).toContainText("Firewall sync");
  const endpoint = await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
  expect(endpoint.eventTypes).toEqual(["alert.critical", "webhooks.source_ips_changed"]);
});
