import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Pure code (colocated lib/ and inngest/ tests) needs no database; everything under test/ and
// scripts/ runs against the one test/global-setup.ts starts. `npx vitest run` runs both;
// `--project unit` alone starts no database.
const UNIT = ["lib/**/*.test.ts", "inngest/*.test.ts"];

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // `server-only` throws outside React Server Components; tests run lib/ directly.
      "server-only": fileURLToPath(new URL("./test/support/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: {
      // Short retries so delivery tests see the whole schedule in seconds.
      WEBHOOK_RETRY_SCHEDULE: "0,1s,1s",
      WEBHOOK_TIMEOUT: "2s",
      // A batch of first attempts hands what it has not started after 1 s to runs of their own.
      WEBHOOK_BATCH_BUDGET: "1s",
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
    },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: UNIT,
          // config() wants a URL; nothing answers on port 1, so a unit test that reaches for
          // the database fails at once instead of silently needing one.
          env: { DATABASE_URL: "postgresql://unit-tests-have-no-database@127.0.0.1:1/none" },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["{test,scripts}/**/*.test.ts"],
          globalSetup: ["./test/global-setup.ts"],
          setupFiles: ["./test/support/setup-env.ts"],
        },
      },
    ],
  },
});
