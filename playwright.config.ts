// e2e against a production build of the whole stack (Next + engine + PGlite in memory, or the
// PostgreSQL in TEST_DATABASE_URL), in Playwright's Chromium if installed, else Debian's.
import { existsSync } from "node:fs";
import { chromium, defineConfig } from "@playwright/test";
import { E2E } from "./e2e/support/env";

function chromiumExecutable(): string | undefined {
  try {
    if (existsSync(chromium.executablePath())) return undefined; // Playwright's own browser
  } catch {
    // not installed
  }
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  throw new Error(
    "No Chromium for the e2e tests. Install one: `apt-get install -y chromium` (Debian) " +
      "or `npx playwright install chromium` (needs internet).",
  );
}

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: E2E.baseUrl,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "node --import tsx scripts/run.ts start",
    url: `${E2E.baseUrl}/login`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: E2E.serverEnv,
  },
});
