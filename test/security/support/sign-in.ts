// Plain HTTP against a running stack, as a browser or a script would send it: from a chosen
// loopback source address (Linux routes all of 127.0.0.0/8 to lo), so each test is its own
// client address, with next-auth's CSRF dance for sign-in.
import http from "node:http";
import { randomInt } from "node:crypto";

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** A loopback address of its own for one test, so address counts do not mix. */
export function loopbackAddress(): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string; rawPath?: string } = {},
): Promise<HttpAnswer> {
  const target = new URL(url);
  // Node sends a body without a length unless told (chunked); the server must not read it as the next request.
  const headers = options.body === undefined ? options.headers : { ...options.headers, "content-length": String(Buffer.byteLength(options.body)) };
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        // rawPath goes out byte for byte, without the URL parser's normalisation.
        path: options.rawPath ?? target.pathname + target.search,
        method: options.method ?? "GET",
        headers,
        localAddress: options.from,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Cookies set by an answer, as `name=value` by name. */
export function setCookies(answer: HttpAnswer): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of answer.headers["set-cookie"] ?? []) {
    const pair = line.split(";")[0]!;
    const name = pair.slice(0, pair.indexOf("="));
    out.set(name, pair);
  }
  return out;
}

export interface SignInAnswer extends HttpAnswer {
  /** `next-auth.session-token=…` when a session started. */
  sessionCookie: string | null;
}

/** One sign-in through next-auth's credentials callback, as the login form posts it. */
export async function signIn(
  appUrl: string,
  email: string,
  password: string,
  options: { from?: string; headers?: Record<string, string> } = {},
): Promise<SignInAnswer> {
  const csrf = await request(`${appUrl}/api/auth/csrf`, { from: options.from, headers: options.headers });
  const csrfCookie = setCookies(csrf).get("next-auth.csrf-token");
  if (csrf.status !== 200 || !csrfCookie) throw new Error(`no CSRF token: ${csrf.status} ${csrf.text.slice(0, 200)}`);
  const answer = await request(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    from: options.from,
    headers: { ...options.headers, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ email, password, csrfToken: csrf.json.csrfToken, json: "true" }).toString(),
  });
  const session = setCookies(answer).get("next-auth.session-token");
  return { ...answer, sessionCookie: session && session !== "next-auth.session-token=" ? session : null };
}
