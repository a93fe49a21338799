// Where to go after signing in, from a `callbackUrl` someone else may have written. Browsers
// forgive a lot in URLs (`/\evil.example`, `/<TAB>/evil.example` and `/.//evil.example` all
// lead off-site), so the value is parsed as the browser will and judged by its origin, never by
// how its text starts. Pure: the sign-in form, proxy.ts and next-auth's redirect callback use it.

/**
 * The same-origin path (pathname + search + hash) `value` leads to from `origin`, or null when
 * it leads elsewhere, cannot be parsed, or would read as another host once used as a link.
 */
export function sameOriginPath(value: string | null | undefined, origin: string): string | null {
  if (!value) return null;
  let url: URL;
  let base: URL;
  try {
    base = new URL(origin);
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin) return null;
  const path = url.pathname + url.search + url.hash;
  // Dot segments can leave a pathname that starts with `//` (`/.//evil.example`): as a link it
  // would be another host.
  if (!path.startsWith("/") || path.startsWith("//")) return null;
  return path;
}

/** The path to follow after sign-in: `value` when it stays on `origin`, else the dashboard. */
export function safeCallbackPath(value: string | null | undefined, origin: string): string {
  return sameOriginPath(value, origin) ?? "/";
}
