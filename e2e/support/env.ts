// Where the e2e stack runs. Ports differ from `npm run dev`'s so both can run at once.
const port = Number(process.env.E2E_PORT ?? 3100);
const pglitePort = Number(process.env.E2E_PGLITE_PORT ?? 54399);
const databaseUrl =
  process.env.TEST_DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${pglitePort}/postgres?sslmode=disable`;

export const E2E = {
  baseUrl: `http://127.0.0.1:${port}`,
  databaseUrl,
  serverEnv: {
    PORT: String(port),
    INNGEST_ENGINE_PORT: String(Number(process.env.E2E_ENGINE_PORT ?? 8388)),
    ...(process.env.TEST_DATABASE_URL
      ? { DATABASE_URL: process.env.TEST_DATABASE_URL }
      : { DB24X7_DATA_DIR: ":memory:", PGLITE_PORT: String(pglitePort) }),
    NEXTAUTH_SECRET: "e2e-auth-secret-0123456789abcdef0123456789",
    APP_ENCRYPTION_KEY: "e2e-encryption-key-0123456789abcdef012345",
    // On TEST_DATABASE_URL the e2e stack shares its database with vitest's security stacks,
    // which keep a generated signing key encrypted under another APP_ENCRYPTION_KEY: a given
    // key leaves that row alone (the generated path is tested in test/security).
    INNGEST_SIGNING_KEY: "signkey-e2e-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    // A production build refuses private targets by default; the e2e receivers listen on
    // 127.0.0.1 and the suite must not depend on public DNS. The refusal itself is covered by
    // lib/webhooks/url-policy.test.ts and test/webhooks.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
  } as Record<string, string>,
};
