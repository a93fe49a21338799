// All SQL the engine runs. Every state change is one statement or one short transaction, and
// none is held open across an HTTP call.
import type pg from "pg";
import { preparedQuery, withTransaction } from "./pg";
import { schemaSql } from "./schema";

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

export interface RunState {
  id: string;
  fnId: string;
  event: Record<string, unknown>;
  /** A batched run's events in arrival order (`event` is the first); null for a run of one event. */
  events: Array<Record<string, unknown>> | null;
  status: string;
  version: number;
  /** Hashed step id → memoized wrapper ({data} | {error} | null for a sleep). */
  steps: Record<string, unknown>;
  /** Step ids in the order they completed. */
  stack: string[];
}

export interface StepWrite {
  id: string;
  name: string | null;
  result: unknown;
  attempt: number;
}

export interface NewItem {
  step_id: string;
  attempt: number;
  due_at: number;
  sleep_id: string | null;
  sleep_name: string | null;
  planned: boolean;
  /** Only insert when no other queue item of the run remains (discovery after parallel steps). */
  if_idle: boolean;
}

export interface Outcome {
  steps: StepWrite[];
  items: NewItem[];
  version: number;
  final?: { status: "Completed"; output: unknown } | { status: "Failed"; error: unknown; failedEvent: unknown };
  errors: Array<{ step_id: string; attempt: number; error: unknown }>;
}

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

export interface BatchGroup {
  fn_id: string;
  batch_key: string;
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

const ITEM_COLUMNS = "id, run_id, step_id, attempt, due_at, sleep_id, sleep_name, planned, ckeys, climits";
const DAY_MS = 86_400_000;

interface ItemRow {
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

function toItem(row: ItemRow): QueueItem {
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

export class Store {
  readonly s: string;

  constructor(
    readonly pool: pg.Pool,
    schema: string,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    this.s = schema;
  }

  // Hot statements are prepared once per connection (see pg.ts).
  private prepared<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return preparedQuery<R>(this.pool, name, text, values);
  }

  async migrate(): Promise<void> {
    await this.pool.query(schemaSql(this.s));
  }

  /** Session-level lock held for the engine's lifetime on a dedicated connection. */
  async tryLock(client: pg.PoolClient): Promise<boolean> {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
      [`inngest_engine:${this.s}`],
    );
    return rows[0]!.locked;
  }

  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }

  // ── functions ──────────────────────────────────────────────────────────────

  async loadFunctions(): Promise<Array<{ app_url: string; config: Record<string, unknown> }>> {
    const { rows } = await this.pool.query(`SELECT app_url, config FROM ${this.s}.functions`);
    return rows;
  }

