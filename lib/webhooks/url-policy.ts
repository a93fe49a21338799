// Which URLs a webhook endpoint may target. Checked when an endpoint is saved
// (`checkEndpointUrl`) and again for every address a delivery connects to
// (`checkResolvedAddress`, `createGuardedLookup`), so a hostname re-pointed at an internal
// address after it was saved (DNS rebinding) is still refused.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { setting } from "../config";
import { MAX_URL_LENGTH } from "./limits";

export type AddressKind =
  | "loopback"
  | "private"
  | "link_local"
  | "multicast"
  | "unspecified"
  | "cgnat"
  | "cloud_metadata"
  | "broadcast"
  | "reserved";

const KIND_LABEL: Record<AddressKind, string> = {
  loopback: "a loopback address",
  private: "a private address",
  link_local: "a link-local address",
  multicast: "a multicast address",
  unspecified: "an unspecified address",
  cgnat: "a carrier-grade NAT (shared) address",
  cloud_metadata: "a cloud metadata address",
  broadcast: "a broadcast address",
  reserved: "a reserved address",
};

export type UrlRule =
  | "too_long"
  | "invalid_url"
  | "unsupported_scheme"
  | "credentials_in_url"
  | "https_required"
  | "unresolvable_host"
  | `${AddressKind}_address`;

export type UrlCheck = { ok: true } | { ok: false; rule: UrlRule; message: string };

export type AddressVerdict =
  | { allowed: true }
  | { allowed: false; kind: AddressKind; address: string; message: string };

// ── configuration ────────────────────────────────────────────────────────────

/**
 * Whether endpoints may target private/loopback/… addresses: WEBHOOK_ALLOW_PRIVATE_TARGETS=1|0
 * decides when set; otherwise allowed everywhere but production, so a receiver on 127.0.0.1
 * works in development. Read on each call (cheap), so tests can flip it.
 */
export function privateTargetsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return setting("WEBHOOK_ALLOW_PRIVATE_TARGETS", env) ?? env.NODE_ENV !== "production";
}

// ── addresses ────────────────────────────────────────────────────────────────

type Range4 = [base: string, prefix: number, kind: AddressKind];

