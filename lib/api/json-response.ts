// The API's JSON responses. Next compresses every response whose client accepts gzip, and it
// cannot see the size of a streamed body, so even a 300-byte answer pays for setting up a
// deflate stream (~0.5 ms of CPU, about a tenth of a whole publish). The compression
// middleware's own threshold is 1 KB; below it (counted in characters, near enough),
// `no-transform` tells it to stand aside.
const COMPRESSION_THRESHOLD = 1024;

export function jsonResponse(body: unknown, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control") && text.length < COMPRESSION_THRESHOLD) {
    headers.set("cache-control", "no-transform");
  }
  return new Response(text, { status: init.status ?? 200, headers });
}
