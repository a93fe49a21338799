// `npm run dev` / `npm start`: brings up the whole product on one machine.
//   `dev` listens on loopback only: its function endpoint answers unsigned calls. `start` shares
//   a signing key between the engine and the worker (INNGEST_SIGNING_KEY, else generated once
//   and kept in the database) and every call between them is signed both ways.
//   database: DATABASE_URL if set, else PGlite in its own process (data under .data/pglite)
//   migrations (skipped when all are applied), the demo account on first start (dev only)
//   the embedded Inngest engine (unless INNGEST_EMBEDDED=0) and, for `start`, the delivery
//   worker it calls (inngest/worker.ts), then Next.js
// Any child exiting takes the others down, so a half-running stack never lingers.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  ConfigError,
  DEV_AUTH_SECRET,
  DEV_ENCRYPTION_KEY,
  environmentSettings,
  productionConfigProblems,
  type Settings,
} from "../lib/config";
import { DEMO_LOGIN, seedDemoAccount } from "../lib/accounts/demo";
import { isLoopbackHost, plainHttpWarning } from "../lib/public-url";
import { createPrismaClient } from "../lib/db-client";
import { signatureHeader } from "../inngest/engine/signing";
import { inngestKeys, SigningKeyError, type InngestKeys } from "./lib/inngest-keys";
import { migrate } from "./lib/migrate";

const mode = process.argv[2] === "start" ? "start" : "dev";
const root = join(import.meta.dirname, "..");
const host = process.env.HOST ?? "127.0.0.1";
const settings = checkedSettings();
const port = settings.PORT;
const enginePort = settings.INNGEST_ENGINE_PORT;
const dataDir = process.env.DB24X7_DATA_DIR ?? join(root, ".data");
const children: ChildProcess[] = [];
let stopping = false;

function log(message: string) {
  process.stdout.write(`[db24x7] ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`[db24x7] ${message}\n`);
  process.exit(1);
}

// Every setting is checked before anything starts: a bad value stops start-up here, named,
// instead of turning up later as a NaN in one of the children.
function checkedSettings(): Settings {
  try {
    return environmentSettings();
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`);
    throw error;
  }
}

function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  // A child still up after 3 s is killed rather than left behind: a next-server that outlives
  // the launcher keeps its port, and the next start fails on it.
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    process.exit(code);
  }, 3000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null))).then(
    () => process.exit(code),
  );
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  child.once("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(`[db24x7] ${name} exited (${signal ?? code}); stopping\n`);
      stopAll(1);
    }
  });
  return child;
}

