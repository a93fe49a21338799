// The queue: one row per call due to the app (a discovery, a planned step, a retry, a wake-up).
import { Tables } from "./tables";

export interface QueueItem {
  id: string;
  runId: string;
  /** "step" for discovery, or the hashed id of a planned step. */
  stepId: string;
  attempt: number;
  dueAt: number;
  /** A finished sleep to memoize before calling (the call is the discovery after it). */
  sleepId: string | null;
  sleepName: string | null;
  /** A planned (parallel) step: call with immediate execution disabled. */
  planned: boolean;
  ckeys: string[];
  climits: number[];
}

/** The columns statements return queue items with, as `ItemRow`s. */
export const ITEM_COLUMNS = "id, run_id, step_id, attempt, due_at, sleep_id, sleep_name, planned, ckeys, climits";

export interface ItemRow {
  id: string | number;
  run_id: string;
  step_id: string;
  attempt: number;
  due_at: string | number;
  sleep_id: string | null;
  sleep_name: string | null;
  planned: boolean;
  ckeys: string[];
  climits: number[];
}

export function toItem(row: ItemRow): QueueItem {
  return {
    id: String(row.id),
    runId: row.run_id,
    stepId: row.step_id,
    attempt: row.attempt,
    dueAt: Number(row.due_at),
    sleepId: row.sleep_id,
    sleepName: row.sleep_name,
    planned: row.planned,
    ckeys: row.ckeys,
    climits: row.climits,
  };
}

export class QueueStore extends Tables {
  /**
   * The backlog, for /metrics: calls due now (waiting for a slot, or in flight), the oldest one's
   * due time, and events waiting to fill a batch. Both ranges are read from their due-time
   * indexes, so the cost follows the backlog, not the history.
   */
  async backlog(now: number): Promise<{ due: number; oldestDueAt: number | null; batchItems: number; oldestBatchItemAt: number | null }> {
    const { rows } = await this.pool.query<{ due: number; oldest_due: string | null; batch_items: number; oldest_batch: string | null }>(
      `SELECT (SELECT count(*)::int FROM ${this.s}.queue WHERE due_at <= $1) AS due,
              (SELECT min(due_at) FROM ${this.s}.queue) AS oldest_due,
              (SELECT count(*)::int FROM ${this.s}.batch_items) AS batch_items,
              (SELECT min(created_at) FROM ${this.s}.batch_items) AS oldest_batch`,
      [now],
    );
    const row = rows[0]!;
    const oldestDue = row.oldest_due === null ? null : Number(row.oldest_due);
    return {
      due: row.due,
      oldestDueAt: oldestDue !== null && oldestDue <= now ? oldestDue : null,
      batchItems: row.batch_items,
      oldestBatchItemAt: row.oldest_batch === null ? null : Number(row.oldest_batch),
    };
  }

  /**
   * Due queue items this process does not hold (oldest first, at most `limit`), and the earliest
   * time anything else becomes due: a queue item beyond those, a cron tick, a batch deadline. One
   * round trip: the scheduler asks after every batch deadline and every call that held a
   * concurrency slot, and asking in two statements made almost half of the engine's.
   */
  async poll(
    now: number,
    limit: number,
    exclude: string[],
    fullKeys: string[],
  ): Promise<{ items: QueueItem[]; next: { item: number | null; cron: number | null; batch: number | null } }> {
    const { rows } = await this.prepared(
      "poll",
      `WITH due AS (
         SELECT ${ITEM_COLUMNS} FROM ${this.s}.queue
          WHERE due_at <= $1 AND NOT (id = ANY($2::bigint[])) AND NOT (ckeys && $3::text[])
          ORDER BY due_at LIMIT $4)
       SELECT (SELECT coalesce(json_agg(due ORDER BY due.due_at), '[]') FROM due) AS items,
              (SELECT min(due_at) FROM ${this.s}.queue
                WHERE NOT (id = ANY($2::bigint[])) AND NOT (ckeys && $3::text[]) AND id NOT IN (SELECT id FROM due)) AS item,
              (SELECT min(next_at) FROM ${this.s}.crons) AS cron,
              (SELECT min(flush_at) FROM ${this.s}.batch_items) AS batch`,
      [now, exclude, fullKeys, limit],
    );
    const row = rows[0] as { items: ItemRow[]; item: string | null; cron: string | null; batch: string | null };
    const time = (value: string | null) => (value === null ? null : Number(value));
    return { items: row.items.map(toItem), next: { item: time(row.item), cron: time(row.cron), batch: time(row.batch) } };
  }

  async delete(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.queue WHERE id = $1`, [id]);
  }
}
