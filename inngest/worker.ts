// The delivery worker (`npm start` runs it; `npm run worker` alone): the app's Inngest
// functions served over HTTP from a process of their own, so deliveries neither queue behind
// dashboard and API requests on Next.js's one event loop nor pay its per-request cost, and the
// two use the machine's cores side by side. Same functions, code and database as Next.js.
// Under `npm start` it runs in signed (cloud) mode: it answers only calls signed with the
// engine's key (INNGEST_SIGNING_KEY), signs its answers, and registers the URL it is configured
// with (INNGEST_SERVE_ORIGIN), never one taken from a request's Host.
import http from "node:http";
import { serve } from "inngest/node";
import { secretMatches } from "./engine/signing";
import { setting } from "@/lib/config";
import { metrics, nameMetricsProcess } from "@/lib/observability/metrics";
import { startTracing } from "@/lib/observability/tracing";
import { inngest } from "./client";
import { functions } from "./functions";
import { UNPARSABLE, withoutServerDetails } from "./guard";

// The Inngest SDK copies the environment several times per request, and each read of the real
// process.env crosses into C++, far slower than reading a plain object. Nothing in this process
// changes its environment later.
process.env = { ...process.env };
nameMetricsProcess("worker");
const stopTracing = await startTracing("worker");

const host = process.env.INNGEST_WORKER_HOST ?? "127.0.0.1";
const port = setting("INNGEST_WORKER_PORT") ?? 8289;
const SERVE_PATH = "/api/inngest";
// The engine's calls carry whole batches; anything far larger is not one of them.
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const handler = serve({
  client: inngest,
  functions,
  servePath: SERVE_PATH,
  serveOrigin: process.env.INNGEST_SERVE_ORIGIN || `http://${host}:${port}`,
});

function answer(res: http.ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

/** The SDK's answer, held until it is complete so it can go out without server details. */
class HeldAnswer {
  private status = 200;
  private headers: Record<string, string> = {};
  constructor(private res: http.ServerResponse) {}

  writeHead(status: number, headers: Record<string, string>) {
    this.status = status;
    this.headers = headers;
    return this;
  }

  end(body: string | Buffer = "") {
    const text = typeof body === "string" ? body : body.toString("utf8");
    const signatureHeader = Object.keys(this.headers).find((k) => k.toLowerCase() === "x-inngest-signature");
    const scrubbed = withoutServerDetails(text, signatureHeader && this.headers[signatureHeader], process.env.INNGEST_SIGNING_KEY);
    if (scrubbed && signatureHeader && scrubbed.signature) this.headers[signatureHeader] = scrubbed.signature;
    this.res.writeHead(this.status, this.headers).end(scrubbed?.body ?? text);
  }

  // Streaming is off (INNGEST_STREAMING is never set); the SDK would call these only with it.
  write(): never {
    throw new Error("streamed answers are not supported by the delivery worker");
  }

  destroy(error?: Error) {
    this.res.destroy(error);
  }
}

async function serveFunctions(req: http.IncomingMessage, res: http.ServerResponse) {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
    return answer(res, 413, JSON.stringify({ error: { code: "payload_too_large", message: "Request body too large" } }));
  }
  try {
    await handler(req, new HeldAnswer(res) as unknown as http.ServerResponse);
  } catch (error) {
    // The SDK parses the body outside its own error handling: its parse error ends up here.
    if (!(error instanceof SyntaxError) || res.headersSent) throw error;
    answer(res, 400, UNPARSABLE);
  }
}

function pathname(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? "/", "http://worker").pathname;
  } catch {
    return undefined;
  }
}

// This process's counters, for the app's GET /metrics to gather (prom-client's JSON when asked
// for it) or a scraper of its own: the same token, and a 404 while none is set.
const metricsToken = setting("METRICS_TOKEN");

async function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse) {
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!token || !secretMatches(token, metricsToken!)) {
    return answer(res, 401, JSON.stringify({ error: { code: "unauthorized", message: "Authorization: Bearer <METRICS_TOKEN> required" } }));
  }
  const { registry } = metrics();
  const json = /\bapplication\/json\b/.test(req.headers.accept ?? "");
  const body = json ? JSON.stringify(await registry.getMetricsAsJSON()) : await registry.metrics();
  res.writeHead(200, { "content-type": json ? "application/json" : registry.contentType, "cache-control": "no-store" }).end(body);
}

const server = http.createServer((req, res) => {
  if (metricsToken && req.method === "GET" && pathname(req.url) === "/metrics") {
    return void serveMetrics(req, res).catch((error: unknown) => {
      console.error("[worker] metrics failed", error);
      if (!res.headersSent) answer(res, 500, JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side" } }));
    });
  }
  if (pathname(req.url) !== SERVE_PATH) {
    return answer(res, 404, JSON.stringify({ error: { code: "not_found", message: "Not found" } }));
  }
  serveFunctions(req, res).catch((error: unknown) => {
    console.error("[worker] call failed", error);
    if (!res.headersSent) answer(res, 500, JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side" } }));
    else res.destroy();
  });
});
server.listen(port, host, () => console.log(`serving Inngest functions at http://${host}:${port}${SERVE_PATH}`));

const stop = () => server.close(() => void stopTracing().finally(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
