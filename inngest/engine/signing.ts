// Cloud-mode authentication, exactly as the Inngest SDK checks and produces it.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = /^signkey-\w+-/;
/** How far a signature's timestamp may be from now, as the SDK allows. */
const MAX_SKEW_S = 5 * 60;

/** `X-Inngest-Signature` for a request body (already JCS-serialized; "" for GET). */
export function signatureHeader(body: string, signingKey: string, nowMs = Date.now()): string {
  const t = String(Math.floor(nowMs / 1_000));
  const s = createHmac("sha256", signingKey.replace(PREFIX, "")).update(body).update(t).digest("hex");
  return `t=${t}&s=${s}`;
}

/** The bearer token the SDK sends to the API: prefix + sha256 of the hex-decoded key. */
export function hashedSigningKey(signingKey: string): string {
  const prefix = PREFIX.exec(signingKey)?.[0] ?? "";
  const hex = signingKey.replace(PREFIX, "");
  return `${prefix}${createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex")}`;
}

/**
 * Whether a response's `X-Inngest-Signature` is the app's: HMAC of the raw body and its
 * timestamp, made within five minutes (the SDK signs every response in cloud mode).
 */
export function responseSignatureValid(header: string | undefined, body: string, signingKey: string, nowMs = Date.now()): boolean {
  const params = new URLSearchParams(header ?? "");
  const t = params.get("t") ?? "";
  const s = params.get("s") ?? "";
  if (!/^\d+$/.test(t) || !/^[0-9a-f]{64}$/.test(s) || Math.abs(nowMs / 1_000 - Number(t)) > MAX_SKEW_S) return false;
  const expected = createHmac("sha256", signingKey.replace(PREFIX, "")).update(body).update(t).digest();
  return timingSafeEqual(Buffer.from(s, "hex"), expected);
}

/** Constant-time comparison of a presented secret (e.g. the event key in /e/{key}). */
export function secretMatches(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerMatches(authorization: string | undefined, signingKey: string): boolean {
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  if (!token) return false;
  const expected = Buffer.from(hashedSigningKey(signingKey));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
