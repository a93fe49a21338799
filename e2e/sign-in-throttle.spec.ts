// The sign-in form after too many wrong passwords: the throttle's 429 message is shown, and the
// right password is refused until the lock ends (lib/auth/throttle.ts; probed over HTTP in
// test/security/sign-in-throttle.test.ts).
import { randomBytes } from "node:crypto";
import { createAccount } from "../lib/accounts/create-account";
import { expect, PASSWORD, test } from "./support/test";

test("after 10 wrong passwords the form says when to try again, and the right one is refused", async ({ page, prisma }) => {
  // An account of its own: the worker's shared accounts must still sign in after this test.
  const email = `locked-${randomBytes(4).toString("hex")}@e2e.db24x7.dev`;
  await createAccount(prisma, { name: "Locked out", members: [{ email, name: "Locked out", password: PASSWORD, role: "admin" }] });
  // The form's own alert (Next's route announcer is an alert too).
  const alert = page.locator("form").getByRole("alert");
  const submit = async (password: string) => {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/api/auth/callback/credentials")),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    return answer.status();
  };
  try {
    await page.goto("/login");
    for (let i = 0; i < 10; i++) {
      expect(await submit(`wrong ${i}`)).toBe(401);
      await expect(alert).toHaveText("That email and password do not match an account.");
    }
    expect(await submit(PASSWORD)).toBe(429);
    await expect(alert).toHaveText("Too many failed sign-in attempts. Try again in 15 minutes.");
    await expect(page).toHaveURL(/\/login/);
  } finally {
    // The failures count against this machine's address too; leave the rest of the suite its budget.
    await prisma.authFailure.deleteMany({ where: { OR: [{ scope: "sign_in_account", key: email }, { scope: "sign_in_address" }] } });
  }
});
