import { randomBytes } from "node:crypto";

// Svix-style ids: a type prefix and 22 base62 characters (~131 bits) of randomness.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    // Rejection sampling keeps the distribution uniform (248 = 4 * 62).
    if (bytes[i] < 248) out += ALPHABET[bytes[i] % 62];
  }
  return out.length === length ? out : out + randomBase62(length - out.length);
}

export type IdPrefix = "acc" | "usr" | "key" | "we" | "evt" | "dlv" | "att" | "aud";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(22)}`;
}
