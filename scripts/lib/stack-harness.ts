// Shared by `npm run bench` and `npm run test:crash`: the whole product started the way users
// start it (`scripts/run.ts start`), found again process by process through /proc, a receiver
// on 127.0.0.1 that verifies every signature as the customer documentation says, and an
// account with an API key and endpoints created through the public API.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync, type WriteStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createAccount } from "../../lib/accounts/create-account";
import { createPrismaClient } from "../../lib/db-client";
import { newId } from "../../lib/ids";

export const root = join(import.meta.dirname, "../..");

// ── the stack ────────────────────────────────────────────────────────────────

export interface StackOptions {
  port: number;
  enginePort: number;
  pglitePort: number;
  /** PostgreSQL to use; PGlite (on `dataDir`, or in memory) when absent. */
  databaseUrl?: string;
  /** PGlite's data directory parent (DB24X7_DATA_DIR); ":memory:" for none. */
  dataDir?: string;
  distDir: string;
  env?: Record<string, string>;
  /** Every line the stack prints goes here. */
  logFile: string;
  /** Called with each line (already written to the log). */
  onLine?: (line: string) => void;
}

export type Role = "launcher" | "pglite" | "engine" | "worker" | "next";

export interface RunningStack {
  appUrl: string;
  databaseUrl: string;
  launcher: ChildProcess;
  /** The stack's processes by role, found through /proc (next's own children included). */
  processes(): Map<Role, number[]>;
  /** SIGTERM to the launcher, which stops its children; SIGKILL whatever is left after 15 s. */
  stop(): Promise<void>;
  /** SIGKILL every process of the stack at once (the launcher last), as a crash would. */
  kill9(roles?: Role[]): void;
  exited: Promise<number | null>;
}

// Secrets for benchmarks and tests only: `run.ts start` refuses the development defaults.
export const TEST_SECRETS = {
  NEXTAUTH_SECRET: "bench-auth-secret-0123456789abcdef0123456789",
  APP_ENCRYPTION_KEY: "bench-encryption-key-0123456789abcdef012345",
};

/** The sources a build was made from: the commit plus any uncommitted change. */
function sourceStamp(): string {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: root, encoding: "utf8" }).stdout ?? "";
  return createHash("sha256")
    .update(git("rev-parse", "HEAD"))
    .update(git("diff", "HEAD", "--", ".", ":(exclude)tsconfig.json"))
    .update(git("ls-files", "--others", "--exclude-standard"))
    .digest("hex");
}

