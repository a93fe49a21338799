import { expect, test, signIn } from "./support/test";

test("an owner changes the retention; a viewer sees it and cannot", async ({ page, accountB }) => {
  await signIn(page, accountB.emails.owner);
  await page.goto("/settings/retention");
  const history = page.getByLabel("Keep delivery history for (days)");
  const bodies = page.getByLabel("Keep response bodies for (days)");
  await expect(history).toHaveValue("30");
  await expect(bodies).toHaveValue("7");

  // Bodies kept longer than the history: refused, with the reason on the form.
  await bodies.fill("45");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByRole("form", { name: "Retention" }).getByRole("alert")).toContainText("at most retention_days (30)");

  await history.fill("90");
  await bodies.fill("14");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByText("Retention saved")).toBeVisible();
  await page.reload();
  await expect(history).toHaveValue("90");
  await expect(bodies).toHaveValue("14");

  await page.context().clearCookies();
  await signIn(page, accountB.emails.viewer);
  await page.goto("/settings/retention");
  await expect(page.getByLabel("Keep delivery history for (days)")).toHaveValue("90");
  await expect(page.getByLabel("Keep delivery history for (days)")).toBeDisabled();
  await expect(page.getByText("Only owners of the account can change retention.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save retention" })).toHaveCount(0);
  const res = await page.evaluate(async () => {
    const r = await fetch("/api/v1/account/retention", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ retention_days: 1, body_retention_days: 1 }),
    });
    return { status: r.status, body: await r.json() };
  });
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe("forbidden");
});
