// One database for the whole vitest run: Debian's (or any) PostgreSQL when TEST_DATABASE_URL
// is set, otherwise an in-memory PGlite behind a socket. Test files read it with
// `inject("databaseUrl")` and isolate themselves by creating their own accounts.
import type { TestProject } from "vitest/node";
import { startPgliteServer, type PgliteServer } from "../scripts/lib/pglite-server";

let pglite: PgliteServer | undefined;

export async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    pglite = await startPgliteServer({});
    url = pglite.url;
  }
  const { migrate } = await import("../scripts/lib/migrate");
  await migrate(url);
  project.provide("databaseUrl", url);
}

export async function teardown() {
  await pglite?.stop();
}
