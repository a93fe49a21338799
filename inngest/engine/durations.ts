// Inngest duration strings ("2s", "1h30m", "1w2d", "500ms") as the SDK's timeStr writes them.
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** Milliseconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}

/** Like parseDuration, but a bare number is milliseconds and anything else throws. */
export function requireDuration(value: string | number): number {
  if (typeof value === "number") return value;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : parseDuration(value);
  if (ms === undefined) throw new Error(`invalid duration "${value}"`);
  return ms;
}

/**
 * When a Sleep op wakes up. The SDK puts the duration (or, for sleepUntil, an ISO date) in
 * `name`; `opts.duration` wins when present. Sub-second sleeps round up to 1s, as the server does.
 */
export function sleepUntil(name: string | undefined, optsDuration: unknown, now: number): number {
  const spec = typeof optsDuration === "string" || typeof optsDuration === "number" ? optsDuration : name;
  if (spec === undefined) throw new Error("Sleep op without a duration");
  if (typeof spec === "number") return now + Math.max(spec, 1_000);
  const ms = parseDuration(spec);
  if (ms !== undefined) return now + Math.ceil(ms / 1_000) * 1_000;
  const at = Date.parse(spec);
  if (Number.isNaN(at)) throw new Error(`Sleep op with an unreadable duration "${spec}"`);
  return at;
}

/** A `retry-after` header: whole seconds or an HTTP/ISO date. */
export function retryAfterAt(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return now + Number(header) * 1_000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : at;
}