// Most specific first: the first match names the kind.
const IPV4_RANGES: Range4[] = [
  ["169.254.169.254", 32, "cloud_metadata"], // AWS, GCP, Azure, OCI, DigitalOcean
  ["100.100.100.200", 32, "cloud_metadata"], // Alibaba Cloud
  ["168.63.129.16", 32, "cloud_metadata"], // Azure wire server
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["172.16.0.0", 12, "private"],
  ["192.168.0.0", 16, "private"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link_local"],
  ["100.64.0.0", 10, "cgnat"],
  ["192.0.0.0", 24, "reserved"], // IETF protocol assignments
  ["192.0.2.0", 24, "reserved"], // documentation (TEST-NET-1)
  ["198.51.100.0", 24, "reserved"], // TEST-NET-2
  ["203.0.113.0", 24, "reserved"], // TEST-NET-3
  ["198.18.0.0", 15, "reserved"], // benchmarking
  ["192.88.99.0", 24, "reserved"], // 6to4 relay anycast
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

type Range6 = [base: string, prefix: number, kind: AddressKind | "embedded_ipv4"];

const IPV6_RANGES: Range6[] = [
  ["fd00:ec2::254", 128, "cloud_metadata"], // AWS over IPv6
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["::ffff:0:0", 96, "embedded_ipv4"], // IPv4-mapped
  ["::ffff:0:0:0", 96, "embedded_ipv4"], // IPv4-translated
  ["64:ff9b::", 96, "embedded_ipv4"], // NAT64 well-known prefix
  ["::", 96, "embedded_ipv4"], // IPv4-compatible (deprecated)
  ["64:ff9b:1::", 48, "reserved"], // local-use NAT64
  ["100::", 64, "reserved"], // discard-only
  ["2001::", 32, "reserved"], // Teredo (its embedded IPv4 is obfuscated)
  ["2001:db8::", 32, "reserved"], // documentation
  ["fc00::", 7, "private"], // unique local
  ["fe80::", 10, "link_local"],
  ["fec0::", 10, "private"], // site-local (deprecated)
  ["ff00::", 8, "multicast"],
];

function ipv4ToInt(address: string): number {
  return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}

/** An IPv6 address (zone id and brackets stripped, dotted tail allowed) as a 128-bit bigint. */
function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4ToInt(dotted[1]);
    text = `${text.slice(0, dotted.index)}${((v4 >>> 16) & 0xffff).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail === undefined ? headParts : [...headParts, ...Array(missing).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part || "0", 16)), 0n);
}

const v4Ranges = IPV4_RANGES.map(([base, prefix, kind]) => {
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { network: (ipv4ToInt(base) & mask) >>> 0, mask, kind };
});

const ALL_ONES_128 = (1n << 128n) - 1n;
const v6Ranges = IPV6_RANGES.map(([base, prefix, kind]) => {
  const mask = (ALL_ONES_128 << BigInt(128 - prefix)) & ALL_ONES_128;
  return { network: ipv6ToBigInt(base) & mask, mask, kind };
});

function classifyIpv4(address: string): AddressKind | null {
  const value = ipv4ToInt(address);
  for (const range of v4Ranges) if (((value & range.mask) >>> 0) === range.network) return range.kind;
  return null;
}

/** The kind of a non-public address (following IPv4 embedded in IPv6), or null when public. */
export function classifyAddress(input: string): { kind: AddressKind; via?: string } | null {
  const address = input.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(address);
  if (family === 4) {
    const kind = classifyIpv4(address);
    return kind ? { kind } : null;
  }
  if (family !== 6) throw new TypeError(`Not an IP address: ${input}`);
  const value = ipv6ToBigInt(address);
  for (const range of v6Ranges) {
    if ((value & range.mask) !== range.network) continue;
    if (range.kind !== "embedded_ipv4") return { kind: range.kind };
    const v4 = intToIpv4(Number(value & 0xffffffffn));
    const kind = classifyIpv4(v4);
    return kind ? { kind, via: v4 } : null;
  }
  // 6to4 (2002::/16) carries an IPv4 address in bits 16–47.
  if (value >> 112n === 0x2002n) {
    const v4 = intToIpv4(Number((value >> 80n) & 0xffffffffn));
    const kind = classifyIpv4(v4);
    return kind ? { kind, via: v4 } : null;
  }
  return null;
}

/**
 * The check for an address a hostname resolved to — at save time and at connect time.
 * Cloud metadata addresses are refused even when private targets are allowed: no webhook
 * has a reason to reach them, and they hand out credentials.
 */
export function checkResolvedAddress(
  address: string,
  options: { allowPrivateTargets?: boolean } = {},
): AddressVerdict {
  const allowPrivate = options.allowPrivateTargets ?? privateTargetsAllowed();
  const found = classifyAddress(address);
  if (!found || (allowPrivate && found.kind !== "cloud_metadata")) return { allowed: true };
  const shown = found.via ? `${address} → ${found.via}` : address;
  return {
    allowed: false,
    kind: found.kind,
    address,
    message: `${KIND_LABEL[found.kind]} (${shown})`,
  };
}

// ── URLs ─────────────────────────────────────────────────────────────────────

export type Resolver = (hostname: string) => Promise<readonly Pick<LookupAddress, "address">[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true } satisfies LookupAllOptions, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

export interface UrlPolicyOptions {
  environment: "production" | "staging" | "development";
  allowPrivateTargets?: boolean;
  /** How hostnames resolve; the system resolver unless a test passes its own. */
  resolve?: Resolver;
}

const fail = (rule: UrlRule, message: string): UrlCheck => ({ ok: false, rule, message });
const PUBLIC_ONLY = "webhooks may only target public addresses";

/** The rules that need no network: shape, scheme, credentials, length, HTTPS in production. */
export function checkUrlShape(raw: string, environment: UrlPolicyOptions["environment"]): UrlCheck & { url?: URL } {
  if (raw.length > MAX_URL_LENGTH) return fail("too_long", `URL must be at most ${MAX_URL_LENGTH.toLocaleString("en-US")} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail("invalid_url", "URL must be an absolute URL starting with https:// (or http:// outside production)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return fail("unsupported_scheme", `URL must use https or http, not ${url.protocol.replace(/:$/, "")}`);
  }
  if (!url.hostname) return fail("invalid_url", "URL must name a host");
  if (url.username || url.password) {
    return fail("credentials_in_url", "URL must not contain a username or password; receivers verify the signature instead");
  }
  if (environment === "production" && url.protocol !== "https:") {
    return fail("https_required", "Production endpoints must use HTTPS");
  }
  return { ok: true, url };
}

/** Every rule for an endpoint URL, resolving its hostname unless private targets are allowed. */
export async function checkEndpointUrl(raw: string, options: UrlPolicyOptions): Promise<UrlCheck> {
  const shape = checkUrlShape(raw, options.environment);
  if (!shape.ok) return shape;
  const allowPrivateTargets = options.allowPrivateTargets ?? privateTargetsAllowed();
  const host = shape.url!.hostname.replace(/^\[|\]$/g, "");

  const refuse = (verdict: Extract<AddressVerdict, { allowed: false }>, verb: string) =>
    fail(`${verdict.kind}_address`, `URL ${verb} ${verdict.message}; ${PUBLIC_ONLY}`);

  if (isIP(host)) {
    const verdict = checkResolvedAddress(host, { allowPrivateTargets });
    return verdict.allowed ? { ok: true } : refuse(verdict, "points to");
  }
  if (allowPrivateTargets) return { ok: true }; // resolution can only find more allowed targets
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) {
    return fail("loopback_address", `URL points to a loopback address (${name}); ${PUBLIC_ONLY}`);
  }
  let addresses: readonly Pick<LookupAddress, "address">[];
  try {
    addresses = await (options.resolve ?? systemResolver)(name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "lookup failed";
    return fail("unresolvable_host", `URL host ${name} could not be resolved (${code})`);
  }
  if (addresses.length === 0) return fail("unresolvable_host", `URL host ${name} has no addresses`);
  for (const { address } of addresses) {
    const verdict = checkResolvedAddress(address, { allowPrivateTargets });
    if (!verdict.allowed) return refuse(verdict, "resolves to");
  }
  return { ok: true };
}

// ── connect time ─────────────────────────────────────────────────────────────

/**
 * A `lookup` for http(s).request / net.connect (or undici's `connect.lookup`) that refuses to
 * connect when any address the host resolves to is not allowed: the DNS-rebinding guard.
 * Fails with an error whose code is `EBLOCKEDADDRESS`.
 */
export function createGuardedLookup(options: { allowPrivateTargets?: boolean } = {}): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      for (const { address } of addresses) {
        const verdict = checkResolvedAddress(address, options);
        if (!verdict.allowed) {
          const blocked = Object.assign(new Error(`${hostname} resolves to ${verdict.message}; ${PUBLIC_ONLY}`), {
            code: "EBLOCKEDADDRESS",
          });
          return callback(blocked, "", 0);
        }
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
