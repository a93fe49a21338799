import { expect, test, signIn, PASSWORD } from "./support/test";

test("a wrong password shows an error and stays on sign-in", async ({ page, accountA }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(accountA.emails.admin);
  await page.getByLabel("Password").fill(`${PASSWORD}-wrong`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("signing in lands on the dashboard with the documented navigation", async ({ page, accountA }) => {
  await signIn(page, accountA.emails.admin);
  await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
  await expect(page.getByText(accountA.name)).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: /Webhooks/ }).click();
  await expect(page).toHaveURL(/\/settings\/integrations\/webhooks$/);
  await expect(page.getByRole("heading", { name: "Webhooks", exact: true })).toBeVisible();
  await nav.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();
});

for (const path of ["/", "/settings/integrations/webhooks", "/settings/api-keys", "/settings/integrations/webhooks/we_unknown"]) {
  test(`an anonymous visit to ${path} lands on sign-in`, async ({ page }) => {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });
}

test("after sign-in the visitor returns to the page they asked for", async ({ page, accountA }) => {
  await page.goto("/settings/api-keys");
  await expect(page).toHaveURL(/callbackUrl=%2Fsettings%2Fapi-keys/);
  await page.getByLabel("Email").fill(accountA.emails.admin);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();
});
