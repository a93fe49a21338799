// pg helpers of the engine's store, which lib/pg.ts re-exports for the app. This module imports
// only node and pg, so the app may use it without the engine depending on the app.
import { randomBytes } from "node:crypto";
import type pg from "pg";

// Statements are prepared once per connection under a name unique to that connection: PGlite's
// socket server shares one session among all connections (and keeps it across restarts), so a
// plain name would collide.
const connectionTags = new WeakMap<pg.PoolClient, string>();

/** A named (prepared once per connection) statement, on `client` or a connection of `pool`. */
export async function preparedQuery<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  name: string,
  text: string,
  values: unknown[],
  client?: pg.PoolClient,
): Promise<pg.QueryResult<R>> {
  const connection = client ?? (await pool.connect());
  try {
    let tag = connectionTags.get(connection);
    if (!tag) connectionTags.set(connection, (tag = randomBytes(6).toString("hex")));
    return await connection.query<R>({ name: `${name}_${tag}`, text, values });
  } finally {
    if (!client) connection.release();
  }
}

/** Runs `work` in one transaction on a connection of `pool`. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
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