/** Builds the app into `distDir` unless a build of the current sources is already there. */
export async function ensureBuild(distDir: string, log: (m: string) => void): Promise<void> {
  // A bench run by another (bench:history) uses the build its parent checked, even when the
  // sources changed since the parent started.
  if (process.env.BENCH_BUILD_CHECKED === distDir && existsSync(join(root, distDir, "BUILD_ID"))) return;
  const stampFile = join(root, distDir, "SOURCE_STAMP");
  const stamp = sourceStamp();
  if (existsSync(join(root, distDir, "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  log(`no production build of the current sources in ${distDir}: running \`npm run build\` (a few minutes)…`);
  const child = spawn("npm", ["run", "build"], {
    cwd: root,
    env: { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c));
  child.stderr!.on("data", (c: Buffer) => (output += c));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  // next build rewrites tsconfig.json's include list for the dist dir; put it back.
  await new Promise((r) => spawn("git", ["checkout", "--", "tsconfig.json"], { cwd: root, stdio: "ignore" }).once("exit", r));
  if (code !== 0) throw new Error(`npm run build failed:\n${output.slice(-4000)}`);
  writeFileSync(stampFile, stamp);
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_SECRETS,
    NODE_ENV: "production",
    PORT: String(options.port),
    INNGEST_ENGINE_PORT: String(options.enginePort),
    PGLITE_PORT: String(options.pglitePort),
    NEXT_DIST_DIR: options.distDir,
    NEXT_TELEMETRY_DISABLED: "1",
    // The receivers listen on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
    ...options.env,
  };
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.dataDir) env.DB24X7_DATA_DIR = options.dataDir;

  const log: WriteStream = createWriteStream(options.logFile, { flags: "a" });
  const launcher = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/run.ts"), "start"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((r) => launcher.once("exit", (code) => r(code)));
  let databaseUrl = options.databaseUrl ?? "";
  const appUrl = `http://127.0.0.1:${options.port}`;
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [launcher.stdout!, launcher.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        // Lines the pipes still held when kill9() ended the log arrive after it.
        if (!log.writableEnded) log.write(`${line}\n`);
        options.onLine?.(line);
        if (line.startsWith("[db24x7] ready in")) resolve();
      });
    }
    void exited.then((code) => reject(new Error(`the stack exited (${code}) before it was ready; see ${options.logFile}`)));
  });
  await ready;
  if (!databaseUrl) {
    databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${options.pglitePort}/postgres?sslmode=disable`;
  }

  const processes = () => {
    const found = new Map<Role, number[]>([["launcher", [launcher.pid!]]]);
    for (const pid of descendants(launcher.pid!)) {
      const cmd = cmdline(pid);
      const role: Role | undefined = cmd.includes("pglite-server")
        ? "pglite"
        : cmd.includes("inngest/engine/main")
          ? "engine"
          : cmd.includes("inngest/worker")
            ? "worker"
            : cmd.includes("next")
            ? "next"
            : undefined;
      if (role) found.set(role, [...(found.get(role) ?? []), pid]);
    }
    return found;
  };

  return {
    appUrl,
    databaseUrl,
    launcher,
    processes,
    exited,
    async stop() {
      const all = [...processes().values()].flat();
      launcher.kill("SIGTERM");
      const timer = setTimeout(() => all.forEach((pid) => tryKill(pid, "SIGKILL")), 15_000);
      await exited;
      clearTimeout(timer);
      // Children the launcher did not take down (it waits 3 s at most, then leaves them).
      for (const pid of all) if (alive(pid)) await waitGone(pid, 10_000);
      for (const pid of all) if (alive(pid)) tryKill(pid, "SIGKILL");
      log.end();
    },
    kill9(roles) {
      if (roles) {
        const found = processes();
        for (const role of roles) for (const pid of found.get(role) ?? []) tryKill(pid, "SIGKILL");
        return;
      }
      // Freeze the whole tree first, top down, so no process reacts to another's death (the
      // launcher stopping the rest gracefully) before it dies itself, as in a real crash.
      const frozen = new Set<number>();
      for (let round = 0; round < 5; round++) {
        const found = [launcher.pid!, ...descendants(launcher.pid!)].filter((pid) => !frozen.has(pid));
        if (found.length === 0) break;
        for (const pid of found) {
          tryKill(pid, "SIGSTOP");
          frozen.add(pid);
        }
      }
      for (const pid of frozen) tryKill(pid, "SIGKILL");
      log.end();
    },
  };
}

function tryKill(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function waitGone(pid: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A non-negative number from the environment (the scripts' knobs), or `fallback` when unset. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

/** Whether a PostgreSQL URL points at this machine (its server's CPU is then ours to count). */
export function isLocalDatabase(databaseUrl: string | undefined): boolean {
  return databaseUrl !== undefined && /^(127\.0\.0\.1|localhost|\[::1\])$/.test(new URL(databaseUrl).hostname);
}

// ── /proc ────────────────────────────────────────────────────────────────────

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Every process whose name (comm) is `name`, e.g. a local PostgreSQL server and its backends. */
export function processesNamed(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of a process; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident memory now and at its peak (VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

// ── the receiver ─────────────────────────────────────────────────────────────

export interface Receipt {
  endpoint: number;
  /** X-DB24x7-Event-ID. */
  eventId: string;
  /** The `id` in the signed body (must equal the header). */
  bodyEventId: string;
  /** X-DB24x7-Delivery-ID: the attempt's id. */
  attemptId: string;
  status: number;
  at: number;
}

export interface Receiver {
  base: string;
  /** Every request answered, in order. */
  receipts: Receipt[];
  /** Requests whose signature did not verify (always answered 401). */
  badSignatures: number;
  /** Set each endpoint's secret once known (path /e/<index>). */
  secrets: Map<number, string>;
  onReceipt?: (receipt: Receipt) => void;
  stop(): Promise<void>;
}

/**
 * Answers POST /e/<endpoint index> after verifying X-DB24x7-Signature exactly as the customer
 * documentation shows (HMAC-SHA256 of the raw body, the secret's UTF-8 bytes as key, compared
 * in constant time). `respond` picks the status of a verified request; 2xx by default.
 */
export async function startReceiver(respond: (endpoint: number, eventId: string) => number = () => 200): Promise<Receiver> {
  const receiver: Receiver = {
    base: "",
    receipts: [],
    badSignatures: 0,
    secrets: new Map(),
    stop: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      const raw = Buffer.concat(chunks);
      const endpoint = Number(/^\/e\/(\d+)$/.exec(req.url ?? "")?.[1] ?? -1);
      const secret = receiver.secrets.get(endpoint);
      if (req.method !== "POST" || secret === undefined) return void res.writeHead(404).end();
      if (!verifySignature(secret, raw, String(req.headers["x-db24x7-signature"] ?? ""))) {
        receiver.badSignatures++;
        return void res.writeHead(401).end();
      }
      const eventId = String(req.headers["x-db24x7-event-id"] ?? "");
      let bodyEventId = "";
      try {
        bodyEventId = String((JSON.parse(raw.toString("utf8")) as { id?: unknown }).id ?? "");
      } catch {
        // recorded as "": the checks report it
      }
      const status = respond(endpoint, eventId);
      const receipt = { endpoint, eventId, bodyEventId, attemptId: String(req.headers["x-db24x7-delivery-id"] ?? ""), status, at };
      receiver.receipts.push(receipt);
      receiver.onReceipt?.(receipt);
      res.writeHead(status, { "content-type": "application/json" }).end('{"received":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  receiver.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.stop = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return receiver;
}

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

function verifySignature(secret: string, raw: Buffer, header: string): boolean {
  const expected = signBody(secret, raw);
  return header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
}

// ── an account, an API key, endpoints ────────────────────────────────────────

export interface Endpoint {
  index: number;
  id: string;
  secret: string;
}

/**
 * A fresh account and admin API key straight in the database (as the e2e fixtures do), then
 * endpoints through POST /api/v1/webhooks, which returns each signing secret once.
 */
export async function createTenant(
  databaseUrl: string,
  appUrl: string,
  receiverBase: string,
  endpoints: Array<{ eventTypes: string[] }>,
): Promise<{ accountId: string; apiKey: string; endpoints: Endpoint[] }> {
  const prisma = createPrismaClient(databaseUrl, 1);
  const tag = randomBytes(4).toString("hex");
  let accountId: string;
  const apiKey = `db24x7_sk_${randomBytes(32).toString("base64url")}`;
  try {
    ({ accountId } = await createAccount(prisma, {
      name: `Bench ${tag}`,
      members: [{ email: `bench-${tag}@bench.db24x7.dev`, name: "Bench", password: "bench password long enough", role: "admin" }],
    }));
    await prisma.apiKey.create({
      data: {
        id: newId("key"),
        accountId,
        name: "bench",
        prefix: apiKey.slice(0, 16),
        keyHash: createHash("sha256").update(apiKey).digest("hex"),
        role: "admin",
      },
    });
  } finally {
    await prisma.$disconnect();
  }
  const created: Endpoint[] = [];
  for (const [index, spec] of endpoints.entries()) {
    const res = await fetch(`${appUrl}/api/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      // http:// targets are refused in production environments; staging takes them.
      body: JSON.stringify({ url: `${receiverBase}/e/${index}`, environment: "staging", event_types: spec.eventTypes }),
    });
    const body = (await res.json()) as { id: string; secret: string };
    if (res.status !== 201 && res.status !== 200) throw new Error(`creating an endpoint failed (${res.status}): ${JSON.stringify(body)}`);
    created.push({ index, id: body.id, secret: body.secret });
  }
  return { accountId, apiKey, endpoints: created };
}

