// Every dashboard page needs a session: anonymous visits go to sign-in, and come back after.
// API routes answer 401 JSON themselves (lib/api/handler.ts); this only guards pages.
import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { config as appConfig } from "@/lib/config";

export async function proxy(req: NextRequest) {
  const token = await getToken({ req, secret: appConfig().NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
  const login = new URL("/login", req.url);
  const target = req.nextUrl.pathname + req.nextUrl.search;
  if (target !== "/") login.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!api/|login|_next/|favicon\\.ico|.*\\.(?:svg|png|ico|txt|webmanifest)$).*)"],
};
