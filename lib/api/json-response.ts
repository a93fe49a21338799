// The API's JSON responses. Next compresses every response whose client accepts gzip, and it
// cannot see the size of a streamed body, so even a 300-byte answer pays for setting up a
// deflate stream, a real share of the CPU a whole publish takes. The compression
// middleware's own threshold is 1 KB; below it (counted in characters, near enough),
// `no-transform` tells it to stand aside.
import { hstsHeader } from "../security/headers";

const COMPRESSION_THRESHOLD = 1024;
// proxy.ts does not run on /api/v1 (it would cost the publish path), so its answers carry HSTS
// themselves; the other security headers come from next.config.ts.
const hsts = hstsHeader(process.env.NEXTAUTH_URL);

export function jsonResponse(body: unknown, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control")) {
    headers.set("cache-control", text.length < COMPRESSION_THRESHOLD ? "no-store, no-transform" : "no-store");
  }
  if (hsts) headers.set("strict-transport-security", hsts);
  return new Response(text, { status: init.status ?? 200, headers });
}

/**
 * What every API answer carries, for those a handler built itself: `no-store`, since each is
 * private to its caller and some hold a secret or a new API key (no browser or proxy cache may
 * keep them), and HSTS behind https.
 */
export function withApiHeaders(res: Response): Response {
  if (!res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
  if (hsts) res.headers.set("strict-transport-security", hsts);
  return res;
}
