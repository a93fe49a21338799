// Cron schedules: each function's expressions with the time each next fires.
import type pg from "pg";
import { Tables } from "./tables";

export class CronStore extends Tables {
  /** Claim due cron ticks, moving each to its next time; returns what fired. */
  async claim(
    client: pg.PoolClient,
    now: number,
    next: (fnId: string, expression: string) => number | undefined,
  ): Promise<Array<{ fn_id: string; expression: string }>> {
    const { rows } = await client.query<{ fn_id: string; expression: string }>(
      `SELECT fn_id, expression FROM ${this.s}.crons WHERE next_at <= $1 FOR UPDATE SKIP LOCKED`,
      [now],
    );
    for (const row of rows) {
      const at = next(row.fn_id, row.expression);
      if (at === undefined) {
        await client.query(`DELETE FROM ${this.s}.crons WHERE fn_id = $1 AND expression = $2`, [row.fn_id, row.expression]);
      } else {
        await client.query(`UPDATE ${this.s}.crons SET next_at = $3 WHERE fn_id = $1 AND expression = $2`, [
          row.fn_id,
          row.expression,
          at,
        ]);
      }
    }
    return rows;
  }
}
