// The CSP guard every spec runs under (support/test.ts) must itself fail a test whose page
// breaks the policy: here an image from another origin, refused by img-src. Marked test.fail(),
// so this passes only while the guard catches it.
import { expect, test } from "./support/test";

test("a page that breaks the Content-Security-Policy fails its test", async ({ page }) => {
  test.fail();
  await page.goto("/login");
  const refused = page.waitForEvent("console", (m) => /Content Security Policy/.test(m.text()));
  await page.evaluate(() => {
    const img = document.createElement("img");
    img.src = "https://evil.example/pixel.png";
    document.body.append(img);
  });
  await refused;
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});
