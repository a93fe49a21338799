// `npm run bench:publish`: the cost of POST /api/v1/events alone. Starts the production build
// (scripts/run.ts start) against PGlite or DATABASE_URL, creates an account with
// BENCH_ENDPOINTS (10) endpoints on a receiver on 127.0.0.1, publishes BENCH_EVENTS (3,000)
// events with BENCH_CONCURRENCY (32) producers and prints events/s, request p50/p99,
// next-server CPU per publish and the SQL it cost: every statement and round trip the app
// sends is counted by a wire-protocol proxy between the app and the database.
//
// By default an Inngest stand-in takes the events `inngest.send()` hands over and runs
// nothing, so no delivery shares the CPU being measured. BENCH_DELIVER=1 runs the embedded
// engine instead: deliveries run in the same process, as in production (the SQL counts then
// include the engine's and the deliveries').
// BENCH_PROFILE=1 writes CPU profiles of every process and prints where next-server's went.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  cpuSeconds,
  createTenant,
  ensureBuild,
  percentile,
  envNumber,
  isLocalDatabase,
  processesNamed,
  publish,
  root,
  sampleData,
  sleep,
  startReceiver,
  startStack,
} from "./lib/stack-harness";

const EVENTS = envNumber("BENCH_EVENTS", 3_000);
const WARMUP = envNumber("BENCH_WARMUP", 300);
const ENDPOINTS = Math.max(1, envNumber("BENCH_ENDPOINTS", 10));
const CONCURRENCY = Math.max(1, envNumber("BENCH_CONCURRENCY", 32));
// Every fourth event carries a producer id (the dedupe path), as DB24x7's services send some.
const PRODUCER_ID_EVERY = envNumber("BENCH_PRODUCER_ID_EVERY", 4);
const TIMEOUT_MS = envNumber("BENCH_TIMEOUT_S", 300) * 1000;
const DELIVER = process.env.BENCH_DELIVER === "1";
const PROFILE = process.env.BENCH_PROFILE === "1";
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const LOCAL_POSTGRES = isLocalDatabase(DATABASE_URL);
const TYPE = "alert.critical";

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const resultsDir = join(root, "bench-results");
mkdirSync(resultsDir, { recursive: true });
const log = (m: string) => process.stdout.write(`[bench:publish] ${m}\n`);
const round = (n: number, digits = 0) => Number(n.toFixed(digits));

// ── SQL counting: a PostgreSQL wire-protocol proxy ───────────────────────────

interface SqlCounts {
  /** Statements executed: extended-protocol Executes plus simple Queries. */
  statements: number;
  /** Waits for the server: Syncs plus simple Queries. */
  roundTrips: number;
  byText: Map<string, number>;
}

/**
 * Forwards every connection to `upstream` unchanged and reads the client's side of the
 * protocol: StartupMessage (untyped), then typed messages. Parse names a statement's text,
 * Bind binds a portal to a statement, Execute runs it; Sync ends a round trip; Query is both.
 */
async function startSqlCounter(upstream: URL) {
  const counts: SqlCounts = { statements: 0, roundTrips: 0, byText: new Map() };
  const count = (text: string) => {
    counts.statements++;
    const key = text.replace(/\s+/g, " ").trim().slice(0, 140);
    counts.byText.set(key, (counts.byText.get(key) ?? 0) + 1);
  };
  const server = net.createServer((client) => {
    const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
    // Without these, Nagle's algorithm holds small writes back ~40 ms.
    client.setNoDelay(true);
    server.setNoDelay(true);
    client.pipe(server);
    server.pipe(client);
    const close = () => (client.destroy(), server.destroy());
    client.on("error", close).on("close", close);
    server.on("error", close).on("close", close);
    const statements = new Map<string, string>();
    const portals = new Map<string, string>();
    let startup = true;
    let buffer: Buffer = Buffer.alloc(0);
    const cstring = (b: Buffer, at: number) => {
      const end = b.indexOf(0, at);
      return [b.toString("utf8", at, end), end + 1] as const;
    };
    client.on("data", (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (startup) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          // SSLRequest / GSSENCRequest are followed by another untyped message.
          const code = buffer.readInt32BE(4);
          if (code !== 80877103 && code !== 80877104) startup = false;
          buffer = buffer.subarray(length);
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === "Q") {
          count(cstring(body, 0)[0]);
          counts.roundTrips++;
        } else if (type === "P") {
          const [name, at] = cstring(body, 0);
          statements.set(name, cstring(body, at)[0]);
        } else if (type === "B") {
          const [portal, at] = cstring(body, 0);
          portals.set(portal, statements.get(cstring(body, at)[0]) ?? "?");
        } else if (type === "E") {
          count(portals.get(cstring(body, 0)[0]) ?? "?");
        } else if (type === "S") {
          counts.roundTrips++;
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = new URL(upstream);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    counts,
    reset() {
      counts.statements = 0;
      counts.roundTrips = 0;
      counts.byText.clear();
    },
    stop: () => new Promise((r) => server.close(r)),
  };
}

// ── an Inngest stand-in that accepts events and runs nothing ─────────────────

async function startInngestStandIn() {
  let events = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || !req.url?.startsWith("/e/")) return void res.writeHead(404).end("{}");
      const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      const list = Array.isArray(parsed) ? parsed : [parsed];
      requests++;
      events += list.length;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ids: list.map((e: { id?: string }, i) => e.id ?? `stand-in-${events}-${i}`), status: 200 }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ events, requests }),
    stop: () => (server.closeAllConnections(), new Promise((r) => server.close(r))),
  };
}

