// Runs before every page: sets the page's Content-Security-Policy with a fresh nonce (Next.js
// reads it from the request and puts the nonce on its own scripts), HSTS behind https, answers
// malformed paths, and sends anonymous visitors of dashboard pages to sign-in. API routes answer
// 401 JSON themselves (lib/api/handler.ts); of them, proxy sees only next-auth's and paths with a
// percent sign, so the publish path pays nothing. Fixed headers come from next.config.ts.
import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { sameOriginPath } from "@/lib/auth/callback-url";
import { config as appConfig } from "@/lib/config";
import { hstsHeader, newNonce, pageCsp } from "@/lib/security/headers";

const development = process.env.NODE_ENV === "development";
const publicUrl = process.env.NEXTAUTH_URL;
const hsts = hstsHeader(publicUrl);
const https = hsts !== null;
// No page lives here: a malformed page path is answered as this one, with the app's 404.
const MALFORMED_PAGE_PATH = "/_malformed-path";

export async function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  const api = pathname.startsWith("/api/");
  // Next.js cannot decode such a path into route parameters and answers a bare 500.
  if (!decodable(pathname)) {
    if (api) return withHsts(malformedApiPath());
    // A page: the app's 404 (app/not-found.tsx), rendered for a path no route has.
    return page(req, (init) => NextResponse.rewrite(new URL(MALFORMED_PAGE_PATH, req.url), init));
  }
  // GET /metrics answers its scraper itself (a bearer token, JSON errors), as the API does.
  if (api || pathname === "/metrics") return withHsts(NextResponse.next());
  // Proxy sees the rewritten path too: it is the 404 page, for anyone.
  const open = pathname === "/login" || pathname === MALFORMED_PAGE_PATH;
  if (open || (await getToken({ req, secret: appConfig().NEXTAUTH_SECRET }))) {
    return page(req, (init) => NextResponse.next(init));
  }
  const login = new URL("/login", req.url);
  const target = sameOriginPath(pathname + req.nextUrl.search, req.nextUrl.origin);
  if (target && target !== "/") login.searchParams.set("callbackUrl", target);
  return withHsts(NextResponse.redirect(login));
}

/** A page answer: the nonce'd CSP on the request (for Next.js) and on the response. */
function page(req: NextRequest, respond: (init: { request: { headers: Headers } }) => NextResponse) {
  const nonce = newNonce();
  const csp = pageCsp(nonce, { development, https });
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", csp);
  headers.set("x-nonce", nonce); // for app/layout.tsx
  const res = respond({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return withHsts(res);
}

function withHsts(res: NextResponse): NextResponse {
  if (hsts) res.headers.set("strict-transport-security", hsts);
  return res;
}

function decodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

function malformedApiPath(): NextResponse {
  return NextResponse.json(
    { error: { code: "malformed_path", message: "The request path has a malformed percent-encoding" } },
    { status: 400, headers: { "cache-control": "no-store" } },
  );
}

export const config = {
  matcher: [
    // Pages: everything but the API and Next.js's static files (a 404 for /favicon.ico is a page).
    "/((?!api/|_next/static/|_next/image).*)",
    // next-auth's routes (sign-in, session): HSTS. Not /api/v1: its answers carry their own.
    "/api/auth/:path*",
    // Any API path with a percent sign, to refuse a malformed one with the API's error shape.
    "/api/:path(.*%.*)",
  ],
};
