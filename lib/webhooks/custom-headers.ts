// Custom headers per endpoint: static request headers a receiver's gateway may want (e.g. an
// Authorization). Their values can be credentials, so they are stored encrypted like signing
// secrets and shown masked; they can never stand in for the headers that carry our contract.
import { decrypt, encrypt } from "../crypto";

export const MAX_CUSTOM_HEADERS = 10;
export const MAX_HEADER_NAME_LENGTH = 100;
export const MAX_HEADER_VALUE_LENGTH = 1000;

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Visible ASCII, spaces and tabs, not leading or trailing whitespace: no line breaks, no NUL.
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

const RESERVED_PREFIXES = ["x-db24x7-", "webhook-", "content-", "proxy-"];
// Hop-by-hop headers, the ones the HTTP client owns, and those whose meaning we set.
const RESERVED_NAMES = new Set([
  "host",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
  "user-agent",
]);

/** Why a header name cannot be used, or null when it can. */
export function headerNameProblem(name: string): string | null {
  if (!HEADER_NAME.test(name)) return `"${name}" is not a valid header name (letters, digits and !#$%&'*+.^_\`|~- only)`;
  if (name.length > MAX_HEADER_NAME_LENGTH) return `header names are at most ${MAX_HEADER_NAME_LENGTH} characters`;
  const lower = name.toLowerCase();
  if (RESERVED_NAMES.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
    return `"${name}" is set by DB24x7 or the HTTP connection and cannot be overridden`;
  }
  return null;
}

/** Why a header value cannot be used, or null when it can. */
export function headerValueProblem(value: string): string | null {
  if (value.length > MAX_HEADER_VALUE_LENGTH) return `header values are at most ${MAX_HEADER_VALUE_LENGTH} characters`;
  if (!HEADER_VALUE.test(value)) return "header values are printable ASCII on one line, without leading or trailing spaces";
  return null;
}

// Bound to the endpoint, as its secret is.
const contextFor = (endpointId: string) => `webhook_endpoint:${endpointId}:custom_headers`;

export function encryptCustomHeaders(endpointId: string, headers: Record<string, string>): string | null {
  return Object.keys(headers).length === 0 ? null : encrypt(JSON.stringify(headers), { context: contextFor(endpointId) });
}

export function decryptCustomHeaders(endpointId: string, ciphertext: string | null): Record<string, string> {
  return ciphertext === null ? {} : (JSON.parse(decrypt(ciphertext, { context: contextFor(endpointId) })) as Record<string, string>);
}

/** A value as shown: its last 4 characters when long enough to keep the rest unguessable. */
export function maskHeaderValue(value: string): string {
  return value.length >= 16 ? `••••••${value.slice(-4)}` : "••••••";
}

/**
 * Applies a merge patch (RFC 7396: a string sets, null removes, an absent name is kept) to the
 * stored headers; names match case-insensitively and keep the spelling last given.
 */
export function mergeCustomHeaders(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const merged = new Map(Object.entries(current).map(([name, value]) => [name.toLowerCase(), [name, value] as const]));
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) merged.delete(name.toLowerCase());
    else merged.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries([...merged.values()]);
}
