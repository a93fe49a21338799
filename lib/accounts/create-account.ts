// Creates an account with its first member. No `server-only`: the seed script and the e2e
// fixtures call it with their own Prisma client.
import type { PrismaClient, Role } from "@prisma/client";
import { hashPassword } from "../auth/password";
import { newId } from "../ids";

export interface NewMember {
  email: string;
  name: string;
  password: string;
  role: Role;
}

export async function createAccount(
  prisma: PrismaClient,
  input: { name: string; members: NewMember[] },
): Promise<{ accountId: string; userIds: string[] }> {
  const accountId = newId("acc");
  const users = await Promise.all(
    input.members.map(async (m) => ({
      id: newId("usr"),
      email: m.email.trim().toLowerCase(),
      name: m.name,
      passwordHash: await hashPassword(m.password),
      role: m.role,
    })),
  );
  await prisma.$transaction([
    prisma.account.create({ data: { id: accountId, name: input.name } }),
    ...users.map(({ role, ...user }) =>
      prisma.user.create({
        data: { ...user, memberships: { create: { accountId, role } } },
      }),
    ),
  ]);
  return { accountId, userIds: users.map((u) => u.id) };
}
