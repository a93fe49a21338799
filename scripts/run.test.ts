// The launcher checks every setting before it starts anything: a bad value ends it at once with
// the variable named, before a database, the engine or Next.js is up.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

it("npm run dev stops on a bad WEBHOOK_TIMEOUT, naming it, with no stack trace", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/run.ts"), "dev"], {
    cwd: root,
    // Nothing answers on port 1: were the launcher to reach for the database, it would fail otherwise.
    env: { ...process.env, WEBHOOK_TIMEOUT: "abc", DATABASE_URL: "postgresql://unused@127.0.0.1:1/none" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c));
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  expect(code).toBe(1);
  expect(stdout).toBe("");
  expect(stderr).toBe(
    '[db24x7] invalid configuration: WEBHOOK_TIMEOUT must be a duration above 0 and at most 1h, such as 500ms, 30s, 5m, 2h or 1d, got "abc"\n',
  );
});
