// nodeFetch against a real HTTP server on 127.0.0.1: what the Inngest SDK relies on (method,
// headers, body, status, JSON answers) and what fetch does around it (redirects, aborts, errors).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeFetch } from "./node-fetch";

let server: http.Server;
let base: string;
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = new URL(req.url!, "http://x").pathname;
      if (path === "/echo") {
        res.writeHead(201, { "content-type": "application/json", "set-cookie": ["a=1", "b=2"] });
        return void res.end(JSON.stringify({ method: req.method, body, type: req.headers["content-type"] ?? null }));
      }
      if (path === "/empty") return void res.writeHead(204).end();
      if (path === "/see-other") return void res.writeHead(303, { location: "/echo?from=303" }).end();
      if (path === "/temporary") return void res.writeHead(307, { location: "/echo?from=307" }).end();
      if (path === "/loop") return void res.writeHead(302, { location: "/loop" }).end();
      if (path === "/cut") {
        res.writeHead(200, { "content-length": "100" });
        res.write("only part of it");
        return void setTimeout(() => res.socket?.destroy(), 50);
      }
      if (path === "/slow") return void setTimeout(() => res.writeHead(200).end("late"), 2_000);
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("nodeFetch", () => {
  it("sends the method, headers and body, and answers with status, headers and body", async () => {
    const res = await nodeFetch(`${base}/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Custom": "yes" },
      body: JSON.stringify([{ name: "e", data: { ü: "€" } }]),
    });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({ method: "POST", body: '[{"name":"e","data":{"ü":"€"}}]', type: "application/json" });
    const request = seen.at(-1)!;
    expect(request.headers["x-custom"]).toBe("yes");
    expect(request.headers["content-length"]).toBe(String(Buffer.byteLength(request.body)));
  });

  it("answers 204 with no body and 404 with its body", async () => {
    const empty = await nodeFetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const missing = await nodeFetch(new URL("/nowhere", base), { headers: new Headers({ accept: "application/json" }) });
    expect(missing.status).toBe(404);
    expect(missing.ok).toBe(false);
    expect(await missing.text()).toBe('{"error":"not found"}');
  });

  it("follows redirects as fetch does: 307 keeps the method and body, 303 turns into a GET", async () => {
    const kept = await nodeFetch(`${base}/temporary`, { method: "PUT", body: "payload", headers: { "content-type": "text/plain" } });
    expect(await kept.json()).toEqual({ method: "PUT", body: "payload", type: "text/plain" });
    const changed = await nodeFetch(`${base}/see-other`, { method: "POST", body: "payload", headers: { "content-type": "text/plain" } });
    expect(await changed.json()).toEqual({ method: "GET", body: "", type: null });
    expect((await nodeFetch(`${base}/temporary`, { redirect: "manual" })).status).toBe(307);
    await expect(nodeFetch(`${base}/loop`)).rejects.toThrow("too many redirects");
    await expect(nodeFetch(`${base}/temporary`, { redirect: "error" })).rejects.toThrow("redirected");
  });

  it("rejects a response cut off in the middle of its body", async () => {
    await expect(nodeFetch(`${base}/cut`)).rejects.toThrow();
  });

  it("stops at an abort and rejects when nothing listens", async () => {
    await expect(nodeFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(nodeFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("reuses its connection for requests one after another", async () => {
    const before = seen.length;
    const ports = new Set<number>();
    const probe = http.createServer((req, res) => {
      ports.add(req.socket.remotePort!);
      res.end("ok");
    });
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
    for (let i = 0; i < 5; i++) expect(await (await nodeFetch(url, { method: "POST", body: "x" })).text()).toBe("ok");
    probe.closeAllConnections();
    await new Promise((resolve) => probe.close(resolve));
    expect(ports.size).toBe(1);
    expect(seen.length).toBe(before);
  });
});
