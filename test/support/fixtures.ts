// Real accounts, users and API keys in the test database, unique per call.
import { randomBytes } from "node:crypto";
import type { Role } from "@prisma/client";
import { encode } from "next-auth/jwt";
import { createAccount } from "@/lib/accounts/create-account";
import { createApiKey } from "@/lib/api-keys/api-keys";
import type { Caller } from "@/lib/auth/caller";
import { startSession } from "@/lib/auth/sessions";
import { config } from "@/lib/config";
import { db } from "@/lib/db";

export interface TestAccount {
  accountId: string;
  users: Record<Role, { id: string; email: string; caller: Caller }>;
  /** An API key per role (owner keys do not exist; admin and viewer do). */
  keys: { admin: string; viewer: string };
}

export async function createTestAccount(name = "Test account"): Promise<TestAccount> {
  const tag = randomBytes(4).toString("hex");
  const roles: Role[] = ["owner", "admin", "viewer"];
  const members = roles.map((role) => ({
    email: `${role}-${tag}@test.db24x7.dev`,
    name: `${role} ${tag}`,
    password: "correct horse battery staple",
    role,
  }));
  const { accountId, userIds } = await createAccount(db, { name: `${name} ${tag}`, members });
  const users = Object.fromEntries(
    roles.map((role, i) => [
      role,
      {
        id: userIds[i],
        email: members[i].email,
        caller: { accountId, role, actor: { type: "user" as const, id: userIds[i], label: members[i].email } },
      },
    ]),
  ) as TestAccount["users"];
  const admin = await createApiKey(users.admin.caller, { name: "admin key", role: "admin" });
  const viewer = await createApiKey(users.admin.caller, { name: "viewer key", role: "viewer" });
  return { accountId, users, keys: { admin: admin.key, viewer: viewer.key } };
}

/** A next-auth session cookie for the user, minted as the sign-in flow would (with its server-side session). */
export async function sessionCookie(userId: string, email: string): Promise<string> {
  const sid = await startSession(userId);
  const token = await encode({ token: { sub: userId, email, sid }, secret: config().NEXTAUTH_SECRET });
  return `next-auth.session-token=${token}`;
}
