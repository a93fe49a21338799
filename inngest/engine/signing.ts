// Cloud-mode authentication, exactly as the Inngest SDK checks and produces it.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = /^signkey-\w+-/;

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

export function bearerMatches(authorization: string | undefined, signingKey: string): boolean {
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  if (!token) return false;
  const expected = Buffer.from(hashedSigningKey(signingKey));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
