import "server-only";
import { createHash } from "node:crypto";
import type pg from "pg";
import { ApiError } from "../api/errors";
import { sqlPool, sqlQuery, sqlTimestamp, sqlTransaction, type NoRows } from "../db";

// Failed authentications are rows in auth_failures, counted over a sliding window, so the limits
// hold across app instances. A key is locked while it has `limit` failures in the last `windowMs`
// and unlocks by itself as they age out. Several users can share one address (an office behind
// NAT), so an address may fail more often than one account.
export type ThrottleScope = "sign_in_account" | "sign_in_address" | "api_key_address";

export interface ThrottleRule {
  limit: number;
  windowMs: number;
}

export type ThrottleRules = Record<ThrottleScope, ThrottleRule>;

const FIFTEEN_MINUTES = 15 * 60 * 1000;

export const THROTTLE_RULES: ThrottleRules = {
  sign_in_account: { limit: 10, windowMs: FIFTEEN_MINUTES },
  sign_in_address: { limit: 50, windowMs: FIFTEEN_MINUTES },
  api_key_address: { limit: 10, windowMs: FIFTEEN_MINUTES },
};

/** Options for tests: other limits, another clock. */
export interface ThrottleOptions {
  rules?: ThrottleRules;
  now?: number;
}

// Old rows deleted per recorded failure: more than a failure adds, and never a long statement.
const PURGE_BATCH = 100;

export type Lock = { locked: true; retryAfterSeconds: number };

/** What a sign-in attempt holds while its password is checked: one provisional failure per scope. */
export interface SignInAttempt {
  accountKey: string;
  failureIds: string[];
  /** The attempt's place among the account's failures in the window: at the limit, a failure starts the lock. */
  accountFailureNumber: number;
  limit: number;
}

/** The 429 a locked key answers (the API's error shape, with Retry-After). */
export function tooManyAttempts(what: string, retryAfterSeconds: number): ApiError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new ApiError(429, "too_many_attempts", `Too many ${what}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, undefined, {
    "Retry-After": String(retryAfterSeconds),
  });
}

/** Failures are keyed by what was typed, normalised as sign-in does, so unknown emails count exactly as known ones. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Whether text can be an email and a stored key: at most 320 characters, no NUL, no surrogate
 * (a lone one cannot be stored as text).
 */
export function isEmailLike(key: string): boolean {
  return key.length <= 320 && !key.includes("\u0000") && !/[\uD800-\uDFFF]/.test(key);
}

// Other "emails" are keyed by their hash, so they still count without failing the insert.
function storableKey(key: string): string {
  return isEmailLike(key) ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/**
 * Starts a sign-in attempt: locked (do not check the password), or a provisional failure
 * recorded for the account and for the address, which `endSignInAttempt` keeps or removes.
 * Recording before the check, under a per-key advisory lock, means concurrent guesses cannot
 * all pass a count taken before any of them failed: at most `limit` passwords are ever checked.
 */
export async function beginSignInAttempt(
  input: { email: string; address: string | null },
  { rules = THROTTLE_RULES, now = Date.now() }: ThrottleOptions = {},
): Promise<Lock | { locked: false; attempt: SignInAttempt }> {
  const accountKey = storableKey(normaliseEmail(input.email));
  const keys: [ThrottleScope, string][] = [["sign_in_account", accountKey]];
  if (input.address) keys.push(["sign_in_address", input.address]);
  return sqlTransaction(async (client) => {
    // Sorted, so two attempts never wait on each other's locks in opposite orders.
    await client.query<{ pg_advisory_xact_lock: string }>(
      `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k ORDER BY k`,
      [keys.map(([scope, key]) => `auth_failures:${scope}:${key}`)],
    );
    let retryAfterSeconds = 0;
    const counts: number[] = [];
    for (const [scope, key] of keys) {
      const state = await lockState(client, scope, key, rules[scope], now);
      counts.push(state.failures);
      if (state.retryAfterSeconds > 0) retryAfterSeconds = Math.max(retryAfterSeconds, state.retryAfterSeconds);
    }
    if (retryAfterSeconds > 0) return { locked: true as const, retryAfterSeconds };
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO auth_failures (scope, key, created_at)
       SELECT scope, key, $3::timestamp(3) FROM unnest($1::text[], $2::text[]) AS f(scope, key)
       RETURNING id::text`,
      [keys.map(([scope]) => scope), keys.map(([, key]) => key), sqlTimestamp(new Date(now))],
    );
    return {
      locked: false as const,
      attempt: {
        accountKey,
        failureIds: rows.map((r) => r.id),
        accountFailureNumber: counts[0]! + 1,
        limit: rules.sign_in_account.limit,
      },
    };
  });
}

