// The delivery stack for integration tests, all real: our Inngest functions served by the real
// SDK over HTTP, the embedded engine on the test database, and receivers on 127.0.0.1.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "inngest/node";
import { inject } from "vitest";
import { startEngine, type RunningEngine } from "@/inngest/engine/engine";
import { createBackoff } from "@/inngest/engine/backoff";
import { enginePort } from "./engine-env";

export interface Stack {
  engine: RunningEngine;
  appUrl: string;
  stop(): Promise<void>;
}

export async function startStack(schema: string): Promise<Stack> {
  const { inngest } = await import("@/inngest/client");
  const { functions } = await import("@/inngest/functions");
  const handler = serve({ client: inngest, functions });
  const app = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;
  let synced = false;
  const engine = await startEngine({
    databaseUrl: inject("databaseUrl"),
    port: enginePort,
    appUrl,
    schema,
    backoff: createBackoff([100, 200, 400], 0),
    dbPoolSize: 3,
    log: (level, msg, fields) => {
      if (msg === "app synced") synced = true;
      if (level === "error") console.error(`[engine] ${msg}`, fields ?? "");
    },
  });
  await waitFor(() => synced, 20_000, "the engine to sync the app");
  return {
    engine,
    appUrl,
    async stop() {
      await engine.stop();
      app.closeAllConnections();
      await new Promise((r) => app.close(r));
    },
  };
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A receiver on 127.0.0.1. `respond` decides each answer from the request and how many
 * requests that path has seen (1-based), so tests script failures then success.
 */
export async function startReceiver(respond: (req: ReceivedRequest, nth: number) => number = () => 200) {
  const received: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const request = { path: req.url ?? "/", headers: req.headers, body, at: Date.now() };
      received.push(request);
      const nth = (counts.get(request.path) ?? 0) + 1;
      counts.set(request.path, nth);
      const status = respond(request, nth);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ nth, status }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    on: (path: string) => received.filter((r) => r.path === path),
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Verifies as the documentation tells receivers to: HMAC-SHA256 of the raw body, timing-safe. */
export function verifiesWith(secret: string, request: ReceivedRequest, header = "x-db24x7-signature"): boolean {
  const expected = `sha256=${createHmac("sha256", secret).update(request.body).digest("hex")}`;
  const got = String(request.headers[header] ?? "");
  return got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}
