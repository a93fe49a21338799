import { expect, test, signIn } from "./support/test";

test("an admin creates a key, sees it once, uses it, and revokes it", async ({ page, accountA, request }) => {
  await signIn(page, accountA.emails.admin);
  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: /Create (API|your first) key/ }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByRole("alert")).toContainText("name");
  await dialog.getByLabel("Name").fill("CI publisher");
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await dialog.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^db24x7_sk_/);
  await dialog.getByRole("button", { name: "Done" }).click();

  const row = page.getByTestId("api-key-row").filter({ hasText: "CI publisher" });
  await expect(row).toBeVisible();
  await expect(page.getByText(key)).toHaveCount(0); // never shown again

  const withKey = await request.get("/api/v1/api-keys", { headers: { authorization: `Bearer ${key}` } });
  expect(withKey.status()).toBe(200);

  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(row.getByText("Revoked")).toBeVisible();
  const revoked = await request.get("/api/v1/api-keys", { headers: { authorization: `Bearer ${key}` } });
  expect(revoked.status()).toBe(401);
});

test("a viewer cannot create API keys, in the UI or through the API", async ({ page, accountA }) => {
  await signIn(page, accountA.emails.viewer);
  await page.goto("/settings/api-keys");
  await expect(page.getByText("Only admins can manage API keys")).toBeVisible();
  await expect(page.getByRole("button", { name: /Create/ })).toHaveCount(0);
  // The same session, calling the API directly from the page's origin.
  const status = await page.evaluate(async () => {
    const res = await fetch("/api/v1/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "sneaky" }),
    });
    return { status: res.status, body: await res.json() };
  });
  expect(status.status).toBe(403);
  expect(status.body.error.code).toBe("forbidden");
});

test("account A's API key cannot see account B's data", async ({ page, accountA, accountB, request }) => {
  await signIn(page, accountB.emails.admin);
  const bKey = await page.evaluate(async () => {
    const res = await fetch("/api/v1/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "B secret key" }),
    });
    return res.json();
  });
  await page.context().clearCookies();
  await signIn(page, accountA.emails.admin);
  const aKey = await page.evaluate(async () => {
    const res = await fetch("/api/v1/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "A key" }),
    });
    return res.json();
  });
  const auth = { authorization: `Bearer ${aKey.key}` };
  const list = await request.get("/api/v1/api-keys?limit=100", { headers: auth });
  const ids = (await list.json()).data.map((k: { id: string }) => k.id);
  expect(ids).toContain(aKey.id);
  expect(ids).not.toContain(bKey.id);
  const revoke = await request.delete(`/api/v1/api-keys/${bKey.id}`, { headers: auth });
  expect(revoke.status()).toBe(404);
  expect((await revoke.json()).error.code).toBe("not_found");
});
