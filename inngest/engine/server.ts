// The engine's HTTP API: what the SDK calls (/fn/register, /e/{key}) plus health and run
// inspection.
import http from "node:http";
import { BadEventError, normalizeEvents, type EventRouter } from "./events";
import type { Logger } from "./log";
import type { EngineMetrics } from "./metrics";
import { register } from "./registration";
import type { Registry } from "./registry";
import { bearerMatches, secretMatches } from "./signing";
import type { Store } from "./store";

const MAX_BODY_BYTES = 10 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, "body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve(text === "" ? undefined : JSON.parse(text));
      } catch {
        reject(new HttpError(400, "body is not valid JSON"));
      }
    });
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function createServer(deps: {
  store: Store;
  registry: Registry;
  events: EventRouter;
  log: Logger;
  signingKey?: string;
  /** Required in the event API's path (/e/{key}) when set. */
  eventKey?: string;
  /** The only app URL registrations may name, when set. */
  appUrl?: string;
  /** GET /metrics needs `Authorization: Bearer <metricsToken>`; absent, it is a 404. */
  metricsToken?: string;
  metrics?: EngineMetrics;
  onRegistered(): void;
}): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://engine");
    const route = `${req.method} ${url.pathname}`;
    const handle = async () => {
      if (route === "GET /health") return send(res, 200, { status: "ok" });
      if (route === "GET /metrics" && deps.metrics && deps.metricsToken) {
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
        if (!token || !secretMatches(token, deps.metricsToken)) return send(res, 401, { status: 401, error: "unauthorized" });
        const { contentType, body } = await deps.metrics.render(/\bapplication\/json\b/.test(req.headers.accept ?? ""));
        res.writeHead(200, { "content-type": contentType, "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
        return void res.end(body);
      }
      if (route === "POST /fn/register") {
        const reply = await register(deps, await readBody(req), req.headers.authorization);
        return send(res, reply.httpStatus, reply.body);
      }
      if (req.method === "POST" && url.pathname.startsWith("/e/")) {
        if (deps.eventKey && !secretMatches(url.pathname.slice(3), deps.eventKey)) {
          deps.log("warn", "event refused: wrong event key");
          return send(res, 401, { status: 401, error: "unauthorized: wrong event key" });
        }
        const seed = req.headers["x-inngest-event-id-seed"];
        const events = normalizeEvents(await readBody(req), typeof seed === "string" ? seed : undefined, Date.now());
        await deps.events.ingest(events);
        // The SDK reads `status` from the body and throws without it.
        return send(res, 200, { ids: events.map((e) => e.id), status: 200 });
      }
      // Runs hold the app's event data: in signed mode only the app's key may read them.
      if (url.pathname.startsWith("/v1/") && deps.signingKey && !bearerMatches(req.headers.authorization, deps.signingKey)) {
        return send(res, 401, { status: 401, error: "unauthorized: Authorization: Bearer <hashed signing key> required" });
      }
      if (route === "GET /v1/runs") {
        const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? 50) || 50, 1), 500);
        const fnId = url.searchParams.get("fn_id") ?? undefined;
        const [data, counts] = await Promise.all([deps.store.runs.list(limit, fnId), deps.store.runs.count(fnId)]);
        return send(res, 200, { data, counts });
      }
      const runMatch = /^\/v1\/runs\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && runMatch) {
        const run = await deps.store.runs.detail(decodeURIComponent(runMatch[1]!));
        return run ? send(res, 200, { data: run }) : send(res, 404, { error: "run not found" });
      }
      send(res, 404, { error: `no route ${route}` });
    };
    handle().catch((error: unknown) => {
      if (error instanceof HttpError || error instanceof BadEventError) {
        const status = error instanceof HttpError ? error.status : 400;
        return send(res, status, { status, error: error.message });
      }
      deps.log("error", "request failed", { route, error: String(error) });
      send(res, 500, { status: 500, error: "internal error" });
    });
  });
}
