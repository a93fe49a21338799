// Calls a route handler exactly as Next does: a NextRequest in, a Response out.
import { NextRequest } from "next/server";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export const ORIGIN = "http://127.0.0.1:3000";

export async function call(
  handler: Handler,
  options: {
    method?: string;
    path?: string;
    params?: Record<string, string>;
    headers?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
  } = {},
) {
  const headers = new Headers(options.headers);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers.set("content-type", "application/json");
  }
  headers.set("host", new URL(ORIGIN).host);
  const req = new NextRequest(new URL(options.path ?? "/api/v1/test", ORIGIN), {
    method: options.method ?? "GET",
    headers,
    body,
  });
  const res = await handler(req, { params: Promise.resolve(options.params ?? {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