/**
 * Ends an attempt. "failure": its provisional failures stay, and `lockStarted` says this one
 * locked the account. "success": the account's failures are cleared (the address's stay: one
 * known password must not reset a spraying address). "unchecked" (the password was never
 * checked, e.g. a bad CSRF token): its provisional failures go.
 */
export async function endSignInAttempt(
  attempt: SignInAttempt,
  outcome: "success" | "failure" | "unchecked",
  { rules = THROTTLE_RULES, now = Date.now() }: ThrottleOptions = {},
): Promise<{ lockStarted: boolean }> {
  if (outcome === "failure") {
    await purgeOldFailures(rules, now);
    return { lockStarted: attempt.accountFailureNumber === attempt.limit };
  }
  await sqlPool().query<NoRows>(
    `DELETE FROM auth_failures
      WHERE id = ANY($1::bigint[]) OR ($2::boolean AND scope = 'sign_in_account' AND key = $3)`,
    [attempt.failureIds, outcome === "success", attempt.accountKey],
  );
  return { lockStarted: false };
}

/** Records a failed API-key authentication from `address`. */
export async function recordApiKeyFailure(address: string, { rules = THROTTLE_RULES, now = Date.now() }: ThrottleOptions = {}) {
  await sqlQuery<NoRows>(
    "auth_failure_insert",
    `INSERT INTO auth_failures (scope, key, created_at) VALUES ('api_key_address', $1, $2::timestamp(3))`,
    [address, sqlTimestamp(new Date(now))],
  );
  await purgeOldFailures(rules, now);
}

/** Seconds until `key` unlocks in `scope`; 0 when it is not locked. */
export async function retryAfterSeconds(
  scope: ThrottleScope,
  key: string,
  { rules = THROTTLE_RULES, now = Date.now() }: ThrottleOptions = {},
): Promise<number> {
  const client = await sqlPool().connect();
  try {
    return (await lockState(client, scope, key, rules[scope], now)).retryAfterSeconds;
  } finally {
    client.release();
  }
}

/**
 * Failures in the window (at most `limit` are read) and, at the limit, seconds until the
 * newest `limit`-th failure ages out: the moment the count drops below the limit.
 */
async function lockState(client: pg.PoolClient, scope: ThrottleScope, key: string, rule: ThrottleRule, now: number) {
  const { rows } = await client.query<{ at: string }>(
    `SELECT (extract(epoch FROM created_at) * 1000)::float8::text AS at FROM auth_failures
      WHERE scope = $1 AND key = $2 AND created_at > $3::timestamp(3)
      ORDER BY created_at DESC LIMIT $4`,
    [scope, key, sqlTimestamp(new Date(now - rule.windowMs)), rule.limit],
  );
  const oldest = rows.length >= rule.limit ? Number(rows[rows.length - 1]!.at) : null;
  const retryAfterSeconds = oldest === null ? 0 : Math.max(1, Math.ceil((oldest + rule.windowMs - now) / 1000));
  return { failures: rows.length, retryAfterSeconds };
}

async function purgeOldFailures(rules: ThrottleRules, now: number) {
  // Never a shorter window than production's: tests with short windows share the database.
  const window = Math.max(...[...Object.values(rules), ...Object.values(THROTTLE_RULES)].map((r) => r.windowMs));
  await sqlQuery<NoRows>(
    "auth_failures_purge",
    `DELETE FROM auth_failures WHERE id IN (
       SELECT id FROM auth_failures WHERE created_at < $1::timestamp(3) ORDER BY created_at LIMIT ${PURGE_BATCH})`,
    [sqlTimestamp(new Date(now - window))],
  );
}
