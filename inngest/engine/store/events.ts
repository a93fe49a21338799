// Events in: stored once per key, turned into runs, cancels and batch items in one statement.
import type pg from "pg";
import { ITEM_COLUMNS, toItem, type ItemRow, type QueueItem } from "./queue";
import { Tables } from "./tables";

export interface NewRun {
  id: string;
  fn_id: string;
  event_key: string;
  idem_key: string | null;
  event: unknown;
  ckeys: string[];
  climits: number[];
}

/** An event for a batched function, stored until a flush puts it in a run. */
export interface NewBatchItem {
  fn_id: string;
  batch_key: string;
  event_key: string;
  event: unknown;
  ckeys: string[];
  climits: number[];
  flush_at: number;
  max_size: number;
}

/** A group of pending batch items an ingest added to, with how many it now holds (capped). */
export interface TouchedBatch {
  fn_id: string;
  batch_key: string;
  pending: number;
}

export interface NewCancel {
  run_id: string;
  event_name: string;
  expr: string | null;
  expires_at: number | null;
}

const DAY_MS = 86_400_000;

export class EventStore extends Tables {
  /**
   * Store events (dropping repeats of a key seen in the last 24 h) and start the runs planned
   * for them, in one statement: only runs whose event was accepted, and whose idempotency key
   * is new, are created; only accepted events become batch items. With `pending`, the events
   * are already stored and are marked processed. Reports each batch group it added to with its
   * pending count (capped at the largest max_size), and the earliest new flush deadline.
   */
  async startRuns(
    db: pg.Pool | pg.PoolClient,
    events: Array<{ key: string; name: string; payload: unknown }>,
    runs: NewRun[],
    cancels: NewCancel[],
    batchItems: NewBatchItem[],
    now: number,
    pending = false,
  ): Promise<{
    accepted: string[];
    runs: Array<{ id: string; fn_id: string }>;
    items: QueueItem[];
    batches: TouchedBatch[];
    batchDue: number | null;
  }> {
    const s = this.s;
    const accept = pending
      ? `UPDATE ${s}.events SET processed = true
         WHERE key IN (SELECT x.key FROM jsonb_to_recordset($1::jsonb) AS x(key text)) AND NOT processed
         RETURNING key`
      : `INSERT INTO ${s}.events (key, name, payload, received_at)
         SELECT x.key, x.name, x.payload, $4 FROM jsonb_to_recordset($1::jsonb) AS x(key text, name text, payload jsonb)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, payload = excluded.payload,
           received_at = excluded.received_at, processed = true
         WHERE ${s}.events.received_at < $4 - ${DAY_MS}
         RETURNING key`;
    const { rows } = await db.query(
      `WITH ev AS (${accept}),
       idem AS (
         INSERT INTO ${s}.idempotency (fn_id, key, run_id, created_at)
         SELECT x.fn_id, x.idem_key, x.id, $4 FROM jsonb_to_recordset($2::jsonb) AS x(id text, fn_id text, event_key text, idem_key text)
         WHERE x.idem_key IS NOT NULL AND x.event_key IN (SELECT key FROM ev)
         ON CONFLICT (fn_id, key) DO UPDATE SET run_id = excluded.run_id, created_at = excluded.created_at
         WHERE ${s}.idempotency.created_at < $4 - ${DAY_MS}
         RETURNING run_id),
       new_runs AS (
         INSERT INTO ${s}.runs (id, fn_id, event, status, ckeys, climits, created_at)
         SELECT x.id, x.fn_id, x.event, 'Running', x.ckeys, x.climits, $4
         FROM jsonb_to_recordset($2::jsonb) AS x(id text, fn_id text, event_key text, idem_key text, event jsonb, ckeys text[], climits int[])
         WHERE x.event_key IN (SELECT key FROM ev) AND (x.idem_key IS NULL OR x.id IN (SELECT run_id FROM idem))
         RETURNING id, fn_id, ckeys, climits),
       items AS (
         INSERT INTO ${s}.queue (run_id, step_id, attempt, due_at, ckeys, climits)
         SELECT id, 'step', 0, $4, ckeys, climits FROM new_runs
         RETURNING ${ITEM_COLUMNS}),
       new_cancels AS (
         INSERT INTO ${s}.cancels (run_id, event_name, expr, expires_at)
         SELECT x.run_id, x.event_name, x.expr, x.expires_at
         FROM jsonb_to_recordset($3::jsonb) AS x(run_id text, event_name text, expr text, expires_at bigint)
         WHERE x.run_id IN (SELECT id FROM new_runs)),
       batched AS (
         INSERT INTO ${s}.batch_items (fn_id, batch_key, event, ckeys, climits, created_at, flush_at)
         SELECT x.fn_id, x.batch_key, x.event, x.ckeys, x.climits, $4, x.flush_at
         FROM ROWS FROM (jsonb_to_recordset($5::jsonb)
                AS (fn_id text, batch_key text, event_key text, event jsonb, ckeys text[], climits int[], flush_at bigint))
              WITH ORDINALITY AS x(fn_id, batch_key, event_key, event, ckeys, climits, flush_at, ord)
         WHERE x.event_key IN (SELECT key FROM ev)
         ORDER BY x.ord
         RETURNING fn_id, batch_key, flush_at),
       touched AS (SELECT fn_id, batch_key, count(*) AS added, min(flush_at) AS due FROM batched GROUP BY fn_id, batch_key)
       SELECT (SELECT coalesce(json_agg(key), '[]') FROM ev) AS accepted,
              (SELECT coalesce(json_agg(json_build_object('id', id, 'fn_id', fn_id)), '[]') FROM new_runs) AS runs,
              (SELECT coalesce(json_agg(items), '[]') FROM items) AS items,
              -- This statement's own inserts are not visible here: pending = earlier items + added.
              (SELECT coalesce(json_agg(json_build_object('fn_id', t.fn_id, 'batch_key', t.batch_key, 'pending', t.added +
                 (SELECT count(*) FROM (SELECT 1 FROM ${s}.batch_items b
                                        WHERE b.fn_id = t.fn_id AND b.batch_key = t.batch_key LIMIT $6) AS earlier))), '[]')
               FROM touched t) AS batches,
              (SELECT min(due) FROM touched) AS batch_due`,
      [
        JSON.stringify(events),
        JSON.stringify(runs),
        JSON.stringify(cancels),
        now,
        JSON.stringify(batchItems),
        Math.max(1, ...batchItems.map((b) => b.max_size)),
      ],
    );
    const row = rows[0] as {
      accepted: string[];
      runs: Array<{ id: string; fn_id: string }>;
      items: ItemRow[];
      batches: TouchedBatch[];
      batch_due: string | number | null;
    };
    return {
      accepted: row.accepted,
      runs: row.runs,
      items: row.items.map(toItem),
      batches: row.batches,
      batchDue: row.batch_due === null ? null : Number(row.batch_due),
    };
  }

  /** Internal events (inngest/function.failed) stored by an outcome but not yet matched. */
  async pending(client: pg.PoolClient, limit: number): Promise<Array<{ key: string; payload: Record<string, unknown> }>> {
    const { rows } = await client.query(
      `SELECT key, payload FROM ${this.s}.events WHERE NOT processed ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows;
  }
}
