// HTTP as a browser or a script sends it to the running stack: the request path goes out byte
// for byte (no URL normalisation), and sign-in goes through next-auth's CSRF dance.
import { request, type HttpAnswer } from "./sign-in";

export interface Answer extends HttpAnswer {
  /** A response header as one string ("" when absent). */
  header(name: string): string;
}

export async function probe(
  appUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const answer = await request(appUrl, { ...options, rawPath: path });
  const header = (name: string) => {
    const value = answer.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? "");
  };
  return { ...answer, header };
}

/** Signs in through next-auth's credentials callback, as the login form does. */
export async function signIn(
  appUrl: string,
  email: string,
  password: string,
  extra: Record<string, string> = {},
): Promise<{ answer: Answer; cookie: string; setCookie: string[] }> {
  const csrf = await probe(appUrl, "/api/auth/csrf");
  const csrfCookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  const answer = await probe(appUrl, "/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ email, password, csrfToken: csrf.json.csrfToken, json: "true", ...extra }).toString(),
  });
  const setCookie = answer.headers["set-cookie"] ?? [];
  const session = setCookie.find((c) => /^(__Secure-)?next-auth\.session-token=[^;]/.test(c));
  return { answer, cookie: session ? session.split(";")[0]! : "", setCookie };
}

/** The nonce of a page's Content-Security-Policy. */
export function cspNonce(csp: string): string | null {
  return /'nonce-([^']+)'/.exec(csp)?.[1] ?? null;
}
