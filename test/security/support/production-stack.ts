// The whole product as `npm start` runs it (production build, launcher, engine, worker, Next.js),
// for the security probes: they must hit what an exposed installation serves. `npm test` builds
// before it runs vitest; while developing, build once with `npm run build` (or into another
// directory with NEXT_DIST_DIR=.next-x npm run build and SECURITY_DIST_DIR=.next-x).
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { root, startStack, type RunningStack } from "../../../scripts/lib/stack-harness";
import { freePort } from "../../engine/support/harness";

export interface ProductionStack extends RunningStack {
  enginePort: number;
  workerPort: number;
  /** Everything the stack printed so far (launcher, engine, worker, Next.js). */
  output(): string;
}

/**
 * Starts the stack on free ports, on the test run's database (so tests create their own
 * accounts) unless `options.databaseUrl` says otherwise. Stop it in afterAll.
 */
export async function startProductionStack(options: { env?: Record<string, string>; databaseUrl?: string } = {}): Promise<ProductionStack> {
  const distDir = process.env.SECURITY_DIST_DIR || ".next";
  if (!existsSync(join(root, distDir, "BUILD_ID"))) {
    throw new Error(`No production build in ${distDir}: run \`npm run build\` first (npm test does).`);
  }
  const [port, enginePort, pglitePort] = [await freePort(), await freePort(), await freePort()];
  const workerPort = await freePort();
  const lines: string[] = [];
  const stack = await startStack({
    port,
    enginePort,
    pglitePort,
    databaseUrl: options.databaseUrl ?? inject("databaseUrl"),
    distDir,
    logFile: join(mkdtempSync(join(tmpdir(), "db24x7-security-")), "stack.log"),
    onLine: (line) => lines.push(line),
    // Its own engine schema: test files run side by side on one database, and a second engine
    // on a schema is refused.
    env: { INNGEST_WORKER_PORT: String(workerPort), INNGEST_ENGINE_SCHEMA: `engine_security_${port}`, ...options.env },
  });
  return { ...stack, enginePort, workerPort, output: () => lines.join("\n") };
}
