import "server-only";
import { createHash } from "node:crypto";
import type { Role } from "@prisma/client";
import { sqlQuery, sqlTimestamp } from "../db";

/** Who is calling: resolved once per request, handed to every handler. */
export interface Caller {
  accountId: string;
  role: Role;
  actor: { type: "user" | "api_key" | "system"; id: string; label: string };
}

/**
 * The caller of a dashboard session, or null when the session has ended (signed out, expired,
 * or ended by a password, role or membership change) or the user belongs to no account. One
 * statement: the session, its user and their earliest membership.
 */
export async function callerForSession(sessionId: string): Promise<Caller | null> {
  const { rows } = await sqlQuery<{ user_id: string; email: string; account_id: string; role: Role }>(
    "session_caller",
    `SELECT s.user_id, u.email, m.account_id, m.role::text AS role
       FROM user_sessions s
       JOIN users u ON u.id = s.user_id
       JOIN LATERAL (
         SELECT account_id, role FROM memberships WHERE user_id = s.user_id ORDER BY created_at ASC LIMIT 1
       ) m ON true
      WHERE s.id = $1 AND s.expires_at > $2::timestamp(3)`,
    [sessionId, sqlTimestamp(new Date())],
  );
  const row = rows[0];
  if (!row) return null;
  return { accountId: row.account_id, role: row.role, actor: { type: "user", id: row.user_id, label: row.email } };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

// last_used_at is written at most once a minute per key.
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * The key's caller, or null when it is unknown, revoked or expired. One statement: the lookup,
 * and the last_used_at write when the stored value is over a minute old. The write re-checks
 * that age on the row it locks, so concurrent requests at the turn of a minute write it once.
 */
export async function callerForApiKey(key: string): Promise<Caller | null> {
  const now = Date.now();
  const { rows } = await sqlQuery<{ id: string; account_id: string; role: Role; name: string }>(
    "api_key_caller",
    `WITH found AS (
       SELECT id, account_id, role::text AS role, name
         FROM api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2::timestamp(3))
     ), touched AS (
       UPDATE api_keys SET last_used_at = $2::timestamp(3)
        WHERE id = (SELECT id FROM found) AND (last_used_at IS NULL OR last_used_at < $3::timestamp(3))
     )
     SELECT id, account_id, role, name FROM found`,
    [hashApiKey(key), sqlTimestamp(new Date(now)), sqlTimestamp(new Date(now - LAST_USED_GRANULARITY_MS))],
  );
  const apiKey = rows[0];
  if (!apiKey) return null;
  return {
    accountId: apiKey.account_id,
    role: apiKey.role,
    actor: { type: "api_key", id: apiKey.id, label: apiKey.name },
  };
}

