// Request signing: the documented X-DB24x7-Signature and the opt-in Standard Webhooks one.
// Always sign the exact bytes that are sent.
import { createHmac } from "node:crypto";

/** `sha256=<hex HMAC-SHA256 of the raw body>`, key = the secret's full text (UTF-8), as documented. */
export function db24x7Signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/**
 * Standard Webhooks (standardwebhooks.com): `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * key = the base64-decoded part of `whsec_…`.
 */
export function standardWebhooksSignature(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${messageId}.${timestamp}.${body}`, "utf8").digest("base64")}`;
}
