import "server-only";
import { getToken } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { NextRequest } from "next/server";
import { config } from "../config";
import { callerForSession, type Caller } from "./caller";
import { sessionIdOf } from "./sessions";

/** The signed-in caller for a dashboard page, or a redirect to sign-in. */
export async function requirePageCaller(): Promise<Caller> {
  // The cookie is decoded here rather than through getServerSession, whose jwt callback would
  // look the session up once more: callerForSession checks it and finds the caller in one statement.
  // getToken reads only these two members of a request.
  const req = { cookies: await cookies(), headers: await headers() } as unknown as NextRequest;
  const token = await getToken({ req, secret: config().NEXTAUTH_SECRET });
  const sessionId = sessionIdOf(token);
  const caller = sessionId ? await callerForSession(sessionId) : null;
  if (!caller) redirect("/login");
  return caller;
}
