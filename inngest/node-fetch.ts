// The Inngest client's fetch: node:http with kept-alive connections. Under Next.js the global
// fetch is Next's patched fetch over undici, and in the publish path's profile its synchronous
// part alone cost 4.5 % of the server's CPU for one small POST per event. What this does not
// handle (a Request object, a streamed or form body, another scheme) goes to the global fetch.
import http from "node:http";
import https from "node:https";

const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

const MAX_REDIRECTS = 5;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

type Body = string | Uint8Array | undefined;

export const nodeFetch: typeof fetch = async (input, init = {}) => {
  const body = plainBody(init.body);
  const url = input instanceof Request ? undefined : new URL(String(input));
  if (!url || !(url.protocol in agents) || body === null) return globalThis.fetch(input, init);

  let target = url;
  let method = (init.method ?? "GET").toUpperCase();
  let payload = body;
  const headers = Object.fromEntries(new Headers(init.headers));
  for (let redirects = 0; ; redirects++) {
    const answer = await send(target, method, headers, payload, init.signal ?? undefined);
    const location = answer.headers.location;
    if (!location || ![301, 302, 303, 307, 308].includes(answer.status) || init.redirect === "manual") {
      return toResponse(answer);
    }
    if (init.redirect === "error" || redirects >= MAX_REDIRECTS) {
      throw new TypeError(`fetch failed: ${init.redirect === "error" ? "redirected" : "too many redirects"}`);
    }
    // As fetch does: a 303, or a 301/302 answering a POST, is followed with a GET and no body.
    if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === "POST")) {
      method = "GET";
      payload = undefined;
      delete headers["content-type"];
    }
    target = new URL(String(location), target);
  }
};

/** A body we send as it is; null for kinds left to the global fetch. */
function plainBody(body: RequestInit["body"]): Body | null {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) return body.toString();
  return null;
}

interface Answer {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(url: URL, method: string, headers: Record<string, string>, body: Body, signal?: AbortSignal): Promise<Answer> {
  const client = url.protocol === "https:" ? https : http;
  const outgoing = { ...headers };
  if (body !== undefined) outgoing["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers: outgoing, agent: agents[url.protocol as keyof typeof agents], signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

function toResponse(answer: Answer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const body = NULL_BODY_STATUSES.has(answer.status) ? null : new Uint8Array(answer.body.buffer as ArrayBuffer, answer.body.byteOffset, answer.body.byteLength);
  return new Response(body, { status: answer.status, statusText: answer.statusText, headers });
}
