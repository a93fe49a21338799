// Formatting shared by the delivery screens.

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1_000],
];

/**
 * "3 minutes ago", "in 25 seconds". With `past`, a time a little ahead of this browser's clock
 * (server and browser clocks differ) reads "just now" rather than "in a moment".
 */
export function formatRelative(iso: string, now: number, { past = false } = {}): string {
  const diff = past ? Math.min(0, new Date(iso).getTime() - now) : new Date(iso).getTime() - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === "second") {
      const value = Math.round(diff / ms);
      return unit === "second" && Math.abs(value) < 5 ? (diff >= 0 ? "in a moment" : "just now") : relative.format(value, unit);
    }
  }
  return "";
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Pretty JSON when the text is JSON, the text as it came otherwise. */
export function prettyBody(text: string): string {
  if (!text.trim()) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
