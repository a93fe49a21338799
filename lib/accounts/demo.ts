import type { PrismaClient } from "@prisma/client";
import { createAccount } from "./create-account";

// The login printed by `npm run dev`; it exists only in databases seeded for development.
export const DEMO_LOGIN = { email: "admin@demo.db24x7.dev", password: "demo-password-2026" };

/** Seeds the demo account unless its owner already exists. Returns whether it seeded. */
export async function seedDemoAccount(prisma: PrismaClient): Promise<boolean> {
  if (await prisma.user.findUnique({ where: { email: DEMO_LOGIN.email } })) return false;
  await createAccount(prisma, {
    name: "Demo Company",
    members: [
      { email: DEMO_LOGIN.email, name: "Demo Admin", password: DEMO_LOGIN.password, role: "owner" },
      { email: "viewer@demo.db24x7.dev", name: "Demo Viewer", password: DEMO_LOGIN.password, role: "viewer" },
    ],
  });
  return true;
}
