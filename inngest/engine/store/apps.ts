// Apps and their functions, as last synced (with each function's cron schedules).
import { withTransaction } from "../pg";
import { Tables } from "./tables";

export class AppStore extends Tables {
  async loadFunctions(): Promise<Array<{ app_url: string; config: Record<string, unknown> }>> {
    const { rows } = await this.pool.query(`SELECT app_url, config FROM ${this.s}.functions`);
    return rows;
  }

  /** Replace an app's functions and cron schedules; true when anything changed. */
  async save(
    app: { url: string; name: string },
    functions: Array<{ id: string; config: unknown; crons: Array<{ expression: string; next_at: number }> }>,
    now: number,
  ): Promise<boolean> {
    const s = this.s;
    return withTransaction(this.pool, async (c) => {
      const ids = functions.map((f) => f.id);
      const before = await c.query(`SELECT id, config FROM ${s}.functions WHERE app_url = $1 OR id = ANY($2)`, [
        app.url,
        ids,
      ]);
      const previous = new Map(before.rows.map((r: { id: string; config: unknown }) => [r.id, JSON.stringify(r.config)]));
      await c.query(
        `INSERT INTO ${s}.apps (url, name, synced_at) VALUES ($1, $2, $3)
         ON CONFLICT (url) DO UPDATE SET name = excluded.name, synced_at = excluded.synced_at`,
        [app.url, app.name, now],
      );
      await c.query(`DELETE FROM ${s}.functions WHERE app_url = $1 AND NOT (id = ANY($2))`, [app.url, ids]);
      await c.query(
        `INSERT INTO ${s}.functions (id, app_url, config)
         SELECT x.id, $1, x.config FROM jsonb_to_recordset($2::jsonb) AS x(id text, config jsonb)
         ON CONFLICT (id) DO UPDATE SET app_url = excluded.app_url, config = excluded.config`,
        [app.url, JSON.stringify(functions)],
      );
      // Keep existing schedules so a re-sync does not skip or repeat a tick.
      const crons = functions.flatMap((f) => f.crons.map((c) => ({ fn_id: f.id, ...c })));
      await c.query(
        `DELETE FROM ${s}.crons c WHERE (c.fn_id = ANY($1) OR NOT EXISTS (SELECT 1 FROM ${s}.functions f WHERE f.id = c.fn_id))
           AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS x(fn_id text, expression text)
                           WHERE x.fn_id = c.fn_id AND x.expression = c.expression)`,
        [ids, JSON.stringify(crons)],
      );
      await c.query(
        `INSERT INTO ${s}.crons (fn_id, expression, next_at)
         SELECT x.fn_id, x.expression, x.next_at FROM jsonb_to_recordset($1::jsonb) AS x(fn_id text, expression text, next_at bigint)
         ON CONFLICT (fn_id, expression) DO NOTHING`,
        [JSON.stringify(crons)],
      );
      const current = new Map(functions.map((f) => [f.id, JSON.stringify(f.config)]));
      const removed = [...previous.keys()].some((id) => !current.has(id));
      const changed = functions.some((f) => {
        const old = previous.get(f.id);
        return old === undefined || JSON.stringify(JSON.parse(old)) !== JSON.stringify(JSON.parse(current.get(f.id)!));
      });
      return removed || changed;
    });
  }
}
