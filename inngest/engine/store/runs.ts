// Runs: their state and memoized steps, the outcome of each call, cancellation, and what the
// engine's API shows of them.
import { ITEM_COLUMNS, toItem, type ItemRow, type QueueItem } from "./queue";
import { Tables } from "./tables";

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

export class RunStore extends Tables {
  async load(runId: string): Promise<RunState | undefined> {
    const { rows } = await this.prepared(
      "run",
      `SELECT r.id, r.fn_id, r.event, r.events, r.status, r.version,
               coalesce((SELECT json_agg(json_build_array(st.id, st.result) ORDER BY st.seq)
                         FROM ${this.s}.steps st WHERE st.run_id = r.id), '[]') AS steps
             FROM ${this.s}.runs r WHERE r.id = $1`,
      [runId],
    );
    const row = rows[0] as
      | (Pick<RunState, "id" | "event" | "events" | "status" | "version"> & { fn_id: string; steps: Array<[string, unknown]> })
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
  async cancel(runIds: string[], now: number): Promise<Array<{ id: string; fn_id: string }>> {
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


  // ── inspection ─────────────────────────────────────────────────────────────

  async list(limit: number, fnId?: string): Promise<unknown[]> {
    const { rows } = await this.pool.query(
      `SELECT id, fn_id, status, created_at, ended_at FROM ${this.s}.runs
       WHERE $2::text IS NULL OR fn_id = $2 ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit, fnId ?? null],
    );
    return rows.map((r) => ({ ...r, created_at: Number(r.created_at), ended_at: r.ended_at === null ? null : Number(r.ended_at) }));
  }

  /** Runs per status, for one function or all. */
  async count(fnId?: string): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ status: string; count: number }>(
      `SELECT status, count(*)::int AS count FROM ${this.s}.runs WHERE $1::text IS NULL OR fn_id = $1 GROUP BY status`,
      [fnId ?? null],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  }

  async detail(runId: string): Promise<unknown> {
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
