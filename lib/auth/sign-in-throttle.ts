import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { errorResponse } from "../api/errors";
import { auditEntry } from "../audit/record";
import { SYSTEM_CALLER } from "../audit/system";
import { db } from "../db";
import { clientAddress } from "./client-address";
import { beginSignInAttempt, endSignInAttempt, isEmailLike, normaliseEmail, THROTTLE_RULES, tooManyAttempts } from "./throttle";

// The sign-in being throttled, for the credentials check (lib/auth/options.ts) to report its
// outcome to: next-auth answers a wrong password and a bad CSRF token alike, and only the
// first is a failed guess.
interface CurrentSignIn {
  email: string;
  outcome?: "success" | "failure";
}

const current = new AsyncLocalStorage<CurrentSignIn>();

/**
 * Whether the credentials check may look at a password for `email`: only inside a throttled
 * sign-in, for the email the throttle counted (next-auth reads the same body, but a request
 * that reached the check any other way is refused unchecked).
 */
export function mayCheckPassword(email: string): boolean {
  return current.getStore()?.email === normaliseEmail(email);
}

/** The credentials check's verdict on the current sign-in. */
export function reportCredentialCheck(ok: boolean): void {
  const sign = current.getStore();
  if (sign) sign.outcome = ok ? "success" : "failure";
}

/**
 * Runs next-auth's credentials sign-in (`signIn`) under the throttle: a locked account or
 * address answers 429 with Retry-After before any password is checked; a failure counts
 * against both; the failure that locks an account is audited in each account the user is in.
 */
export async function throttledSignIn(req: Request, signIn: () => Promise<Response>): Promise<Response> {
  const email = normaliseEmail(await submittedEmail(req));
  const address = clientAddress(req.headers);
  const begun = await beginSignInAttempt({ email, address });
  if (begun.locked) {
    const error = tooManyAttempts("failed sign-in attempts", begun.retryAfterSeconds);
    return errorResponse(error, error.headers);
  }
  const sign: CurrentSignIn = { email };
  try {
    return await current.run(sign, signIn);
  } finally {
    const outcome = sign.outcome ?? "unchecked";
    const { lockStarted } = await endSignInAttempt(begun.attempt, outcome);
    if (lockStarted) await auditAccountLocked(email, address);
  }
}

// The email as next-auth will read it (next-auth/next getBody: a form or JSON; the last of
// repeated form fields wins, as Object.fromEntries keeps it).
async function submittedEmail(req: Request): Promise<string> {
  const type = req.headers.get("content-type") ?? "";
  try {
    const body: unknown = type.includes("application/json")
      ? await req.clone().json()
      : type.includes("application/x-www-form-urlencoded")
        ? Object.fromEntries(new URLSearchParams(await req.clone().text()))
        : undefined;
    const email = (body as { email?: unknown } | undefined)?.email;
    return typeof email === "string" ? email : "";
  } catch {
    return "";
  }
}

// Unknown emails lock exactly as known ones do; only a real user's accounts get an entry.
async function auditAccountLocked(email: string, address: string | null): Promise<void> {
  if (!isEmailLike(email)) return; // never a user's email
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, memberships: { select: { accountId: true } } } });
  if (!user) return;
  const rule = THROTTLE_RULES.sign_in_account;
  await db.auditLogEntry.createMany({
    data: user.memberships.map((m) =>
      auditEntry(SYSTEM_CALLER(m.accountId), "user.sign_in_locked", { type: "user", id: user.id }, {
        email: user.email,
        failures: rule.limit,
        window_minutes: rule.windowMs / 60_000,
        address,
      }),
    ),
  });
}