/** A documented sample payload for an event type (from the catalog). */
export async function sampleData(type: string): Promise<Record<string, unknown>> {
  const { EVENT_TYPES } = await import("../../lib/webhooks/event-types");
  const def = EVENT_TYPES.find((t) => t.type === type);
  if (!def) throw new Error(`unknown event type ${type}`);
  return def.sample as Record<string, unknown>;
}

/** POST /api/v1/events; returns the event id. */
// Producers post over node:http with keep-alive: fetch costs several times the CPU per request,
// CPU the load generator would take from the stack.
// Idle sockets go after 4 s, before the server's 5 s keep-alive timeout can close one under a
// request (ECONNRESET).
const producerAgent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: producerAgent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

export async function publish(
  appUrl: string,
  apiKey: string,
  type: string,
  data: Record<string, unknown>,
  producerId?: string,
): Promise<{ id: string; deliveries: number }> {
  const request = JSON.stringify({ type, data, environment: "staging", ...(producerId ? { id: producerId } : {}) });
  const res = await post(`${appUrl}/api/v1/events`, { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, request);
  const text = res.text;
  if (res.status !== 202) throw new Error(`publishing failed (${res.status}): ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { id: string; deliveries: unknown[] };
  return { id: body.id, deliveries: body.deliveries.length };
}

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
