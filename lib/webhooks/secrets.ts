// Signing secrets: generation, encryption at rest, and which secret signs which header.
//
// Rolling a signing secret (see README "Rolling a signing secret"): the documented receivers
// compare the WHOLE X-DB24x7-Signature header with one expected value, so that header can only
// ever carry one signature. During a roll's grace period it stays signed with the PREVIOUS
// secret — receivers that have not switched keep working unchanged — and every delivery also
// carries X-DB24x7-Signature-Next, signed with the NEW secret. A receiver switches without a
// single failure by verifying the new secret against X-DB24x7-Signature-Next when present
// (else X-DB24x7-Signature), or by accepting either secret. When the grace period ends,
// X-DB24x7-Signature is signed with the new secret and the -Next header goes away. A grace
// period of 0 switches at once (for a leaked secret).
import { randomBytes } from "node:crypto";
import type { WebhookEndpoint } from "@prisma/client";
import { decrypt, encrypt } from "../crypto";

export const SECRET_PREFIX = "whsec_";

/** `whsec_` + base64 of 32 random bytes. The HMAC key is this whole string's UTF-8 bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

// Bound to the endpoint, so a ciphertext copied onto another endpoint's row will not decrypt.
const contextFor = (endpointId: string) => `webhook_endpoint:${endpointId}:signing_secret`;

export function encryptSigningSecret(endpointId: string, secret: string): string {
  return encrypt(secret, { context: contextFor(endpointId) });
}

export function decryptSigningSecret(endpointId: string, ciphertext: string): string {
  return decrypt(ciphertext, { context: contextFor(endpointId) });
}

export interface SigningSecrets {
  /** The newest secret: it signs X-DB24x7-Signature-Next during a grace period, else X-DB24x7-Signature. */
  current: string;
  /** The rolled-out secret while its grace period lasts (X-DB24x7-Signature stays on it); else null. */
  previous: string | null;
}

type EndpointSecrets = Pick<
  WebhookEndpoint,
  "id" | "secretEncrypted" | "previousSecretEncrypted" | "previousSecretExpiresAt"
>;

/** The secrets to sign a delivery to this endpoint with, at `now`. */
export function signingSecretsFor(endpoint: EndpointSecrets, now: Date = new Date()): SigningSecrets {
  const current = decryptSigningSecret(endpoint.id, endpoint.secretEncrypted);
  const inGrace =
    endpoint.previousSecretEncrypted !== null &&
    endpoint.previousSecretExpiresAt !== null &&
    endpoint.previousSecretExpiresAt > now;
  if (!inGrace) return { current, previous: null };
  return { current, previous: decryptSigningSecret(endpoint.id, endpoint.previousSecretEncrypted!) };
}
