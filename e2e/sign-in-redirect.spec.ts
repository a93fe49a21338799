// After sign-in the form follows `callbackUrl` only to a path on this site, however the value
// is spelled: each hostile value is first shown to leave the site when Chromium itself follows
// it (so the test would catch a form that did), then signed in with and the landing checked.
import { expect, PASSWORD, test } from "./support/test";

const HOSTILE = [
  "//evil.example/",
  "/\\evil.example/",
  "\\\\evil.example/",
  "/\t/evil.example/",
  "/\n/evil.example/",
  " //evil.example/",
  "https://evil.example/",
  "HTTPS:evil.example",
];
// Values that stay on the site when followed as they are, but not when taken apart naively.
const TRICKY = ["/.//evil.example/", "/%2e//evil.example/", "javascript:alert(document.domain)", "/%2F%2Fevil.example", "/%5Cevil.example"];

for (const callbackUrl of [...HOSTILE, ...TRICKY]) {
  test(`sign-in with callbackUrl ${JSON.stringify(callbackUrl)} stays on the site`, async ({ page, accountA, baseURL }) => {
    const origin = new URL(baseURL!).origin;
    await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    if (HOSTILE.includes(callbackUrl)) {
      const followed = await page.evaluate((value) => new URL(value, window.location.href).origin, callbackUrl);
      expect(followed, "Chromium would leave the site for this value").not.toBe(origin);
    }
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => (dialogs.push(dialog.message()), dialog.dismiss()));
    await page.getByLabel("Email").fill(accountA.emails.admin);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
    await page.waitForLoadState("load");
    expect(new URL(page.url()).origin).toBe(origin);
    expect(new URL(page.url()).pathname.startsWith("//")).toBe(false);
    expect(dialogs).toEqual([]);
  });
}

test("a page visited signed out comes back after sign-in, and only its path is carried", async ({ page, accountA }) => {
  await page.goto("/settings/api-keys?from=e2e");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings%2Fapi-keys%3Ffrom%3De2e$/);
  await page.getByLabel("Email").fill(accountA.emails.admin);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys\?from=e2e$/);
});
