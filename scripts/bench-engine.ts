// `npm run bench:engine`: throughput of the embedded engine against a trivial two-step function
// served by the real SDK. Starts PGlite (unless DATABASE_URL is set) and the engine as their
// own processes, sends BENCH_EVENTS events, and prints calls/s, runs/s, event→first-call
// latency and the engine's CPU use while idle.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3_000);
const BATCH = 100;
const root = new URL("../", import.meta.url).pathname;
const children: ChildProcess[] = [];

function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: root, env: { ...process.env, ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(ready);
      if (match) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve({ child, match });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}: ${output}`)));
  });
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pglite = await start(["scripts/lib/pglite-server.ts", ":memory:", "0"], {}, /PGLITE_URL=(\S+)/);
    databaseUrl = pglite.match[1]!;
  }
  const enginePort = await freePort();
  const inngest = new Inngest({ id: "bench", isDev: true, baseUrl: `http://127.0.0.1:${enginePort}` });
  const firstCall = new Map<string, number>();
  const fn = inngest.createFunction({ id: "two-steps", retries: 0, triggers: [{ event: "bench/go" }] }, async ({ event, step }) => {
    if (!firstCall.has(event.id!)) firstCall.set(event.id!, Date.now() - (event.data as { sentAt: number }).sentAt);
    const a = await step.run("a", () => 1);
    const b = await step.run("b", () => a + 1);
    return b;
  });
  const handler = serve({ client: inngest, functions: [fn] });
  let calls = 0;
  const app = http.createServer((req, res) => {
    if (req.method === "POST") calls++;
    void handler(req, res);
  });
  app.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;

  const engine = await start(
    ["inngest/engine/main.ts"],
    {
      DATABASE_URL: databaseUrl,
      INNGEST_ENGINE_PORT: String(enginePort),
      INNGEST_APP_URL: appUrl,
      INNGEST_ENGINE_SCHEMA: "inngest_engine_bench",
      INNGEST_ENGINE_RESYNC_MS: "600000",
    },
    /"app synced"/,
  );
  // Start from an empty schema so repeated runs on a real database compare equally.
  const api = `http://127.0.0.1:${enginePort}`;
  const countCompleted = async () => {
    const res = await fetch(`${api}/v1/runs?fn_id=bench-two-steps&limit=1`);
    const { counts } = (await res.json()) as { counts: Record<string, number> };
    return counts;
  };
  const before = (await countCompleted()).Completed ?? 0;

  console.log(`sending ${EVENTS} events…`);
  const started = Date.now();
  const cpuBefore = cpuSeconds(engine.child.pid!);
  const appCpuBefore = process.cpuUsage();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const now = Date.now();
    await inngest.send(
      Array.from({ length: Math.min(BATCH, EVENTS - i) }, () => ({ name: "bench/go", data: { sentAt: now } })),
    );
  }
  for (;;) {
    const counts = await countCompleted();
    if ((counts.Completed ?? 0) - before + (counts.Failed ?? 0) >= EVENTS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (Date.now() - started) / 1_000;
  const busyCpu = cpuSeconds(engine.child.pid!) - cpuBefore;
  const appCpu = process.cpuUsage(appCpuBefore);

  const idleStart = cpuSeconds(engine.child.pid!);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const idleCpu = (cpuSeconds(engine.child.pid!) - idleStart) / 5;

  const delays = [...firstCall.values()].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        database: process.env.DATABASE_URL ? "postgresql" : "pglite",
        events: EVENTS,
        seconds: Number(seconds.toFixed(2)),
        calls_per_s: Math.round(calls / seconds),
        runs_per_s: Math.round(EVENTS / seconds),
        first_call_delay_ms: { p50: percentile(delays, 50), p99: percentile(delays, 99) },
        engine_cpu_busy_pct: Math.round((busyCpu / seconds) * 100),
        app_and_driver_cpu_busy_pct: Math.round(((appCpu.user + appCpu.system) / 1e6 / seconds) * 100),
        engine_cpu_idle_pct: Number((idleCpu * 100).toFixed(2)),
      },
      null,
      2,
    ),
  );
  app.closeAllConnections();
  app.close();
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children.reverse()) child.kill("SIGTERM");
  });
