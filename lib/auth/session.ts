import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { callerForUser, type Caller } from "./caller";
import { authOptions } from "./options";

/** The signed-in caller for a dashboard page, or a redirect to sign-in. */
export async function requirePageCaller(): Promise<Caller> {
  const session = await getServerSession(authOptions);
  const userId = (session?.user as { id?: string } | undefined)?.id;
  const caller = userId ? await callerForUser(userId) : null;
  if (!caller) redirect("/login");
  return caller;
}
