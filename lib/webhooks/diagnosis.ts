// A plain-language reading of an endpoint's last failed attempt, with what to do about it: what
// the endpoint page and the API's `health.diagnosis` say while an endpoint is not healthy.
// Pure: the caller reads the attempt (lib/webhooks/list-endpoints.ts) and the settings.
import type { ErrorClass } from "../deliveries/send-request";

export interface FailedAttempt {
  errorClass: ErrorClass;
  errorMessage: string | null;
  responseStatus: number | null;
  responseBody: string | null;
  at: Date;
}

export interface DiagnosisContext {
  /** WEBHOOK_TIMEOUT, in milliseconds. */
  timeoutMs: number;
  /** When the previous signing secret stopped signing (a roll's grace period ended); null if none pending. */
  previousSecretExpiresAt: Date | null;
}

export interface Diagnosis {
  /** A stable code for the cause, for scripts. */
  code: "dns" | "tls" | "connection_refused" | "connection" | "timeout" | "old_secret" | "redirect" | "blocked_address" | "http_4xx" | "http_5xx";
  /** What happened, in plain words. */
  summary: string;
  /** What to do about it. */
  action: string;
  /** The receiver's answer, shortened (HTTP answers only). */
  response_excerpt: string | null;
  /** The failed attempt read. */
  attempted_at: string;
}

const EXCERPT_CHARS = 200;
// 401/403 this soon after the previous secret stopped signing points at the roll.
const AFTER_ROLL_MS = 7 * 86_400_000;

function excerpt(body: string | null): string | null {
  const text = body?.replace(/\s+/g, " ").trim();
  if (!text) return null;
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export function diagnose(attempt: FailedAttempt, context: DiagnosisContext): Diagnosis {
  const base = { response_excerpt: null, attempted_at: attempt.at.toISOString() };
  const message = attempt.errorMessage ?? "";
  switch (attempt.errorClass) {
    case "dns":
      return {
        ...base,
        code: "dns",
        summary: "The endpoint's host name does not resolve (DNS).",
        action: "Check the URL for typos, and that the host's DNS record exists and is public.",
      };
    case "tls":
      return {
        ...base,
        code: "tls",
        summary: /expired/i.test(message)
          ? "The endpoint's TLS certificate has expired."
          : `The endpoint's TLS certificate is not valid${message ? ` (${message})` : ""}.`,
        action: "Install a certificate from a public authority that covers this host name, with its full chain, and renew it before it expires.",
      };
    case "connection":
      return /ECONNREFUSED|refused/i.test(message)
        ? {
            ...base,
            code: "connection_refused",
            summary: "The connection was refused: nothing listens at the endpoint's address and port.",
            action: "Check that your receiver is running and reachable from the internet on that port, and that a firewall lets our source IPs in.",
          }
        : {
            ...base,
            code: "connection",
            summary: `The connection failed${message ? ` (${message})` : ""}.`,
            action: "Check that your receiver is running and reachable, and that a firewall or proxy does not drop our requests.",
          };
    case "timeout":
      return {
        ...base,
        code: "timeout",
        summary: `The endpoint did not answer within ${seconds(context.timeoutMs)} (WEBHOOK_TIMEOUT).`,
        action: "Answer with a 2xx at once and do the work afterwards (queue it), or make the receiver faster.",
      };
    case "redirect":
      return {
        ...base,
        code: "redirect",
        summary: `The endpoint answered with a redirect (${attempt.responseStatus ?? "3xx"}), which is not followed.`,
        action: "Set the endpoint's URL to the final address (often https:// or a trailing slash differs).",
      };
    case "blocked_address":
      return {
        ...base,
        code: "blocked_address",
        summary: "The endpoint's host resolves to an address that our policy does not send to (private, loopback or link-local).",
        action: "Use a public address for the receiver.",
      };
    case "http_status": {
      const status = attempt.responseStatus ?? 0;
      const withExcerpt = { ...base, response_excerpt: excerpt(attempt.responseBody) };
      const rolled = context.previousSecretExpiresAt;
      const sinceRoll = rolled ? attempt.at.getTime() - rolled.getTime() : -1;
      if ((status === 401 || status === 403) && rolled && sinceRoll >= 0 && sinceRoll < AFTER_ROLL_MS) {
        return {
          ...withExcerpt,
          code: "old_secret",
          summary: `The endpoint rejects our signature (${status}) since the previous signing secret stopped signing at ${rolled.toISOString()}: your receiver still has the old secret.`,
          action: "Put the endpoint's current signing secret (Reveal secret) into your receiver's configuration.",
        };
      }
      if (status >= 400 && status < 500) {
        return {
          ...withExcerpt,
          code: "http_4xx",
          summary: `The endpoint answered ${status}: it refuses the request.`,
          action:
            status === 401 || status === 403
              ? "Check that your receiver verifies the signature with this endpoint's current secret, and that no authentication layer blocks our requests."
              : status === 404
                ? "Check the URL's path: your receiver does not know it."
                : "See the response below: your receiver rejects our request. Answer 2xx to every event you receive.",
        };
      }
      return {
        ...withExcerpt,
        code: "http_5xx",
        summary: `The endpoint answered ${status}: an error on the receiver's side.`,
        action: "See the response below and your receiver's logs; it must answer 2xx once it has the event.",
      };
    }
  }
}
