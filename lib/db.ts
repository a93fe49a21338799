// Data access. Prisma for CRUD and the screens; typed SQL (sqlQuery and friends, each call
// declaring its row type) for the measured hot paths. Tenancy: every data function takes
// `accountId` (or the `caller`, which carries it) first, and every `where` names
// `account_id`/`accountId`, writes after a scoped read included.
import "server-only";
import type { PrismaClient } from "@prisma/client";
import type pg from "pg";
import { config, setting } from "./config";
import { createDatabase } from "./db-client";
import { preparedQuery, withTransaction } from "./pg";

// A Turbopack production build gives route handlers and server components separate module
// graphs, so a module-level client would be created once per graph: keep one per process.
const globalForDb = globalThis as unknown as { database?: ReturnType<typeof createDatabase> };

function database() {
  return (globalForDb.database ??= createDatabase(config().DATABASE_URL, setting("DATABASE_POOL_SIZE")));
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

/** Rows of a statement that returns none: `sqlQuery<NoRows>(…)` for an INSERT without RETURNING. */
export type NoRows = Record<string, never>;

// The default row type when a call names none: such a call does not compile (its first
// argument must then be this sentence), so no statement's rows are read as `any`.
type RowTypeMissing = { "declare the row type": never };
type RowTypeRequired<R, T> = [R] extends [RowTypeMissing] ? "declare the row type: sqlQuery<{ id: string }>(…)" : T;

/** A named (prepared once per connection) statement, on `client` or a pooled connection. */
export function sqlQuery<R extends pg.QueryResultRow = RowTypeMissing>(
  name: RowTypeRequired<R, string>,
  text: string,
  values: unknown[],
  client?: pg.PoolClient,
): Promise<pg.QueryResult<R>> {
  return preparedQuery<R>(sqlPool(), name, text, values, client);
}

/**
 * An unnamed statement, so planned at each execution with the statistics of that moment. A named
 * one settles on a generic plan after five executions and keeps it until its tables are next
 * analyzed: for a statement joining a growing table, a plan settled on while the table was small
 * scans all of it at every execution.
 */
export function sqlQueryPlannedEachTime<R extends pg.QueryResultRow = RowTypeMissing>(
  text: RowTypeRequired<R, string>,
  values: unknown[],
  client?: pg.PoolClient,
): Promise<pg.QueryResult<R>> {
  return (client ?? sqlPool()).query<R>(text, values);
}

/** Runs `work` in one transaction on a pooled connection. */
export function sqlTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(sqlPool(), work);
}