// ── PGlite in its own process (when no DATABASE_URL) ─────────────────────────

async function startPglite(port: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/lib/pglite-server.ts"), ":memory:", String(port)], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: profileNodeOptions(process.env.NODE_OPTIONS) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`PGlite exited (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("PGLITE_URL=")) resolve(line.slice("PGLITE_URL=".length));
    });
  });
  return { url, child };
}

const profileDir = join(resultsDir, `publish-profiles-${stamp}`);

function profileNodeOptions(existing = ""): string {
  if (!PROFILE) return existing;
  return `${existing} --require ${join(root, "scripts/lib/cpu-profile-preload.cjs")}`.trim();
}

// ── a profile summary: where next-server's CPU went ──────────────────────────

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

function summarizeProfile(file: string) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*\/(node_modules|\.next[^/]*)\//, "$1/").replace(root, "")}:${n.callFrame.lineNumber + 1}`;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    all += ms;
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + ms);
    // Inclusive time, each label once per sample.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (!seen.has(l)) {
        seen.add(l);
        total.set(l, (total.get(l) ?? 0) + ms);
      }
    }
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${((v / all) * 100).toFixed(1).padStart(5)}%  ${k}`).join("\n");
  return `profile ${file} (${round(all / 1000, 1)} s sampled)\n self:\n${top(self, 30)}\n inclusive:\n${top(total, 40)}`;
}

// ── the run ──────────────────────────────────────────────────────────────────

async function main() {
  const distDir = process.env.BENCH_DIST_DIR || ".next-publish";
  await ensureBuild(distDir, log);
  if (PROFILE) mkdirSync(profileDir, { recursive: true });
  if (PROFILE) process.env.BENCH_PROFILE_DIR = profileDir;

  const pglite = DATABASE_URL ? undefined : await startPglite(envNumber("BENCH_PGLITE_PORT", 54999));
  const sql = await startSqlCounter(new URL(DATABASE_URL ?? pglite!.url));
  const standIn = DELIVER ? undefined : await startInngestStandIn();
  const receiver = await startReceiver();
  const env: Record<string, string> = {
    INNGEST_ENGINE_RESYNC_MS: "600000",
    // The stand-in plays Inngest Cloud: Next.js sends it events signed-mode style (event key).
    ...(standIn
      ? {
          INNGEST_EMBEDDED: "0",
          INNGEST_BASE_URL: standIn.url,
          INNGEST_SIGNING_KEY: "signkey-bench-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
          INNGEST_EVENT_KEY: "bench-event-key",
        }
      : {}),
  };
  if (PROFILE) {
    env.NODE_OPTIONS = profileNodeOptions(process.env.NODE_OPTIONS);
    env.BENCH_PROFILE_DIR = profileDir;
  }
  const logFile = join(resultsDir, `publish-${stamp}-stack.log`);
  const stack = await startStack({
    port: envNumber("BENCH_PORT", 3700),
    enginePort: envNumber("BENCH_ENGINE_PORT", 8988),
    pglitePort: envNumber("BENCH_PGLITE_PORT", 54999),
    databaseUrl: sql.url,
    distDir,
    env,
    logFile,
  });
  const database = DATABASE_URL ? "postgresql" : "pglite";
  log(`stack up at ${stack.appUrl} (${database}, ${DELIVER ? "embedded engine, deliveries running" : "Inngest stand-in, no deliveries"}; log ${logFile})`);

  let failed = false;
  try {
    const tenant = await createTenant(
      stack.databaseUrl,
      stack.appUrl,
      receiver.base,
      Array.from({ length: ENDPOINTS }, () => ({ eventTypes: [TYPE] })),
    );
    for (const e of tenant.endpoints) receiver.secrets.set(e.index, e.secret);
    const data = await sampleData(TYPE);
    const run = async (count: number, idPrefix: string) => {
      const ms: number[] = [];
      let next = 0;
      let deliveries = 0;
      const deadline = Date.now() + TIMEOUT_MS;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < count; i = next++) {
            if (Date.now() > deadline) throw new Error(`timed out after ${TIMEOUT_MS / 1000} s`);
            const producerId = PRODUCER_ID_EVERY && i % PRODUCER_ID_EVERY === 0 ? `${idPrefix}-${i}` : undefined;
            const started = performance.now();
            const published = await publish(stack.appUrl, tenant.apiKey, TYPE, data, producerId);
            deliveries += published.deliveries;
            ms.push(performance.now() - started);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      ms.sort((a, b) => a - b);
      return { seconds, deliveries, p50: percentile(ms, 50), p99: percentile(ms, 99) };
    };

    await run(WARMUP, `warmup-${stamp}`);
    // What a producer's client gets back (fetch asks for gzip, as most HTTP clients do).
    const sample = await fetch(`${stack.appUrl}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.apiKey}`, "content-type": "application/json", "accept-encoding": "gzip, deflate" },
      body: JSON.stringify({ type: TYPE, data, environment: "staging" }),
    });
    const answer = await sample.text();
    const encoding = `${sample.headers.get("content-encoding") ?? "none"} (${answer.length} characters)`;
    if (DELIVER) await sleep(2_000);
    const nextPids = () => stack.processes().get("next") ?? [];
    // A PostgreSQL on this machine: all its processes (other users' work included).
    const postgresPids = LOCAL_POSTGRES ? processesNamed("postgres") : [];
    const cpu = () => ({
      next: nextPids().reduce((s, p) => s + cpuSeconds(p), 0),
      database: pglite ? cpuSeconds(pglite.child.pid!) : postgresPids.reduce((s, p) => s + cpuSeconds(p), 0),
      engine: (stack.processes().get("engine") ?? []).reduce((s, p) => s + cpuSeconds(p), 0),
      bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    });
    sql.reset();
    const sentBefore = standIn?.stats();
    const before = cpu();
    const result = await run(EVENTS, `run-${stamp}`);
    const after = cpu();
    const sent = standIn?.stats();
    if (result.deliveries !== EVENTS * ENDPOINTS) throw new Error(`expected ${EVENTS * ENDPOINTS} deliveries, got ${result.deliveries}`);

    const per = (n: number) => round(n / EVENTS, 2);
    const lines: Array<[string, string]> = [
      ["events", `${EVENTS} × ${ENDPOINTS} endpoints, ${CONCURRENCY} producers, 1 in ${PRODUCER_ID_EVERY || "∞"} with a producer id`],
      ["events/s", String(round(EVENTS / result.seconds))],
      ["request p50 / p99", `${round(result.p50, 1)} ms / ${round(result.p99, 1)} ms`],
      ["next-server CPU per publish", `${round(((after.next - before.next) * 1000) / EVENTS, 2)} ms (${round(((after.next - before.next) / result.seconds) * 100)} % of a core)`],
      [
        "database CPU per publish",
        pglite || LOCAL_POSTGRES
          ? `${round(((after.database - before.database) * 1000) / EVENTS, 2)} ms (${pglite ? "PGlite" : "the local PostgreSQL's processes"})`
          : "(not measured: PostgreSQL elsewhere)",
      ],
      ["response encoding", encoding],
      ["bench CPU per publish", `${round(((after.bench - before.bench) * 1000) / EVENTS, 2)} ms`],
      ["SQL statements per publish", `${per(sql.counts.statements)}${DELIVER ? " (engine and deliveries included)" : ""}`],
      ["SQL round trips per publish", String(per(sql.counts.roundTrips))],
    ];
    // Other work on the machine shows up as slower publishes (not as more CPU per publish).
    lines.push(["load average (1 min)", `${round(loadavg()[0]!, 2)} at the end`]);
    if (sent && sentBefore) {
      lines.push(["Inngest sends per publish", `${per(sent.requests - sentBefore.requests)} requests, ${per(sent.events - sentBefore.events)} events`]);
    }
    if (DELIVER) lines.push(["engine CPU per publish", `${round(((after.engine - before.engine) * 1000) / EVENTS, 2)} ms`]);
    const file = join(resultsDir, `publish-${stamp}.json`);
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), database, deliver: DELIVER, results: Object.fromEntries(lines), statements: Object.fromEntries([...sql.counts.byText].map(([k, v]) => [k, per(v)])) }, null, 2));
    lines.push(["results", file]);
    const width = Math.max(...lines.map(([k]) => k.length));
    process.stdout.write(`\n${lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n\n  statements (per publish):\n`);
    for (const [text, n] of [...sql.counts.byText].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      process.stdout.write(`    ${per(n).toFixed(2).padStart(6)}  ${text}\n`);
    }
    process.stdout.write("\n");
  } catch (error) {
    failed = true;
    log(`failed: ${(error as Error).stack ?? error}`);
  } finally {
    await stack.stop();
    await receiver.stop();
    await standIn?.stop();
    await sql.stop();
    if (pglite) {
      pglite.child.kill("SIGTERM");
      await new Promise((r) => (pglite.child.exitCode === null ? pglite.child.once("exit", r) : r(null)));
    }
  }
  if (PROFILE) {
    await sleep(500);
    for (const file of readdirSync(profileDir).filter((f) => f.includes("next") && f.endsWith(".cpuprofile"))) {
      process.stdout.write(`${summarizeProfile(join(profileDir, file))}\n\n`);
    }
    log(`profiles: ${profileDir}`);
  }
  process.exit(failed ? 1 : 0);
}

void main();
