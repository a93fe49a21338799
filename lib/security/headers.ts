// The security headers the app sends (no Next.js or Node imports: next.config.ts and proxy.ts
// both read this module). Pages get a per-request nonce-based policy from proxy.ts; everything
// else gets the fixed headers below from next.config.ts's headers(), which Next.js bakes into
// the build, so only what cannot change after `next build` goes there.

/** On every answer: pages, API, static files. */
export const STATIC_SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

/** For answers that are not pages (JSON, static files): nothing in them may load or run. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * sonner (the toasts) inserts its stylesheet as a <style> element when its module loads, with
 * no way to pass a nonce; its hash lets exactly that text in. headers.test.ts recomputes it from
 * the installed sonner, so an upgrade that changes the CSS fails there rather than in browsers.
 */
export const SONNER_STYLE_HASH = "'sha256-StEaX+se6YS7pqjzrzMIA0KaX9zF/8zAhvQXZAe5epY='";

/**
 * sonner appends its <style> to the page empty and adds the text after; Chromium checks the
 * element at each step, so the empty one needs its hash too (measured in the e2e suite). An
 * empty style block styles nothing, and once it has text it must match a hash or the nonce.
 */
export const EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

/** The Content-Security-Policy of a page rendered with `nonce`. */
export function pageCsp(nonce: string, options: { development: boolean; https: boolean }): string {
  const directives = [
    "default-src 'self'",
    // 'strict-dynamic': the scripts Next.js loads from its nonce'd scripts are trusted, no other.
    // React's development build needs eval (error overlays, server stacks); production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    // Development injects styles for hot reload without a nonce; production styles are the built
    // stylesheet ('self'), elements carrying the nonce, and sonner's fixed stylesheet.
    options.development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}' ${SONNER_STYLE_HASH} ${EMPTY_STYLE_HASH}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // Only behind https: on a plain-http installation it would send every subresource to a port
  // that does not answer.
  if (options.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** Strict-Transport-Security, when the public URL is https; null otherwise. */
export function hstsHeader(publicUrl: string | undefined): string | null {
  return publicUrl?.startsWith("https://") ? "max-age=31536000; includeSubDomains" : null;
}

/** A fresh, unguessable nonce (128 bits, base64). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
