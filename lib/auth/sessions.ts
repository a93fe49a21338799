import "server-only";
import { sqlQuery, sqlTimestamp, type NoRows } from "../db";
import { newId } from "../ids";

// A dashboard session lasts this long from sign-in, whatever the activity: the row's expiry is
// not slid forward, so no request writes to keep a session alive.
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

// Expired rows deleted per sign-in: more than a sign-in adds, and never a long statement.
const PURGE_BATCH = 100;

/** Records a new session for the user and returns its id, which the session cookie carries. */
export async function startSession(userId: string): Promise<string> {
  const id = newId("ses");
  const now = Date.now();
  await sqlQuery<NoRows>(
    "user_session_insert",
    `INSERT INTO user_sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3::timestamp(3), $4::timestamp(3))`,
    [id, userId, sqlTimestamp(new Date(now)), sqlTimestamp(new Date(now + SESSION_MAX_AGE_SECONDS * 1000))],
  );
  await sqlQuery<NoRows>(
    "user_sessions_purge",
    `DELETE FROM user_sessions WHERE id IN (
       SELECT id FROM user_sessions WHERE expires_at < $1::timestamp(3) ORDER BY expires_at LIMIT ${PURGE_BATCH})`,
    [sqlTimestamp(new Date(now))],
  );
  return id;
}

/** Ends a session at once: a copy of its cookie no longer works anywhere. */
export async function endSession(sessionId: string): Promise<void> {
  await sqlQuery<NoRows>("user_session_delete", `DELETE FROM user_sessions WHERE id = $1`, [sessionId]);
}

export async function sessionIsActive(sessionId: string): Promise<boolean> {
  const { rows } = await sqlQuery<{ active: number }>(
    "user_session_active",
    `SELECT 1 AS active FROM user_sessions WHERE id = $1 AND expires_at > $2::timestamp(3)`,
    [sessionId, sqlTimestamp(new Date())],
  );
  return rows.length > 0;
}

/** The session id a decoded session cookie names; older cookies carry none and are signed out. */
export function sessionIdOf(token: object | null | undefined): string | null {
  const sid = (token as { sid?: unknown } | null | undefined)?.sid;
  return typeof sid === "string" ? sid : null;
}
