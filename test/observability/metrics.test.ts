// GET /metrics and the traces, against the whole product as `npm start` runs it (launcher, its
// own in-memory PGlite, engine, worker, Next.js) with METRICS_TOKEN and an OTLP/HTTP receiver of
// ours on 127.0.0.1: events published through the API to a receiver that accepts one endpoint
// and refuses another; the scrape of Next.js must show the publish (counted in Next.js), the
// attempts (counted in the worker), the engine's backlog, the database's state, and the trace
// must go from the publish to each first attempt across the hand-over.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, publish, sampleData, startReceiver, startStack, type Receiver, type RunningStack } from "../../scripts/lib/stack-harness";
import { freePort } from "../engine/support/harness";
import { waitFor } from "../deliveries/stack";
import { HEALTH_STATES, healthStateSql } from "@/lib/webhooks/health";

const TOKEN = "metrics-test-token-0123456789abcdef";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

let stack: RunningStack;
let receiver: Receiver;
let otlp: http.Server;
const spans: Array<OtlpSpan & { service: string }> = [];
const otlpContentTypes = new Set<string>();

beforeAll(async () => {
  otlp = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      otlpContentTypes.add(String(req.headers["content-type"]));
      if (req.url === "/v1/traces") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          resourceSpans: Array<{ resource: { attributes: OtlpSpan["attributes"] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const { resource, scopeSpans } of body.resourceSpans) {
          const service = resource.attributes?.find((a) => a.key === "service.name")?.value.stringValue ?? "";
          for (const scope of scopeSpans) for (const span of scope.spans) spans.push({ ...span, service });
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => otlp.listen(0, "127.0.0.1", r));
  // Endpoint 1 refuses everything; the others accept.
  receiver = await startReceiver((endpoint) => (endpoint === 1 ? 500 : 200));
  const [port, enginePort, pglitePort, workerPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  stack = await startStack({
    port,
    enginePort,
    pglitePort,
    dataDir: ":memory:",
    distDir: process.env.SECURITY_DIST_DIR || ".next",
    logFile: join(mkdtempSync(join(tmpdir(), "db24x7-metrics-")), "stack.log"),
    env: {
      INNGEST_WORKER_PORT: String(workerPort),
      METRICS_TOKEN: TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`,
      OTEL_BSP_SCHEDULE_DELAY: "100",
      // The refused deliveries stay retrying after their second attempt: the gauge has them.
      WEBHOOK_RETRY_SCHEDULE: "0,500ms,1h",
    },
  });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
  otlp?.closeAllConnections();
  await new Promise((r) => otlp?.close(r));
});

const scrape = (authorization?: string) =>
  fetch(`${stack.appUrl}/metrics`, { headers: authorization ? { authorization } : {} });

/** The value of the sample `name` whose labels include `labels` (undefined when none has). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

describe("GET /metrics", () => {
  it("refuses a scraper without the token, or with a wrong one, as the API refuses", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-0123456789abcdef", `Basic ${TOKEN}`, TOKEN]) {
      const res = await scrape(authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
  });

  it("counts in every process and reads the installation's state, scraped from Next.js", async () => {
    const tenant = await createTenant(stack.databaseUrl, stack.appUrl, receiver.base, [
      { eventTypes: ["alert.critical"] },
      { eventTypes: ["alert.critical"] },
      { eventTypes: ["alert.critical"] },
    ]);
    for (const e of tenant.endpoints) receiver.secrets.set(e.index, e.secret);
    const disable = await fetch(`${stack.appUrl}/api/v1/webhooks/${tenant.endpoints[2]!.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${tenant.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "disabled" }),
    });
    expect(disable.status).toBe(200);

    const data = await sampleData("alert.critical");
    const events = [await publish(stack.appUrl, tenant.apiKey, "alert.critical", data)];
    events.push(await publish(stack.appUrl, tenant.apiKey, "alert.critical", data));
    // Each event: one success (endpoint 0), two refusals (endpoint 1: attempts 1 and 2).
    await waitFor(() => receiver.receipts.length >= 6, 30_000, "the attempts");
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      // Recorded: both of endpoint 1's deliveries retrying, their next attempt an hour away.
      await waitFor(
        async () => {
          const { rows } = await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM deliveries WHERE status = 'retrying' AND scheduled_attempts = 2",
          );
          return rows[0]!.n === 2;
        },
        30_000,
        "the second attempts to be recorded",
      );
      // Scraped once the engine has put the retries to sleep (nothing due meanwhile).
      let res!: Response;
      let text = "";
      await waitFor(
        async () => {
          res = await scrape(`Bearer ${TOKEN}`);
          text = await res.text();
          return sample(text, "db24x7_engine_backlog", { process: "engine" }) === 0;
        },
        15_000,
        "the engine's backlog to drain",
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");

      // Counted in Next.js, which took the publishes.
      expect(sample(text, "db24x7_events_published_total", { process: "next" })).toBe(2);
      expect(sample(text, "db24x7_deliveries_created_total", { process: "next" })).toBe(4);
      // Counted in the worker, which made the attempts.
      const attempts = (result: string) => sample(text, "db24x7_delivery_attempts_total", { process: "worker", result, trigger: "scheduled" });
      expect(attempts("success")).toBe(2);
      expect(attempts("http_status")).toBe(4);
      expect(sample(text, "db24x7_delivery_attempts_total", { process: "next" })).toBeUndefined();
      expect(sample(text, "db24x7_deliveries_completed_total", { process: "worker", status: "succeeded" })).toBe(2);
      expect(sample(text, "db24x7_delivery_attempt_duration_seconds_count", { process: "worker", result: "success" })).toBe(2);
      expect(sample(text, "db24x7_delivery_first_attempt_delay_seconds_count", { process: "worker" })).toBe(4);
      // The installation's state at the scrape.
      expect(sample(text, "db24x7_deliveries_waiting", { status: "retrying" })).toBe(2);
      expect(sample(text, "db24x7_deliveries_waiting", { status: "pending" })).toBe(0);
      const { rows } = await db.query<{ health: string; n: number }>(
        `SELECT ${healthStateSql("w", { failingAfter: 5 })} AS health, count(*)::int AS n FROM webhook_endpoints w GROUP BY 1`,
      );
      for (const health of HEALTH_STATES) {
        expect(sample(text, "db24x7_endpoints", { health })).toBe(rows.find((r) => r.health === health)?.n ?? 0);
      }
      expect(sample(text, "db24x7_endpoints", { health: "disabled" })).toBe(1);
      // The engine's: nothing due now (the retries wait an hour), every peer reached.
      expect(sample(text, "db24x7_engine_backlog", { process: "engine" })).toBe(0);
      expect(sample(text, "db24x7_engine_oldest_due_age_seconds", { process: "engine" })).toBe(0);
      expect(sample(text, "db24x7_engine_batch_waiting", { process: "engine" })).toBe(0);
      expect(text.match(/^db24x7_metrics_peer_up\{.*\} 1$/gm)).toHaveLength(2);
      // Each process's own runtime figures, apart.
      for (const process of ["next", "worker", "engine"]) {
        expect(sample(text, "db24x7_process_resident_memory_bytes", { process })).toBeGreaterThan(0);
      }
      expect(text).not.toContain(TOKEN);
    } finally {
      await db.end();
    }

    // The trace: each publish's span (Next.js) is the parent of its first attempts (worker).
    const accepted = tenant.endpoints[0]!.id;
    await waitFor(
      () => events.every(({ id }) => spans.some((s) => s.name === "webhooks.attempt" && attribute(s, "db24x7.event.id") === id && attribute(s, "db24x7.endpoint.id") === accepted)),
      15_000,
      "the attempt spans",
    );
    expect([...otlpContentTypes]).toEqual(["application/json"]);
    for (const { id } of events) {
      const published = spans.find((s) => s.name === "webhooks.publish" && attribute(s, "db24x7.event.id") === id)!;
      expect(published.service).toBe("db24x7-webhooks");
      const attempt = spans.find((s) => s.name === "webhooks.attempt" && attribute(s, "db24x7.event.id") === id && attribute(s, "db24x7.endpoint.id") === accepted)!;
      expect(attempt.traceId).toBe(published.traceId);
      expect(attempt.parentSpanId).toBe(published.spanId);
      expect(attribute(attempt, "db24x7.delivery.id")).toMatch(/^dlv_/);
      expect(attribute(attempt, "db24x7.attempt.result")).toBe("success");
      expect(attribute(attempt, "http.response.status_code")).toBe(200);
      expect(JSON.stringify(attempt)).not.toContain("/e/0");
    }
    const batch = spans.find((s) => s.name === "webhooks.deliver-first-attempts");
    expect(batch?.links?.length).toBeGreaterThan(0);
    // A retry's attempt is the child of its delivery's run.
    const retries = () => spans.filter((s) => s.name === "webhooks.attempt" && attribute(s, "db24x7.attempt.number") === 2);
    await waitFor(() => retries().length === 2, 15_000, "the retries' spans");
    for (const retry of retries()) {
      const run = spans.find((s) => s.spanId === retry.parentSpanId);
      expect(run?.name).toBe("webhooks.deliver-webhook");
      expect(attribute(run!, "db24x7.delivery.id")).toBe(attribute(retry, "db24x7.delivery.id"));
      expect(attribute(retry, "db24x7.attempt.result")).toBe("http_status");
      expect(attribute(retry, "http.response.status_code")).toBe(500);
    }
  });
});
