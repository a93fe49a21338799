import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // `server-only` throws outside React Server Components; tests run lib/ directly.
      "server-only": fileURLToPath(new URL("./test/support/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    include: ["{lib,inngest,test,scripts}/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/support/setup-env.ts"],
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
  },
});
