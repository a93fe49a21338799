// Event ids derived from the SDK's `x-inngest-event-id-seed` ("<ms>,<base64 10 bytes>"), so a
// retried send yields the same ULIDs and is dropped as a repeat, as the real server does.
import { encodeTime, ulid } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function eventId(seed: string | undefined, index: number): string {
  const match = seed ? /^(\d+),([A-Za-z0-9+/=]+)$/.exec(seed) : null;
  const entropy = match ? Buffer.from(match[2]!, "base64") : undefined;
  if (!match || entropy?.length !== 10) return ulid();
  // 80 bits of entropy, plus the event's index in the batch.
  let n = BigInt(`0x${entropy.toString("hex")}`) + BigInt(index);
  n &= (1n << 80n) - 1n;
  let random = "";
  for (let i = 0; i < 16; i++) {
    random = CROCKFORD[Number(n & 31n)] + random;
    n >>= 5n;
  }
  return encodeTime(Number(match[1]), 10) + random;
}
