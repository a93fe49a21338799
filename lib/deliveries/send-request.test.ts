import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESPONSE_BODY_LIMIT, sendRequest } from "./send-request";

// Real receivers on 127.0.0.1, one behaviour per path.
let server: http.Server;
let base: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      switch (req.url) {
        case "/ok":
          return res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
        case "/fail":
          return res.writeHead(500).end("boom");
        case "/redirect":
          return res.writeHead(302, { location: "https://elsewhere.example/" }).end();
        case "/slow":
          return setTimeout(() => res.writeHead(200).end("late"), 2000);
        case "/reset":
          return req.socket.destroy();
        case "/huge":
          res.writeHead(200);
          for (let i = 0; i < 10 * 1024; i++) res.write("x".repeat(1024)); // 10 MB
          return res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const send = (path: string, extra: Partial<Parameters<typeof sendRequest>[0]> = {}) =>
  sendRequest({ url: base + path, headers: { "content-type": "application/json" }, body: '{"a":1}', timeoutMs: 1000, allowPrivateTargets: true, ...extra });

describe("sendRequest", () => {
  it("posts the exact body and headers and keeps the response", async () => {
    const result = await send("/ok", { headers: { "x-test": "1", "content-type": "application/json" } });
    expect(result).toMatchObject({ status: 200, body: '{"received":true}', errorClass: null });
    expect(result.headers?.["content-type"]).toBe("application/json");
    expect(received.at(-1)).toMatchObject({ body: '{"a":1}', headers: { "x-test": "1", "content-length": "7" } });
  });

  it("classes a non-2xx answer, a redirect (not followed), a timeout and a reset", async () => {
    expect(await send("/fail")).toMatchObject({ status: 500, body: "boom", errorClass: "http_status" });
    expect(await send("/redirect")).toMatchObject({ status: 302, errorClass: "redirect" });
    const slow = await send("/slow", { timeoutMs: 300 });
    expect(slow).toMatchObject({ status: null, errorClass: "timeout" });
    expect(slow.durationMs).toBeLessThan(1500);
    expect(await send("/reset")).toMatchObject({ status: null, errorClass: "connection" });
  });

  it("classes a refused connection and an unknown host", async () => {
    const refused = await sendRequest({ url: "http://127.0.0.1:1/", headers: {}, body: "{}", timeoutMs: 1000, allowPrivateTargets: true });
    expect(refused.errorClass).toBe("connection");
    const dns = await sendRequest({ url: "http://does-not-exist.invalid/", headers: {}, body: "{}", timeoutMs: 3000, allowPrivateTargets: true });
    expect(dns.errorClass).toBe("dns");
  });

  it("keeps only the first 16 KB of a 10 MB response", async () => {
    const result = await send("/huge", { timeoutMs: 5000 });
    expect(result.status).toBe(200);
    expect(result.body).toHaveLength(RESPONSE_BODY_LIMIT);
  });

  it("refuses addresses the policy forbids, literal or resolved", async () => {
    const literal = await send("/ok", { allowPrivateTargets: false });
    expect(literal).toMatchObject({ errorClass: "blocked_address", status: null });
    const count = received.length;
    const resolved = await sendRequest({ url: base.replace("127.0.0.1", "localhost") + "/ok", headers: {}, body: "{}", timeoutMs: 1000, allowPrivateTargets: false });
    expect(resolved.errorClass).toBe("blocked_address");
    expect(received.length).toBe(count); // nothing reached the receiver
  });
  it("sends once more on a new connection when a kept-alive one turns out closed", async () => {
    // Answers the first request of each connection and drops the connection at its second,
    // as a receiver does whose idle timeout fires just as we reuse the connection.
    const perSocket = new WeakMap<object, number>();
    let requests = 0;
    const closing = http.createServer((req, res) => {
      requests++;
      const nth = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, nth);
      req.resume();
      req.on("end", () => (nth === 1 ? res.writeHead(200).end("ok") : req.socket.destroy()));
    });
    await new Promise<void>((r) => closing.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(closing.address() as AddressInfo).port}/`;
    try {
      const post = () => sendRequest({ url, headers: {}, body: "{}", timeoutMs: 1000, allowPrivateTargets: true });
      expect(await post()).toMatchObject({ status: 200, errorClass: null });
      expect(await post()).toMatchObject({ status: 200, errorClass: null });
      expect(requests).toBe(3);
    } finally {
      closing.closeAllConnections();
      closing.close();
    }
  });
});
