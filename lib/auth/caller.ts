import "server-only";
import { createHash } from "node:crypto";
import type { Role } from "@prisma/client";
import { sqlQuery, sqlTimestamp } from "../db";
import { recordApiKeyFailure, retryAfterSeconds, THROTTLE_RULES, type ThrottleOptions } from "./throttle";

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

export type ApiKeyAuthentication =
  | { ok: true; caller: Caller }
  | { ok: false; locked: false }
  | { ok: false; locked: true; retryAfterSeconds: number };

/**
 * Authenticates an API key sent from `address` (null: unknown, not throttled). One statement on
 * the success path: the lookup, made only while the address has fewer than the limit of recent
 * failures (an index-only range read, normally empty) so a locked address's right key is not
 * even checked, and the last_used_at write when the stored value is over a minute old
 * (re-checked on the row it locks, so concurrent requests at the turn of a minute write it
 * once). An unknown key counts as a failure of the address; a revoked or expired one does not
 * (it is no guess, and a stale client must not lock out everyone behind its address).
 */
export async function authenticateApiKey(
  key: string,
  address: string | null,
  options: ThrottleOptions = {},
): Promise<ApiKeyAuthentication> {
  const { rules = THROTTLE_RULES, now = Date.now() } = options;
  const rule = rules.api_key_address;
  const { rows } = await sqlQuery<{ id: string; account_id: string; role: Role; name: string; usable: boolean }>(
    "api_key_caller",
    `WITH found AS (
       SELECT id, account_id, role::text AS role, name,
              revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2::timestamp(3)) AS usable
         FROM api_keys
        WHERE key_hash = $1
          AND (SELECT count(*) FROM (
                 SELECT 1 FROM auth_failures
                  WHERE scope = 'api_key_address' AND key = $4 AND created_at > $5::timestamp(3)
                  LIMIT $6
               ) f) < $6
     ), touched AS (
       UPDATE api_keys SET last_used_at = $2::timestamp(3)
        WHERE id = (SELECT id FROM found WHERE usable) AND (last_used_at IS NULL OR last_used_at < $3::timestamp(3))
     )
     SELECT id, account_id, role, name, usable FROM found`,
    [
      hashApiKey(key),
      sqlTimestamp(new Date(now)),
      sqlTimestamp(new Date(now - LAST_USED_GRANULARITY_MS)),
      address,
      sqlTimestamp(new Date(now - rule.windowMs)),
      rule.limit,
    ],
  );
  const row = rows[0];
  if (row) {
    if (row.usable) return { ok: true, caller: { accountId: row.account_id, role: row.role, actor: { type: "api_key", id: row.id, label: row.name } } };
    return { ok: false, locked: false };
  }
  if (!address) return { ok: false, locked: false };
  // No row: an unknown key, or a locked address (the lookup did not run). Only failures get here.
  const retryAfter = await retryAfterSeconds("api_key_address", address, options);
  if (retryAfter > 0) return { ok: false, locked: true, retryAfterSeconds: retryAfter };
  await recordApiKeyFailure(address, options);
  return { ok: false, locked: false };
}
