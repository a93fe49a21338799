// /api/auth/* — next-auth's sign-in, sign-out, session and CSRF endpoints; sign-in is throttled
import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/options";
import { throttledSignIn } from "@/lib/auth/sign-in-throttle";

type Context = { params: Promise<{ nextauth: string[] }> };

const handler: (req: NextRequest, context: Context) => Promise<Response> = NextAuth(authOptions);

export async function POST(req: NextRequest, context: Context): Promise<Response> {
  const { nextauth } = await context.params;
  if (nextauth.join("/") !== "callback/credentials") return handler(req, context);
  return throttledSignIn(req, () => handler(req, context));
}

export { handler as GET };
