// What every part of the store shares: the pool and the engine's schema name.
import type pg from "pg";
import { preparedQuery } from "../pg";

export class Tables {
  constructor(
    readonly pool: pg.Pool,
    /** The engine's schema, checked by Store before any SQL names it. */
    readonly s: string,
  ) {}

  // Hot statements are prepared once per connection (see ../pg.ts).
  protected prepared<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return preparedQuery<R>(this.pool, name, text, values);
  }
}
