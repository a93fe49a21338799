// Runs PGlite behind a PostgreSQL wire-protocol socket so Prisma, pg and the engine can
// connect to it like any PostgreSQL server. Used by the dev/start launcher and the tests.
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface PgliteServer {
  url: string;
  stop(): Promise<void>;
}

export async function startPgliteServer(options: {
  dataDir?: string; // omitted: in memory
  host?: string;
  port?: number; // 0: any free port
  maxConnections?: number;
}): Promise<PgliteServer> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const host = options.host ?? "127.0.0.1";
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    // Its default is 1; every pool (app, engine, CLI) must fit under this.
    maxConnections: options.maxConnections ?? 100,
  });
  await server.start();
  const conn = server.getServerConn(); // "host:port"
  const port = Number(conn.split(":").pop());
  return {
    url: `postgresql://postgres:postgres@${host}:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

// `node --import tsx scripts/lib/pglite-server.ts <dataDir|:memory:> <port>` runs it as its own
// process and prints `PGLITE_URL=<url>` once it accepts connections.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [dataDir, port] = process.argv.slice(2);
  const server = await startPgliteServer({
    dataDir: !dataDir || dataDir === ":memory:" ? undefined : dataDir,
    port: Number(port ?? 0),
  });
  process.stdout.write(`PGLITE_URL=${server.url}\n`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
