import "server-only";
import { createHash } from "node:crypto";
import type { Role } from "@prisma/client";
import { db } from "../db";

/** Who is calling: resolved once per request, handed to every handler. */
export interface Caller {
  accountId: string;
  role: Role;
  actor: { type: "user" | "api_key" | "system"; id: string; label: string };
}

/** The signed-in user's account: their earliest membership. */
export async function callerForUser(userId: string): Promise<Caller | null> {
  const membership = await db.membership.findFirst({
    where: { userId },
    orderBy: { createdAt: "asc" },
    include: { user: { select: { email: true } } },
  });
  if (!membership) return null;
  return {
    accountId: membership.accountId,
    role: membership.role,
    actor: { type: "user", id: userId, label: membership.user.email },
  };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

// last_used_at is written at most once a minute per key, off the request's critical path.
const LAST_USED_GRANULARITY_MS = 60_000;

export async function callerForApiKey(key: string): Promise<Caller | null> {
  const apiKey = await db.apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
  const now = new Date();
  if (!apiKey || apiKey.revokedAt || (apiKey.expiresAt && apiKey.expiresAt <= now)) return null;
  if (!apiKey.lastUsedAt || now.getTime() - apiKey.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    void db.apiKey
      .update({ where: { id: apiKey.id }, data: { lastUsedAt: now } })
      .catch(() => undefined);
  }
  return {
    accountId: apiKey.accountId,
    role: apiKey.role,
    actor: { type: "api_key", id: apiKey.id, label: apiKey.name },
  };
}
