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
  keepSessionsTogether(server, db);
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

// PGlite is one PostgreSQL session shared by every socket connection. pglite-socket 0.2.17 keeps
// a connection's *transaction* together but interleaves other messages one by one, so two
// connections' extended-protocol sequences (Parse, Bind, Execute … Sync) mix on the shared
// unnamed statement: "bind message supplies 2 parameters, but prepared statement requires 3".
// Replace its queue loop with one that gives a connection the session from its first message
// until it is idle again: its Sync (or simple Query) outside a transaction. Its original loop
// also stalls for good after one failed message; this one carries on.
const EXTENDED_PROTOCOL = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // P B D E C H

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

function keepSessionsTogether(server: PGLiteSocketServer, db: PGlite) {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  let owner: number | null = null;
  // A connection that goes away mid-transaction or mid-sequence releases the session.
  queue.clearTransactionIfNeeded = async (handlerId) => {
    if (owner !== handlerId) return;
    owner = null;
    if (db.isInTransaction()) await db.exec("ROLLBACK");
    await queue.processQueue();
  };
  queue.processQueue = async function (this: QueryQueue) {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === owner);
        if (index === -1) break; // the owner's next message is still on its way
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (error) {
          item.reject(error);
        }
        const midSequence = EXTENDED_PROTOCOL.has(item.message[0]);
        owner = midSequence || db.isInTransaction() ? item.handlerId : null;
        this.lastHandlerId = item.handlerId;
      }
    } finally {
      this.processing = false;
    }
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
