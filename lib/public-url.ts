// The dashboard's public URL: NEXTAUTH_URL, which scripts/run.ts sets to http://HOST:PORT when it
// is not given. What a request says about itself (Host, X-Forwarded-*) is never used instead.
import { setting } from "./config";

let cached: URL | undefined;

export function publicUrl(): URL {
  cached ??= new URL(process.env.NEXTAUTH_URL || `http://${process.env.HOST || "127.0.0.1"}:${setting("PORT")}`);
  return cached;
}

/** `https://webhooks.example.com` — compared as is with a request's Origin header. */
export function publicOrigin(): string {
  return publicUrl().origin;
}

/** Whether a host name (as HOST gives it, or a URL's hostname, IPv6 bracketed) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Why `url` is unsafe as the public URL of an exposed installation, or null: over plain http
 * to anything but this machine, passwords and the session cookie cross the network readable,
 * and the cookie cannot be `Secure`.
 */
export function plainHttpWarning(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // not ours to judge here: next-auth refuses it
  }
  if (parsed.protocol !== "http:" || isLoopbackHost(parsed.hostname)) return null;
  return (
    `NEXTAUTH_URL is ${parsed.origin}: plain http to another host sends passwords and the session ` +
    "cookie unencrypted, and the cookie cannot be Secure. Serve it over https (e.g. behind a TLS proxy) " +
    "and set NEXTAUTH_URL=https://…"
  );
}
