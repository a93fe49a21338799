// Misbehaving webhook receivers on 127.0.0.1, one server per endpoint (so no two endpoints share
// the sender's per-origin socket pool). Each counts the requests it saw, per event id.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export const TIMEOUT_MS = 1_000; // WEBHOOK_TIMEOUT in chaos-env.ts
export const BIG_BODY = Buffer.alloc(10 * 1024 * 1024, "x");

export type Kind =
  | "healthy"
  | "slow"
  | "flaky_once"
  | "flaky_twice"
  | "down_500"
  | "timeout_never"
  | "timeout_late"
  | "reset_mid_request"
  | "reset_mid_response"
  | "reset_mid_body"
  | "big_200"
  | "big_500"
  /** 301 on a delivery's first request, 302 on its second, 307 after. */
  | "redirect";

export interface Expectation {
  outcome: "succeeded" | "failed";
  attempts: number;
  /** Error class of each attempt in order; null for a success. */
  classes: (string | null)[];
  /** Response status of each attempt in order; null when no response came. */
  statuses: (number | null)[];
}

const REDIRECTS = [301, 302, 307];

/** What the schedule (3 attempts) must make of each kind. */
export function expectationFor(kind: Kind): Expectation {
  const fail3 = (cls: string, status: number | null = null): Expectation => ({
    outcome: "failed",
    attempts: 3,
    classes: [cls, cls, cls],
    statuses: [status, status, status],
  });
  switch (kind) {
    case "healthy":
    case "slow":
    case "big_200":
    // The status line said 200 before the connection dropped: a 2xx answer is a success.
    case "reset_mid_body":
      return { outcome: "succeeded", attempts: 1, classes: [null], statuses: [200] };
    case "flaky_once":
      return { outcome: "succeeded", attempts: 2, classes: ["http_status", null], statuses: [500, 200] };
    case "flaky_twice":
      return { outcome: "succeeded", attempts: 3, classes: ["http_status", "http_status", null], statuses: [500, 500, 200] };
    case "down_500":
    case "big_500":
      return fail3("http_status", 500);
    case "timeout_never":
    case "timeout_late":
      return fail3("timeout");
    // Headers may have arrived (reset_mid_response), but no complete answer did.
    case "reset_mid_request":
    case "reset_mid_response":
      return fail3("connection");
    case "redirect":
      return { outcome: "failed", attempts: 3, classes: ["redirect", "redirect", "redirect"], statuses: REDIRECTS };
  }
}

export interface Receiver {
  kind: Kind;
  url: string;
  /** Requests seen (counted when the request line and headers arrive). */
  count(): number;
  /** Requests seen per X-DB24x7-Event-ID. */
  perEvent: Map<string, number>;
  /** Requests for paths other than the endpoint's (a followed redirect would land here). */
  strays: string[];
  stop(): Promise<void>;
}

export async function startChaosReceiver(kind: Kind, redirectTo = "http://127.0.0.1:9/never"): Promise<Receiver> {
  let seen = 0;
  const perEvent = new Map<string, number>();
  const strays: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = http.createServer((req, res) => {
    res.on("error", () => undefined);
    if (req.url !== "/hook") {
      strays.push(req.url ?? "");
      res.writeHead(200).end();
      return;
    }
    seen++;
    const eventId = String(req.headers["x-db24x7-event-id"] ?? "");
    const nth = (perEvent.get(eventId) ?? 0) + 1;
    perEvent.set(eventId, nth);

    if (kind === "reset_mid_request") {
      req.socket.destroy(); // before the body is read or anything answered
      return;
    }
    req.resume();
    req.on("end", () => {
      const json = (status: number) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ kind, nth }));
      switch (kind) {
        case "healthy":
          return json(200);
        case "slow":
          return later(300, () => json(200));
        case "flaky_once":
          return json(nth <= 1 ? 500 : 200);
        case "flaky_twice":
          return json(nth <= 2 ? 500 : 200);
        case "down_500":
          return json(500);
        case "timeout_never":
          return; // hold the connection open; the sender gives up
        case "timeout_late":
          return later(TIMEOUT_MS + 500, () => !res.destroyed && json(200));
        case "reset_mid_response":
          res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
          res.flushHeaders();
          return later(20, () => req.socket.destroy());
        case "reset_mid_body":
          res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
          res.write('{"partial":"');
          return later(20, () => req.socket.destroy());
        case "big_200":
        case "big_500":
          res.writeHead(kind === "big_200" ? 200 : 500, { "content-type": "text/plain", "content-length": String(BIG_BODY.length) });
          return res.end(BIG_BODY);
        case "redirect":
          res.writeHead(REDIRECTS[Math.min(nth, REDIRECTS.length) - 1], { location: redirectTo }).end();
          return;
      }
    });
  });
  // Longer than the run: an idle keep-alive socket closed by the server just as the sender
  // reuses it would be a connection error the receiver never counted.
  server.keepAliveTimeout = 600_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    kind,
    url: `http://127.0.0.1:${port}/hook`,
    count: () => seen,
    perEvent,
    strays,
    async stop() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
