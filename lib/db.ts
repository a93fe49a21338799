import "server-only";
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import type pg from "pg";
import { config } from "./config";
import { createDatabase } from "./db-client";

// A Turbopack production build gives route handlers and server components separate module
// graphs, so a module-level client would be created once per graph: keep one per process.
const globalForDb = globalThis as unknown as { database?: ReturnType<typeof createDatabase> };

function database() {
  return (globalForDb.database ??= createDatabase(config().DATABASE_URL, Number(process.env.DATABASE_POOL_SIZE ?? 10)));
}

// Created on first use, not at import: `next build` imports every route without a database.
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_, property) {
    const target = database().prisma;
    const value = Reflect.get(target, property);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

/**
 * The pg pool under `db`, for hot statements written in SQL. Its rows are pg's defaults, not
 * Prisma's: read timestamps (UTC, without time zone) as epoch milliseconds or text.
 */
export function sqlPool(): pg.Pool {
  return database().pool;
}

/** A time as SQL parameter text: timestamps are kept as UTC wall-clock time without a zone, as Prisma writes them. */
export function sqlTimestamp(date: Date): string;
export function sqlTimestamp(date: Date | null): string | null;
export function sqlTimestamp(date: Date | null): string | null {
  return date ? date.toISOString().slice(0, -1) : null;
}

// Statements are prepared once per connection under a name unique to that connection: PGlite's
// socket server shares one session among all connections, so a plain name would collide.
const connectionTags = new WeakMap<pg.PoolClient, string>();

/** A named (prepared once per connection) statement, on `client` or a pooled connection. */
export async function sqlQuery<R extends pg.QueryResultRow>(
  name: string,
  text: string,
  values: unknown[],
  client?: pg.PoolClient,
): Promise<pg.QueryResult<R>> {
  const connection = client ?? (await sqlPool().connect());
  try {
    let tag = connectionTags.get(connection);
    if (!tag) connectionTags.set(connection, (tag = randomBytes(6).toString("hex")));
    return await connection.query<R>({ name: `${name}_${tag}`, text, values });
  } finally {
    if (!client) connection.release();
  }
}

/** Runs `work` in one transaction on a pooled connection. */
export async function sqlTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await sqlPool().connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
