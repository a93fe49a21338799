// One outbound webhook POST: no redirects followed, a hard deadline, the target address checked
// again at connect time (a hostname may resolve elsewhere now than when it was saved: DNS
// rebinding), at most 16 KB of the response kept, and every failure given a class.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { checkResolvedAddress, createGuardedLookup } from "../webhooks/url-policy";

export const RESPONSE_BODY_LIMIT = 16 * 1024;
// Past this much response body the connection is dropped rather than drained for reuse.
const DRAIN_LIMIT = 256 * 1024;

export type ErrorClass = "timeout" | "connection" | "dns" | "tls" | "http_status" | "redirect" | "blocked_address";

export interface SendResult {
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  durationMs: number;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
}

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Whether private, loopback… targets may be reached; the operator's setting by default. */
  allowPrivateTargets?: boolean;
}

// As many idle sockets kept per receiver as may be busy: fewer closed each burst's extra
// connections only to open them again on the next (a busy receiver sees bursts all the time).
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 50, maxFreeSockets: 50 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 50, maxFreeSockets: 50 }),
};

class BlockedAddressError extends Error {
  readonly code = "EBLOCKEDADDRESS";
}

class DeadlineError extends Error {
  readonly code = "EDEADLINE";
}

function classify(error: NodeJS.ErrnoException): ErrorClass {
  const code = error.code ?? "";
  if (code === "EBLOCKEDADDRESS") return "blocked_address";
  if (code === "EDEADLINE" || code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT") return "timeout";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NODATA" || code === "EAI_FAIL") return "dns";
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|EPROTO)/.test(code) || /TLS|SSL|certificate/i.test(error.message)) {
    return "tls";
  }
  return "connection";
}

export function sendRequest(options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (result: Omit<SendResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ...result, durationMs: elapsed() });
    };
    const fail = (error: NodeJS.ErrnoException) =>
      finish({ status: null, headers: null, body: null, errorClass: classify(error), errorMessage: error.message });

    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      return fail(Object.assign(new Error("Invalid URL"), { code: "EINVALIDURL" }));
    }
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    // Literal IPs never go through lookup, so check them here.
    const policy = { allowPrivateTargets: options.allowPrivateTargets };
    if (isIP(hostname)) {
      const verdict = checkResolvedAddress(hostname, policy);
      if (!verdict.allowed) return fail(new BlockedAddressError(verdict.message));
    }
    const transport = url.protocol === "https:" ? https : http;
    let req: http.ClientRequest;
    deadline = setTimeout(
      () => req.destroy(new DeadlineError(`No complete response within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const send = (fresh: boolean) => {
      const current = transport.request(url, {
        method: "POST",
        headers: { ...options.headers, "Content-Length": String(Buffer.byteLength(options.body)) },
        agent: fresh ? false : agents[url.protocol as "http:" | "https:"],
        lookup: createGuardedLookup(policy),
      });
      req = current;
      let answered = false;
      current.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the receiver closed just as we reused it, before any answer:
        // the request never reached the receiver, so it goes once more on a new connection.
        const stale = current.reusedSocket && !fresh && !answered && (error.code === "ECONNRESET" || error.code === "EPIPE");
        if (stale && !settled) send(true);
        else fail(error);
      });
      current.on("response", (res) => {
        answered = true;
        onResponse(res);
      });
      current.end(options.body);
    };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let seen = 0;
      res.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (kept < RESPONSE_BODY_LIMIT) {
          const slice = chunk.subarray(0, RESPONSE_BODY_LIMIT - kept);
          chunks.push(slice);
          kept += slice.length;
        }
        if (seen > DRAIN_LIMIT) {
          res.destroy();
          done();
        }
      });
      res.on("end", done);
      res.on("error", (error) => (kept > 0 ? done() : fail(error)));
      function done() {
        const status = res.statusCode ?? 0;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        const ok = status >= 200 && status < 300;
        const redirect = status >= 300 && status < 400;
        finish({
          status,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
          errorClass: ok ? null : redirect ? "redirect" : "http_status",
          errorMessage: ok
            ? null
            : redirect
              ? `Redirect (${status}) to ${headers.location ?? "nowhere"} not followed`
              : `Endpoint answered ${status}`,
        });
      }
    };
    send(false);
  });
}
