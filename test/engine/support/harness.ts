// Test harness: a real `inngest` SDK app served over HTTP on 127.0.0.1, and the engine
// (in-process, or as a child process for crash tests), on the vitest database.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest, type InngestFunction } from "inngest";
import { serve } from "inngest/node";
import pg from "pg";
import { inject } from "vitest";
import { createBackoff } from "../../../inngest/engine/backoff";
import { startEngine, type EngineOptions, type RunningEngine } from "../../../inngest/engine/engine";
import type { LogFields } from "../../../inngest/engine/log";
import { hashedSigningKey } from "../../../inngest/engine/signing";

export const databaseUrl = () => inject("databaseUrl");

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestApp {
  url: string;
  client: Inngest;
  stop(): Promise<void>;
}

/** Serve `functions` (built on `client`) with the real SDK; the client talks to the engine. */
export async function startApp(
  client: Inngest,
  functions: InngestFunction.Any[],
  port = 0,
): Promise<TestApp> {
  const handler = serve({ client, functions });
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/api/inngest")) return void handler(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;
  return {
    url,
    client,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function devClient(id: string, enginePort: number): Inngest {
  return new Inngest({ id, isDev: true, baseUrl: `http://127.0.0.1:${enginePort}` });
}

export interface LogLine extends LogFields {
  level: string;
  msg: string;
}

export interface TestEngine extends RunningEngine {
  logs: LogLine[];
  /** GET an engine API path, parsed. */
  get<T = any>(path: string): Promise<T>;
}

/** Short retries so failure paths finish in milliseconds. */
export const fastBackoff = () => createBackoff([50, 100, 200], 0);

export async function startTestEngine(
  options: Partial<EngineOptions> & { schema: string; waitForSync?: boolean },
): Promise<TestEngine> {
  const { waitForSync = true, ...engineOptions } = options;
  const logs: LogLine[] = [];
  const engine = await startEngine({
    databaseUrl: databaseUrl(),
    port: 0,
    backoff: fastBackoff(),
    dbPoolSize: 3,
    log: (level, msg, fields) => logs.push({ level, msg, ...fields }),
    ...engineOptions,
  });
  if (options.appUrl && waitForSync) await waitFor(() => logs.some((l) => l.msg === "app synced"), 20_000, "app sync");
  // In signed mode the engine's API wants the signing key's hash, as the SDK sends it.
  const headers: Record<string, string> = options.signingKey ? { authorization: `Bearer ${hashedSigningKey(options.signingKey)}` } : {};
  return { ...engine, logs, get: (path) => getJson(`${engine.url}${path}`, headers) };
}

export async function getJson<T = any>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
  return (await res.json()) as T;
}

/** Poll until `check` returns a value other than undefined/false. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  what = "condition",
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface RunSummary {
  id: string;
  fn_id: string;
  status: string;
}

/** Runs of one function once `count` of them have reached a final status (newest 500 listed). */
export async function waitForRuns(engine: { get: TestEngine["get"] }, fnId: string, count = 1, timeoutMs = 20_000): Promise<RunSummary[]> {
  return waitFor(
    async () => {
      const { data, counts } = await engine.get<{ data: RunSummary[]; counts: Record<string, number> }>(
        `/v1/runs?fn_id=${encodeURIComponent(fnId)}&limit=500`,
      );
      const finished = Object.entries(counts).reduce((sum, [status, n]) => (status === "Running" ? sum : sum + n), 0);
      // The list and the counts are separate queries: require both to agree.
      const listed = data.filter((r) => r.status !== "Running");
      return finished >= count && listed.length >= Math.min(count, 500) ? listed : undefined;
    },
    timeoutMs,
    `${count} finished run(s) of ${fnId}`,
    count > 50 ? 200 : 25,
  );
}

export async function runDetail(engine: { get: TestEngine["get"] }, runId: string): Promise<any> {
  return (await engine.get<{ data: unknown }>(`/v1/runs/${runId}`)).data;
}

/**
 * The id of a run of `fnId` once it is asleep: running, with only sleeps queued. The steps before
 * the sleep are stored by then, and its concurrency slot is free.
 */
export async function waitForSleepingRun(engine: { get: TestEngine["get"] }, fnId: string, timeoutMs = 20_000): Promise<string> {
  return waitFor(
    async () => {
      const { data } = await engine.get<{ data: RunSummary[] }>(`/v1/runs?fn_id=${encodeURIComponent(fnId)}`);
      for (const run of data.filter((r) => r.status === "Running")) {
        const { pending } = (await runDetail(engine, run.id)) as { pending: Array<{ sleep_id: string | null }> };
        if (pending.length > 0 && pending.every((item) => item.sleep_id !== null)) return run.id;
      }
      return undefined;
    },
    timeoutMs,
    `a sleeping run of ${fnId}`,
  );
}

/** Sync an app with the engine the way the Dev Server does (PUT; the SDK POSTs /fn/register). */
export async function syncApp(appUrl: string): Promise<{ status: number; body: any }> {
  const res = await fetch(appUrl, {
    method: "PUT",
    headers: { "content-type": "application/json", "x-inngest-server-kind": "dev" },
    body: JSON.stringify({ url: appUrl }),
  });
  return { status: res.status, body: await res.json() };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The engine as its own process (`node --import tsx inngest/engine/main.ts`), for kill -9. */
export interface EngineProcess {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnEngine(env: Record<string, string>): Promise<EngineProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "inngest/engine/main.ts"], {
    cwd: new URL("../../../", import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes('"engine started"') || child.exitCode !== null, 20_000, "engine process start");
  if (child.exitCode !== null) throw new Error(`engine exited: ${output}`);
  return {
    child,
    output: () => output,
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    },
  };
}
