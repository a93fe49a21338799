// /api/inngest — Inngest executors sync and call our durable functions here when Next.js serves
// them: `npm run dev` (dev mode, on 127.0.0.1 only), or Inngest Cloud / self-hosted Inngest
// (signed). Under `npm start` with the embedded engine the delivery worker serves them, and
// this route does not exist (404). In production it never serves unsigned (dev-mode) calls.
import type { NextRequest } from "next/server";
import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import { UNPARSABLE, withoutServerDetails } from "@/inngest/guard";

type Handlers = ReturnType<typeof serve>;
type Method = "GET" | "POST" | "PUT";

let handlers: Handlers | undefined;

function servedHere(env: NodeJS.ProcessEnv): boolean {
  if (env.NODE_ENV !== "production") return true;
  return env.DB24X7_WORKER_SERVES_FUNCTIONS !== "1" && Boolean(env.INNGEST_SIGNING_KEY) && !env.INNGEST_DEV;
}

// Built on first use: the URL the app registers comes from configuration (INNGEST_SERVE_ORIGIN,
// else the dashboard's public URL), never from a request's Host header.
function handlersFor(env: NodeJS.ProcessEnv): Handlers {
  handlers ??= serve({
    client: inngest,
    functions,
    servePath: "/api/inngest",
    serveOrigin: env.INNGEST_SERVE_ORIGIN || (env.NEXTAUTH_URL ? new URL(env.NEXTAUTH_URL).origin : undefined),
  });
  return handlers;
}

function json(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

function guarded(method: Method) {
  return async (req: NextRequest, context: unknown): Promise<Response> => {
    if (!servedHere(process.env)) return json(404, "not_found", "Not found");
    let res: Response;
    try {
      res = await handlersFor(process.env)[method](req, context);
    } catch (error) {
      // The SDK's parse error of a body that is not JSON (inngest/guard.ts).
      if (!(error instanceof SyntaxError)) throw error;
      return new Response(UNPARSABLE, { status: 400, headers: { "content-type": "application/json" } });
    }
    const text = await res.text();
    const scrubbed = withoutServerDetails(text, res.headers.get("x-inngest-signature") ?? undefined, process.env.INNGEST_SIGNING_KEY);
    const headers = new Headers(res.headers);
    if (scrubbed?.signature) headers.set("x-inngest-signature", scrubbed.signature);
    headers.delete("content-length");
    return new Response(scrubbed?.body ?? text, { status: res.status, headers });
  };
}

export const GET = guarded("GET");
export const POST = guarded("POST");
export const PUT = guarded("PUT");
