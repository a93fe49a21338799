// Accounts made for each test worker straight in the e2e database, through the same lib/
// function the seed uses; tests sign in through the real form.
import { randomBytes } from "node:crypto";
import { test as base, expect, type Page } from "@playwright/test";
import type { PrismaClient, Role } from "@prisma/client";
import { createAccount } from "../../lib/accounts/create-account";
import { createPrismaClient } from "../../lib/db-client";
import { E2E } from "./env";

export const PASSWORD = "e2e password that is long";

export interface E2eAccount {
  accountId: string;
  name: string;
  emails: Record<Role, string>;
}

async function makeAccount(prisma: PrismaClient, label: string): Promise<E2eAccount> {
  const tag = randomBytes(4).toString("hex");
  const roles: Role[] = ["owner", "admin", "viewer"];
  const emails = Object.fromEntries(roles.map((r) => [r, `${r}-${tag}@e2e.db24x7.dev`])) as Record<Role, string>;
  const name = `${label} ${tag}`;
  const { accountId } = await createAccount(prisma, {
    name,
    members: roles.map((role) => ({ email: emails[role], name: `${role} ${tag}`, password: PASSWORD, role })),
  });
  return { accountId, name, emails };
}

export const test = base.extend<
  { signIn: (email: string) => Promise<void> },
  { prisma: PrismaClient; accountA: E2eAccount; accountB: E2eAccount }
>({
  prisma: [
    async ({}, use) => {
      const prisma = createPrismaClient(E2E.databaseUrl, 2);
      await use(prisma);
      await prisma.$disconnect();
    },
    { scope: "worker" },
  ],
  accountA: [async ({ prisma }, use) => use(await makeAccount(prisma, "Account A")), { scope: "worker" }],
  accountB: [async ({ prisma }, use) => use(await makeAccount(prisma, "Account B")), { scope: "worker" }],
  signIn: async ({ page }, use) => {
    await use(async (email: string) => signIn(page, email));
  },
});

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

export { expect };
