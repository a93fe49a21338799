import { randomFillSync } from "node:crypto";

// Svix-style ids: a type prefix and 22 base62 characters (~131 bits) of randomness.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Random bytes come from a pool refilled 4 KB at a time, as Node's randomUUID does: a publish
// makes 17 ids, and a call costs far more than its few bytes (under Next, which wraps the
// call, 4 % of a publish's CPU went to it). Ids only: secrets and keys draw their own bytes.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomByte(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const byte = randomByte();
    // Rejection sampling keeps the distribution uniform (248 = 4 * 62).
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

export type IdPrefix = "acc" | "usr" | "key" | "we" | "evt" | "dlv" | "att" | "aud" | "ses" | "req" | "ntc";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(22)}`;
}
