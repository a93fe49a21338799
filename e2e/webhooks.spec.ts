import type { Page } from "@playwright/test";
import { expect, test, signIn } from "./support/test";

const WEBHOOKS = "/settings/integrations/webhooks";

async function createViaApi(page: Page, body: object) {
  return page.evaluate(async (payload) => {
    const res = await fetch("/api/v1/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    return { status: res.status, json: await res.json() };
  }, body);
}

test("an admin adds a webhook, copies its secret once, reveals and rolls it, edits, disables and deletes it", async ({
  page,
  context,
  accountA,
}) => {
  test.setTimeout(60_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, accountA.emails.admin);
  await page.goto(WEBHOOKS);
  await expect(page.getByRole("heading", { name: "IP allowlist (optional)" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Webhook source IP addresses" })).toContainText("52.203.45.67");
  await page.getByRole("link", { name: "Add Webhook" }).click();
  await expect(page.getByRole("heading", { name: "Add Webhook" })).toBeVisible();

  // Saving an empty form says what is missing, where it is missing.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel("Endpoint URL")).toHaveAccessibleDescription(/Enter the URL/);
  await expect(page.getByText("Choose at least one event type.")).toBeVisible();

  const url = `https://hooks.example.com/db24x7/${Date.now()}`;
  await page.getByLabel("Endpoint URL").fill(url);
  await page.getByLabel("Description").fill("On-call pager");
  await page.getByRole("checkbox", { name: "Select all Alerts events" }).check();
  await expect(page.getByRole("checkbox", { name: /^alert\.resolved/ })).toBeChecked();
  await page.getByRole("checkbox", { name: /^database\.health_check/ }).check();
  await page.getByRole("button", { name: "Save" }).click();

  const dialog = page.getByRole("dialog", { name: "Copy your signing secret" });
  const secret = (await dialog.getByTestId("signing-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  await dialog.getByRole("button", { name: "Copy" }).click();
  await expect(dialog.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await dialog.getByRole("button", { name: "Continue to endpoint" }).click();

  await expect(page).toHaveURL(/\/settings\/integrations\/webhooks\/we_[A-Za-z0-9]{22}$/);
  await expect(page.getByTestId("endpoint-url")).toHaveText(url);
  await expect(page.getByText(secret)).toHaveCount(0); // shown once; revealing is deliberate

  await page.getByRole("button", { name: "Reveal secret" }).click();
  await expect(page.getByTestId("signing-secret")).toHaveText(secret);

  // Roll with a one-hour grace period.
  await page.getByRole("button", { name: "Roll secret" }).click();
  const roll = page.getByRole("dialog", { name: "Roll signing secret" });
  await roll.getByRole("radio", { name: "1 hour" }).check();
  await roll.getByRole("button", { name: "Roll secret" }).click();
  const rolled = page.getByRole("dialog", { name: "Copy your new signing secret" });
  const newSecret = (await rolled.getByTestId("signing-secret").textContent())!.trim();
  expect(newSecret).toMatch(/^whsec_/);
  expect(newSecret).not.toBe(secret);
  await rolled.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(/Secret roll in progress until/)).toBeVisible();
  await page.getByRole("button", { name: "Reveal secret" }).click();
  await expect(page.getByTestId("signing-secret")).toHaveText(newSecret);

  // Edit the event types.
  await page.getByRole("checkbox", { name: /^alert\.resolved/ }).uncheck();
  await page.getByRole("checkbox", { name: /^backup\.failed/ }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Webhook saved")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("checkbox", { name: /^alert\.resolved/ })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^backup\.failed/ })).toBeChecked();
  await expect(page.getByRole("button", { name: "Save changes" })).toBeDisabled();

  // The deliveries area is there for the delivery screens.
  await expect(page.getByRole("region", { name: "Delivery history" })).toBeVisible();

  await page.getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText("Webhook disabled")).toBeVisible();
  await expect(page.getByRole("button", { name: "Enable" })).toBeVisible();
  await expect(page.getByText("receives no events until it is enabled again")).toBeVisible();

  const audit = page.getByTestId("audit-log");
  for (const line of [
    "Disabled the endpoint",
    "Changed event types",
    "Rolled the signing secret (previous one valid for 1 hour)",
    "Revealed the signing secret",
    "Created the endpoint",
  ]) {
    await expect(audit.getByText(line).first()).toBeVisible();
  }

  await page.goto(WEBHOOKS);
  const row = page.getByTestId("endpoint-row").filter({ hasText: url });
  await expect(row).toContainText("Disabled");
  await expect(row).toContainText(/production/i);
  await expect(row).toContainText("alert.critical");
  await expect(row).toContainText("—"); // no deliveries yet
  await row.getByRole("link", { name: url }).click();

  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete this webhook?" }).getByRole("button", { name: "Delete webhook" }).click();
  await expect(page).toHaveURL(new RegExp(`${WEBHOOKS}$`));
  await expect(page.getByText("Webhook deleted")).toBeVisible();
  await expect(page.getByTestId("endpoint-row").filter({ hasText: url })).toHaveCount(0);
});

test("an invalid URL shows the broken rule under the URL field", async ({ page, accountA }) => {
  await signIn(page, accountA.emails.admin);
  await page.goto(`${WEBHOOKS}/new`);
  await page.getByRole("checkbox", { name: /^backup\.completed/ }).check();
  const urlField = page.getByLabel("Endpoint URL");
  for (const [url, message] of [
    ["http://hooks.example.com/db24x7", "Production endpoints must use HTTPS"],
    ["https://me:hunter2@hooks.example.com/", "URL must not contain a username or password"],
    ["hooks.example.com/db24x7", "URL must be an absolute URL"],
    ["https://169.254.169.254/latest/meta-data", "URL points to a cloud metadata address (169.254.169.254)"],
  ] as const) {
    await urlField.fill(url);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(urlField).toHaveAttribute("aria-invalid", "true");
    await expect(urlField).toHaveAccessibleDescription(new RegExp(message.replace(/[.()]/g, "\\$&")));
  }
  // Plain HTTP is fine outside production.
  await urlField.fill("http://hooks.example.com/staging");
  await page.getByLabel("Environment").selectOption("staging");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("dialog", { name: "Copy your signing secret" })).toBeVisible();
});

test("a viewer sees endpoints but not the secret, and cannot change anything", async ({ page, accountB }) => {
  await signIn(page, accountB.emails.admin);
  const created = await createViaApi(page, {
    url: "https://hooks.example.com/viewer-check",
    description: "Viewer check",
    event_types: ["maintenance.started", "maintenance.completed"],
  });
  expect(created.status).toBe(201);
  await page.context().clearCookies();

  await signIn(page, accountB.emails.viewer);
  await page.goto(WEBHOOKS);
  await expect(page.getByRole("link", { name: "Add Webhook" })).toHaveCount(0);
  await page.getByRole("link", { name: "https://hooks.example.com/viewer-check" }).click();
  await expect(page.getByTestId("endpoint-url")).toHaveText("https://hooks.example.com/viewer-check");
  await expect(page.getByText("Only admins can see the signing secret.")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /^maintenance\.started/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^maintenance\.started/ })).toBeDisabled();
  for (const name of ["Reveal secret", "Roll secret", "Disable", "Delete", "Save changes"]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(page.getByRole("heading", { name: "Audit log" })).toHaveCount(0);
  await expect(page.getByText(created.json.secret)).toHaveCount(0);

  const attempts = await page.evaluate(async (id) => {
    const secret = await fetch(`/api/v1/webhooks/${id}/secret`);
    const patch = await fetch(`/api/v1/webhooks/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "disabled" }),
    });
    return [secret.status, patch.status];
  }, created.json.id);
  expect(attempts).toEqual([403, 403]);

  await page.goto(`${WEBHOOKS}/new`);
  await expect(page.getByText("Only admins can add webhooks")).toBeVisible();
});

test("another account's endpoint is not found", async ({ page, accountA, accountB }) => {
  await signIn(page, accountB.emails.admin);
  const created = await createViaApi(page, { url: "https://hooks.example.com/b-only", event_types: ["alert.warning"] });
  await page.context().clearCookies();
  await signIn(page, accountA.emails.admin);
  const res = await page.goto(`${WEBHOOKS}/${created.json.id}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByText("https://hooks.example.com/b-only")).toHaveCount(0);
});
