// The launcher's checks before it starts anything: each refusal ends it at once with one line
// saying why, before a database, the engine or Next.js is up. DATABASE_URL points where nothing
// answers, so a launcher that went on would fail differently.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

async function launch(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/run.ts"), "dev"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: "postgresql://unused@127.0.0.1:1/none", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c));
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  return { code, stdout, stderr };
}

describe("npm run dev", () => {
  it("refuses to listen beyond loopback", async () => {
    const { code, stderr } = await launch({ HOST: "0.0.0.0" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/listens on 127\.0\.0\.1 only/);
  });

  it("stops on a bad WEBHOOK_TIMEOUT, naming it, with no stack trace", async () => {
    expect(await launch({ WEBHOOK_TIMEOUT: "abc" })).toEqual({
      code: 1,
      stdout: "",
      stderr:
        '[db24x7] invalid configuration: WEBHOOK_TIMEOUT must be a duration above 0 and at most 1h, such as 500ms, 30s, 5m, 2h or 1d, got "abc"\n',
    });
  });
});
