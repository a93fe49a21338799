// Batches: events held for a batched function until a flush turns them into one run.
import { ITEM_COLUMNS, toItem, type ItemRow, type QueueItem } from "./queue";
import { Tables } from "./tables";

export interface BatchGroup {
  fn_id: string;
  batch_key: string;
}

export class BatchStore extends Tables {
  /**
   * Turn the oldest pending items of one batch group into one run, if they make a batch: all
   * `maxSize` of them, or fewer once the oldest is due. One statement: the items are locked
   * (SKIP LOCKED, so two flushers never take the same item), deleted, and become the run, with
   * event = events[0], and its first queue item. Returns the batch size (0: nothing flushed).
   */
  async flush(
    fnId: string,
    batchKey: string,
    maxSize: number,
    runId: string,
    now: number,
  ): Promise<{ size: number; items: QueueItem[] }> {
    const s = this.s;
    const { rows } = await this.prepared(
      "flush",
      `WITH candidates AS (
         SELECT id, flush_at FROM ${s}.batch_items WHERE fn_id = $1 AND batch_key = $2
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED),
       decision AS (SELECT count(*) = $3 OR min(flush_at) <= $5 AS flush FROM candidates),
       taken AS (
         DELETE FROM ${s}.batch_items b
         WHERE b.id IN (SELECT id FROM candidates) AND (SELECT flush FROM decision)
         RETURNING b.id, b.event, b.ckeys, b.climits),
       first AS (SELECT event, ckeys, climits FROM taken ORDER BY id LIMIT 1),
       new_run AS (
         INSERT INTO ${s}.runs (id, fn_id, event, events, status, ckeys, climits, created_at)
         SELECT $4, $1, first.event, (SELECT jsonb_agg(event ORDER BY id) FROM taken), 'Running', first.ckeys, first.climits, $5
         FROM first
         RETURNING id, ckeys, climits),
       items AS (
         INSERT INTO ${s}.queue (run_id, step_id, attempt, due_at, ckeys, climits)
         SELECT id, 'step', 0, $5, ckeys, climits FROM new_run
         RETURNING ${ITEM_COLUMNS})
       SELECT (SELECT count(*) FROM taken)::int AS size, (SELECT coalesce(json_agg(items), '[]') FROM items) AS items`,
      [fnId, batchKey, maxSize, runId, now],
    );
    const row = rows[0] as { size: number; items: ItemRow[] };
    return { size: row.size, items: row.items.map(toItem) };
  }

  /** Batch groups holding an item that is due. */
  async dueGroups(now: number, limit: number): Promise<BatchGroup[]> {
    const { rows } = await this.pool.query<BatchGroup>(
      `SELECT DISTINCT fn_id, batch_key FROM ${this.s}.batch_items WHERE flush_at <= $1 LIMIT $2`,
      [now, limit],
    );
    return rows;
  }

  /** Every batch group holding items, in order, a page after `after`. */
  async groupsAfter(after: BatchGroup | null, limit: number): Promise<BatchGroup[]> {
    const { rows } = await this.pool.query<BatchGroup>(
      `SELECT DISTINCT fn_id, batch_key FROM ${this.s}.batch_items
       WHERE $1::text IS NULL OR (fn_id, batch_key) > ($1, $2::text)
       ORDER BY fn_id, batch_key LIMIT $3`,
      [after?.fn_id ?? null, after?.batch_key ?? null, limit],
    );
    return rows;
  }
}