async function startPglite(): Promise<string> {
  const dir = dataDir === ":memory:" ? ":memory:" : join(dataDir, "pglite");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "scripts/lib/pglite-server.ts"), dir, process.env.PGLITE_PORT ?? "0"],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  child.once("exit", (code) => !stopping && (process.stderr.write(`[db24x7] PGlite exited (${code}); stopping\n`), stopAll(1)));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once("exit", () => reject(new Error("PGlite did not start")));
    lines.on("line", (line) => {
      if (line.startsWith("PGLITE_URL=")) resolve(line.slice("PGLITE_URL=".length));
      else process.stdout.write(`[pglite] ${line}\n`);
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, headers: () => Record<string, string> = () => ({})) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url, { redirect: "manual", headers: headers() });
      if (res.status < 500) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function main() {
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));

  if (mode === "dev" && !isLoopbackHost(host)) {
    fail(`npm run dev serves the Inngest functions unsigned (dev mode) and listens on 127.0.0.1 only (HOST=${host}). Use npm start to serve other hosts.`);
  }
  if (mode === "start" && process.env.INNGEST_EMBEDDED === "0" && !process.env.INNGEST_SIGNING_KEY) {
    fail("With INNGEST_EMBEDDED=0, npm start serves the functions at /api/inngest to Inngest Cloud or self-hosted Inngest, signed: set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY.");
  }
  if (mode === "start") {
    const problems = productionConfigProblems(process.env);
    if (problems.length) fail(`Refusing to start in production with development defaults. Set:\n  - ${problems.join("\n  - ")}`);
    if (!existsSync(join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"))) fail("No production build found: run `npm run build` first.");
    const insecure = plainHttpWarning(process.env.NEXTAUTH_URL ?? `http://${host}:${port}`);
    if (insecure) log(`warning: ${insecure}`);
  }

  const t0 = Date.now();
  const databaseUrl = process.env.DATABASE_URL || (await startPglite());
  const applied = await migrate(databaseUrl);
  if (applied.length) log(`applied migrations: ${applied.join(", ")}`);
  const appUrl = `http://${host}:${port}`;
  const embeddedEngine = process.env.INNGEST_EMBEDDED !== "0";
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NEXT_TELEMETRY_DISABLED: "1",
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? appUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? DEV_AUTH_SECRET,
    APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY ?? DEV_ENCRYPTION_KEY,
  };

  const prisma = createPrismaClient(databaseUrl, 1);
  let keys: InngestKeys | undefined;
  try {
    if (mode === "dev" && (await seedDemoAccount(prisma))) log("seeded the demo account");
    if (mode === "start" && embeddedEngine) {
      keys = await inngestKeys(prisma, { given: process.env.INNGEST_SIGNING_KEY, masterKey: env.APP_ENCRYPTION_KEY! });
      if (keys.source === "generated") log("generated the Inngest signing key (kept, encrypted, in the database)");
    }
  } catch (error) {
    if (error instanceof SigningKeyError) fail(error.message);
    throw error;
  } finally {
    await prisma.$disconnect();
  }

  if (embeddedEngine && mode === "dev") {
    // Development: the engine calls Next.js's /api/inngest unsigned (Inngest's dev mode), and
    // Next.js reloads the functions as they are edited. Both listen on loopback only.
    env.INNGEST_DEV = `http://127.0.0.1:${enginePort}`;
    // Next.js serves the functions here: only the engine's metrics live elsewhere.
    env.DB24X7_METRICS_PEERS = `http://127.0.0.1:${enginePort}/metrics`;
    start("engine", ["--import", "tsx", join(root, "inngest/engine/main.ts")], {
      ...env,
      INNGEST_ENGINE_PORT: String(enginePort),
      INNGEST_APP_URL: process.env.INNGEST_APP_URL ?? `${appUrl}/api/inngest`,
    });
  } else if (keys) {
    // Production: the engine calls the delivery worker (inngest/worker.ts), a process of its own
    // beside Next.js, signed both ways with the shared key as Inngest Cloud does. Next.js only
    // sends events (with the event key) and does not serve the functions at all.
    const workerPort = settings.INNGEST_WORKER_PORT ?? enginePort + 1;
    const functionsUrl = `http://127.0.0.1:${workerPort}/api/inngest`;
    for (const name of ["INNGEST_DEV", "INNGEST_API_BASE_URL", "INNGEST_EVENT_API_BASE_URL", "INNGEST_SIGNING_KEY", "INNGEST_SIGNING_KEY_FALLBACK"]) {
      delete env[name];
    }
    Object.assign(env, { INNGEST_BASE_URL: `http://127.0.0.1:${enginePort}`, INNGEST_EVENT_KEY: keys.eventKey });
    start("worker", ["--conditions=react-server", "--import", "tsx", join(root, "inngest/worker.ts")], {
      ...env,
      NODE_ENV: "production",
      INNGEST_WORKER_PORT: String(workerPort),
      INNGEST_SIGNING_KEY: keys.signingKey,
      INNGEST_SERVE_ORIGIN: new URL(functionsUrl).origin,
    });
    // Asked as the engine asks (signed), so the worker does not log a refused call at each start.
    const { signingKey } = keys;
    const signed = () => ({ "x-inngest-signature": signatureHeader("", signingKey) });
    if (!(await waitForHttp(functionsUrl, 60_000, signed))) fail("the delivery worker did not start");
    start("engine", ["--import", "tsx", join(root, "inngest/engine/main.ts")], {
      ...env,
      INNGEST_ENGINE_PORT: String(enginePort),
      INNGEST_APP_URL: process.env.INNGEST_APP_URL ?? functionsUrl,
      INNGEST_SIGNING_KEY: keys.signingKey,
    });
    env.DB24X7_WORKER_SERVES_FUNCTIONS = "1";
    // GET /metrics on Next.js gathers the worker's and the engine's counters (same token).
    env.DB24X7_METRICS_PEERS = `http://127.0.0.1:${workerPort}/metrics,http://127.0.0.1:${enginePort}/metrics`;
  }

  const next = join(root, "node_modules/next/dist/bin/next");
  start("next", [next, mode, "-H", host, "-p", String(port)], env);

  if (await waitForHttp(`${appUrl}/login`, 180_000)) {
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${appUrl}`);
    if (mode === "dev") log(`demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);
    if (!process.env.DATABASE_URL) log(`database: PGlite (${dataDir === ":memory:" ? "in memory" : join(dataDir, "pglite")})`);
  }
}

main().catch((error) => {
  process.stderr.write(`[db24x7] ${error instanceof Error ? error.message : String(error)}\n`);
  stopAll(1);
});
