// The client address that sign-in and API-key throttling count failures against.
import { isIPv4, isIPv6 } from "node:net";
import { PEER_ADDRESS_HEADER } from "./peer-address";

/**
 * With `trustProxy` (TRUST_PROXY=1: a reverse proxy of ours appends the address it received
 * from), the rightmost X-Forwarded-For hop, the first one nobody but our proxy wrote; otherwise
 * the TCP peer (instrumentation.ts puts it in a header). X-Forwarded-For is never read without
 * TRUST_PROXY: any client can send it. IPv6 addresses count by their /64, which one subscriber
 * usually holds whole. Null when neither is known (a handler called outside the server).
 */
export function clientAddress(
  headers: Headers,
  { trustProxy = process.env.TRUST_PROXY === "1" }: { trustProxy?: boolean } = {},
): string | null {
  if (trustProxy) {
    const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
    const hop = hops.length > 0 ? normaliseAddress(hops[hops.length - 1]!) : null;
    if (hop) return hop;
  }
  const peer = headers.get(PEER_ADDRESS_HEADER);
  return peer ? normaliseAddress(peer.trim()) : null;
}

/** An IP address as a throttling key: IPv4 dotted, IPv4-mapped IPv6 as IPv4, IPv6 as its /64. */
export function normaliseAddress(address: string): string | null {
  const unzoned = address.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unzoned);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(unzoned)) return unzoned;
  if (!isIPv6(unzoned)) return null;
  const [head = "", tail] = unzoned.toLowerCase().split("::");
  const groups = (part: string) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}