  /** Replace an app's functions and cron schedules; true when anything changed. */
  async saveApp(
    app: { url: string; name: string },
    functions: Array<{ id: string; config: unknown; crons: Array<{ expression: string; next_at: number }> }>,
    now: number,
  ): Promise<boolean> {
    const s = this.s;
    return this.transaction(async (c) => {
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

  // ── events and runs ────────────────────────────────────────────────────────

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

  // ── batches ────────────────────────────────────────────────────────────────

  /**
   * Turn the oldest pending items of one batch group into one run, if they make a batch: all
   * `maxSize` of them, or fewer once the oldest is due. One statement: the items are locked
   * (SKIP LOCKED, so two flushers never take the same item), deleted, and become the run, with
   * event = events[0], and its first queue item. Returns the batch size (0: nothing flushed).
   */
  async flushBatch(
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
  async dueBatchGroups(now: number, limit: number): Promise<BatchGroup[]> {
    const { rows } = await this.pool.query<BatchGroup>(
      `SELECT DISTINCT fn_id, batch_key FROM ${this.s}.batch_items WHERE flush_at <= $1 LIMIT $2`,
      [now, limit],
    );
    return rows;
  }

  /** Every batch group holding items, in order, a page after `after`. */
  async batchGroupsAfter(after: BatchGroup | null, limit: number): Promise<BatchGroup[]> {
    const { rows } = await this.pool.query<BatchGroup>(
      `SELECT DISTINCT fn_id, batch_key FROM ${this.s}.batch_items
       WHERE $1::text IS NULL OR (fn_id, batch_key) > ($1, $2::text)
       ORDER BY fn_id, batch_key LIMIT $3`,
      [after?.fn_id ?? null, after?.batch_key ?? null, limit],
    );
    return rows;
  }

  /** Internal events (inngest/function.failed) stored by an outcome but not yet matched. */
  async pendingEvents(client: pg.PoolClient, limit: number): Promise<Array<{ key: string; payload: Record<string, unknown> }>> {
    const { rows } = await client.query(
      `SELECT key, payload FROM ${this.s}.events WHERE NOT processed ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows;
  }

  async cancelCandidates(
    names: string[],
    now: number,
  ): Promise<Array<{ run_id: string; event_name: string; expr: string | null; event: Record<string, unknown> }>> {
    const { rows } = await this.pool.query(
      `SELECT c.run_id, c.event_name, c.expr, r.event FROM ${this.s}.cancels c JOIN ${this.s}.runs r ON r.id = c.run_id
       WHERE c.event_name = ANY($1) AND (c.expires_at IS NULL OR c.expires_at > $2) AND r.status = 'Running'`,
      [names, now],
    );
    return rows;
  }

  /** Cancel running runs; returns the ids actually cancelled. */
  async cancelRuns(runIds: string[], now: number): Promise<Array<{ id: string; fn_id: string }>> {
    const s = this.s;
    const { rows } = await this.pool.query(
      `WITH cancelled AS (
         UPDATE ${s}.runs SET status = 'Cancelled', ended_at = $2 WHERE id = ANY($1) AND status = 'Running'
         RETURNING id, fn_id),
       dropped AS (DELETE FROM ${s}.queue WHERE run_id IN (SELECT id FROM cancelled)),
       uncancel AS (DELETE FROM ${s}.cancels WHERE run_id IN (SELECT id FROM cancelled))
       SELECT id, fn_id FROM cancelled`,
      [runIds, now],
    );
    return rows;
  }

  // ── the queue ──────────────────────────────────────────────────────────────

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

  async deleteItem(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.queue WHERE id = $1`, [id]);
  }

  async loadRun(runId: string): Promise<RunState | undefined> {
    const { rows } = await this.prepared(
      "run",
      `SELECT r.id, r.fn_id, r.event, r.events, r.status, r.version,
               coalesce((SELECT json_agg(json_build_array(st.id, st.result) ORDER BY st.seq)
                         FROM ${this.s}.steps st WHERE st.run_id = r.id), '[]') AS steps
             FROM ${this.s}.runs r WHERE r.id = $1`,
      [runId],
    );
    const row = rows[0] as
      | {
          id: string;
          fn_id: string;
          event: Record<string, unknown>;
          events: Array<Record<string, unknown>> | null;
          status: string;
          version: number;
          steps: Array<[string, unknown]>;
        }
      | undefined;
    if (!row) return undefined;
    const steps: Record<string, unknown> = {};
    for (const [id, result] of row.steps) steps[id] = result;
    return {
      id: row.id,
      fnId: row.fn_id,
      event: row.event,
      events: row.events,
      status: row.status,
      version: row.version,
      steps,
      stack: row.steps.map(([id]) => id),
    };
  }

  /**
   * Apply the result of one call atomically: the item is consumed, steps memoized, follow-up
   * items queued, and the run finished. Nothing is written when the item is already gone or
   * the run is no longer running (cancelled), which makes a duplicate delivery harmless.
   */
  async applyOutcome(
    item: QueueItem,
    outcome: Outcome,
    now: number,
  ): Promise<{ applied: boolean; finalStatus: string | null; items: QueueItem[] }> {
    const s = this.s;
    const final = outcome.final;
    const { rows } = await this.prepared(
      "apply",
      `WITH gone AS (DELETE FROM ${s}.queue WHERE id = $1 RETURNING run_id),
       run AS (SELECT r.id, r.ckeys, r.climits FROM ${s}.runs r JOIN gone ON r.id = gone.run_id WHERE r.status = 'Running'),
       new_steps AS (
         INSERT INTO ${s}.steps (run_id, id, name, result, attempt, created_at)
         SELECT run.id, x.id, x.name, x.result, x.attempt, $10
         FROM run, ROWS FROM (jsonb_to_recordset($2::jsonb) AS (id text, name text, result jsonb, attempt int))
                   WITH ORDINALITY AS x(id, name, result, attempt, ord)
         ORDER BY x.ord
         ON CONFLICT (run_id, id) DO NOTHING),
       finishing AS (
         UPDATE ${s}.runs r SET status = $5, output = $6, error = $7, ended_at = $10, version = $4
         FROM run WHERE r.id = run.id AND $5::text IS NOT NULL
         RETURNING r.id, r.status),
       versioned AS (
         UPDATE ${s}.runs r SET version = $4
         FROM run WHERE r.id = run.id AND $5::text IS NULL AND r.version <> $4),
       idle AS (SELECT NOT EXISTS (SELECT 1 FROM ${s}.queue q JOIN run ON q.run_id = run.id WHERE q.id <> $1) AS idle),
       new_items AS (
         INSERT INTO ${s}.queue (run_id, step_id, attempt, due_at, sleep_id, sleep_name, planned, ckeys, climits)
         SELECT run.id, x.step_id, x.attempt, x.due_at, x.sleep_id, x.sleep_name, x.planned, run.ckeys, run.climits
         FROM run, jsonb_to_recordset($3::jsonb)
           AS x(step_id text, attempt int, due_at bigint, sleep_id text, sleep_name text, planned boolean, if_idle boolean)
         WHERE $5::text IS NULL AND (NOT x.if_idle OR (SELECT idle FROM idle))
         RETURNING ${ITEM_COLUMNS}),
       dropped AS (DELETE FROM ${s}.queue q USING finishing WHERE q.run_id = finishing.id AND q.id <> $1),
       uncancel AS (DELETE FROM ${s}.cancels c USING finishing WHERE c.run_id = finishing.id),
       failed_event AS (
         INSERT INTO ${s}.events (key, name, payload, received_at, processed)
         SELECT $8::jsonb->>'id', 'inngest/function.failed', $8::jsonb, $10, false
         FROM finishing WHERE finishing.status = 'Failed' AND $8::jsonb IS NOT NULL),
       logged AS (
         INSERT INTO ${s}.attempt_errors (run_id, step_id, attempt, error, at)
         SELECT run.id, x.step_id, x.attempt, x.error, $10
         FROM run, jsonb_to_recordset($9::jsonb) AS x(step_id text, attempt int, error jsonb))
       SELECT (SELECT count(*) FROM run)::int AS applied,
              (SELECT status FROM finishing) AS final_status,
              (SELECT coalesce(json_agg(new_items), '[]') FROM new_items) AS items`,
      [
        item.id,
        JSON.stringify(outcome.steps),
        JSON.stringify(outcome.items),
        outcome.version,
        final?.status ?? null,
        final?.status === "Completed" ? JSON.stringify(final.output ?? null) : null,
        final?.status === "Failed" ? JSON.stringify(final.error ?? null) : null,
        final?.status === "Failed" ? JSON.stringify(final.failedEvent) : null,
        JSON.stringify(outcome.errors),
        now,
      ],
    );
    const row = rows[0] as { applied: number; final_status: string | null; items: ItemRow[] };
    return { applied: row.applied > 0, finalStatus: row.final_status, items: row.items.map(toItem) };
  }

  // ── crons ──────────────────────────────────────────────────────────────────

  /** Claim due cron ticks, moving each to its next time; returns what fired. */
  async claimCrons(
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

  // ── inspection ─────────────────────────────────────────────────────────────

  async listRuns(limit: number, fnId?: string): Promise<unknown[]> {
    const { rows } = await this.pool.query(
      `SELECT id, fn_id, status, created_at, ended_at FROM ${this.s}.runs
       WHERE $2::text IS NULL OR fn_id = $2 ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit, fnId ?? null],
    );
    return rows.map((r) => ({ ...r, created_at: Number(r.created_at), ended_at: r.ended_at === null ? null : Number(r.ended_at) }));
  }

  /** Runs per status, for one function or all. */
  async countRuns(fnId?: string): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ status: string; count: number }>(
      `SELECT status, count(*)::int AS count FROM ${this.s}.runs WHERE $1::text IS NULL OR fn_id = $1 GROUP BY status`,
      [fnId ?? null],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  }

  async runDetail(runId: string): Promise<unknown> {
    const s = this.s;
    const { rows } = await this.pool.query(
      `SELECT r.id, r.fn_id, r.status, r.output, r.error, r.created_at, r.ended_at, r.event->>'id' AS event_id,
         jsonb_array_length(r.events) AS batch_size,
         coalesce((SELECT json_agg(json_build_object('id', st.id, 'name', st.name, 'attempt', st.attempt,
                     'status', CASE WHEN st.result ? 'error' THEN 'failed' WHEN st.result IS NULL THEN 'slept' ELSE 'completed' END,
                     'error', st.result->'error', 'output', st.result->'data') ORDER BY st.seq)
                   FROM ${s}.steps st WHERE st.run_id = r.id), '[]') AS steps,
         coalesce((SELECT json_agg(json_build_object('step_id', e.step_id, 'attempt', e.attempt, 'error', e.error, 'at', e.at) ORDER BY e.at)
                   FROM ${s}.attempt_errors e WHERE e.run_id = r.id), '[]') AS errors,
         coalesce((SELECT json_agg(json_build_object('step_id', q.step_id, 'attempt', q.attempt, 'due_at', q.due_at,
                     'sleep_id', q.sleep_id) ORDER BY q.due_at)
                   FROM ${s}.queue q WHERE q.run_id = r.id), '[]') AS pending
       FROM ${s}.runs r WHERE r.id = $1`,
      [runId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { ...row, created_at: Number(row.created_at), ended_at: row.ended_at === null ? null : Number(row.ended_at) };
  }
}
