// Turning events into runs: the event API, internal events (inngest/function.failed) and cron
// ticks all go through `plan` and one `startRuns` statement. An event for a batched function
// becomes a pending batch item in that same statement instead (see batches.ts).
import { ulid } from "ulid";
import type { Batcher } from "./batches";
import { eventId } from "./ids";
import type { Logger } from "./log";
import type { Registry } from "./registry";
import type { EngineFunction } from "./functions";
import type { NewBatchItem, NewCancel, NewRun, QueueItem, Store, TouchedBatch } from "./store";
import { evaluateKey, matches } from "./triggers";

export type EngineEvent = Record<string, unknown> & { id: string; name: string; data: unknown; ts: number };

interface Planned {
  events: Array<{ key: string; name: string; payload: EngineEvent }>;
  runs: NewRun[];
  cancels: NewCancel[];
  batchItems: NewBatchItem[];
}

export class BadEventError extends Error {}

/** Validate and complete the events of one `POST /e/{key}`; returns them with their ids. */
export function normalizeEvents(body: unknown, seed: string | undefined, now: number): EngineEvent[] {
  const list = Array.isArray(body) ? body : [body];
  return list.map((raw, index) => {
    if (typeof raw !== "object" || raw === null) throw new BadEventError("an event must be an object");
    const event = raw as Record<string, unknown>;
    if (typeof event.name !== "string" || event.name === "") throw new BadEventError("an event needs a name");
    if (event.data !== undefined && (typeof event.data !== "object" || Array.isArray(event.data))) {
      throw new BadEventError("event data must be an object");
    }
    return {
      ...event,
      id: typeof event.id === "string" && event.id !== "" ? event.id : eventId(seed, index),
      name: event.name,
      data: event.data ?? {},
      ts: typeof event.ts === "number" ? event.ts : now,
      user: event.user ?? {},
    };
  });
}

export class EventRouter {
  constructor(
    private store: Store,
    private registry: Registry,
    private log: Logger,
    private batcher: Batcher,
    private hooks: { offer(items: QueueItem[]): void; cancelled(runIds: string[]): void; batchDue(at: number): void },
  ) {}

  /** Store events, cancel what they cancel, and start the runs they trigger. */
  async ingest(events: EngineEvent[], now = Date.now()): Promise<void> {
    const planned = this.plan(events, now);
    const result = await this.start(this.store.pool, planned, now);
    const accepted = new Set(result.accepted);
    await this.cancel(
      events.filter((e) => accepted.has(e.id)),
      new Set(result.runs.map((r) => r.id)),
      now,
    );
    this.started(result);
  }

  /** Match internal events that an outcome stored (run failures), durably. */
  async processPending(): Promise<void> {
    for (;;) {
      const now = Date.now();
      let count = 0;
      const result = await this.store.transaction(async (client) => {
        const rows = await this.store.events.pending(client, 100);
        count = rows.length;
        const planned = this.plan(rows.map((r) => r.payload as EngineEvent), now);
        return { started: await this.start(client, planned, now, true) };
      });
      this.started(result.started);
      if (count < 100) return;
    }
  }

  /** Start the runs of every cron tick that is due. */
  async fireCrons(): Promise<void> {
    const now = Date.now();
    const result = await this.store.transaction(async (client) => {
      const fired = await this.store.crons.claim(client, now, (fnId, expression) => {
        const cron = this.registry.get(fnId)?.crons.find((c) => c.expression === expression);
        return cron && cron.schedule.next(new Date(now)).getTime() + Math.floor(Math.random() * cron.jitterMs);
      });
      const planned: Planned = { events: [], runs: [], cancels: [], batchItems: [] };
      for (const tick of fired) {
        const fn = this.registry.get(tick.fn_id);
        if (!fn) continue;
        const event: EngineEvent = {
          id: ulid(),
          name: "inngest/scheduled.timer",
          data: { cron: tick.expression },
          ts: now,
          user: {},
        };
        planned.events.push({ key: event.id, name: event.name, payload: event });
        this.planRun(planned, fn, event, now);
      }
      return { started: await this.start(client, planned, now) };
    });
    this.started(result.started);
  }

  private start(db: Parameters<Store["events"]["startRuns"]>[0], planned: Planned, now: number, pending = false) {
    return this.store.events.startRuns(db, planned.events, planned.runs, planned.cancels, planned.batchItems, now, pending);
  }

  private plan(events: EngineEvent[], now: number): Planned {
    const planned: Planned = { events: [], runs: [], cancels: [], batchItems: [] };
    const seen = new Set<string>();
    const idempotency = new Set<string>();
    for (const event of events) {
      if (seen.has(event.id)) continue; // a repeat within the batch
      seen.add(event.id);
      planned.events.push({ key: event.id, name: event.name, payload: event });
      for (const { fn, expression } of this.registry.triggeredBy(event.name)) {
        if (expression && !matches(expression, { event })) continue;
        const run = this.planRun(planned, fn, event, now);
        if (run && run.idem_key !== null) {
          const key = `${fn.id}\u0000${run.idem_key}`;
          if (idempotency.has(key)) planned.runs.pop();
          idempotency.add(key);
        }
      }
    }
    return planned;
  }

  /** A run for `event`, or for a batched function a batch item (and no run: undefined). */
  private planRun(planned: Planned, fn: EngineFunction, event: EngineEvent, now: number): NewRun | undefined {
    const bindings = { event };
    const ckeys = fn.concurrency.map((rule) => `${rule.scope}:${rule.key ? (evaluateKey(rule.key, bindings) ?? "") : ""}`);
    const climits = fn.concurrency.map((rule) => rule.limit);
    if (fn.batch) {
      planned.batchItems.push({
        fn_id: fn.id,
        batch_key: fn.batch.key ? (evaluateKey(fn.batch.key, bindings) ?? "") : "",
        event_key: event.id,
        event,
        ckeys,
        climits,
        flush_at: now + fn.batch.timeoutMs,
        max_size: fn.batch.maxSize,
      });
      return undefined;
    }
    const run: NewRun = {
      id: ulid(),
      fn_id: fn.id,
      event_key: event.id,
      idem_key: fn.idempotency ? (evaluateKey(fn.idempotency, bindings) ?? null) : null,
      event,
      ckeys,
      climits,
    };
    planned.runs.push(run);
    for (const cancel of fn.cancel) {
      planned.cancels.push({
        run_id: run.id,
        event_name: cancel.event,
        expr: cancel.if ?? null,
        expires_at: cancel.timeoutMs === undefined ? null : now + cancel.timeoutMs,
      });
    }
    return run;
  }

  /** cancelOn: `event` is the run's triggering event, `async` the newly received one. */
  private async cancel(events: EngineEvent[], startedNow: Set<string>, now: number): Promise<void> {
    const watched = this.registry.cancelEventNames();
    const names = [...new Set(events.map((e) => e.name).filter((n) => watched.has(n)))];
    if (names.length === 0) return;
    const candidates = await this.store.runs.cancelCandidates(names, now);
    const doomed = new Set<string>();
    for (const c of candidates) {
      if (startedNow.has(c.run_id)) continue;
      for (const event of events) {
        if (event.name !== c.event_name) continue;
        if (!c.expr || matches(c.expr, { event: c.event, async: event })) doomed.add(c.run_id);
      }
    }
    if (doomed.size === 0) return;
    const cancelled = await this.store.runs.cancel([...doomed], now);
    this.hooks.cancelled(cancelled.map((run) => run.id));
    for (const run of cancelled) {
      this.log("info", "run cancelled", { run_id: run.id, fn_id: run.fn_id, status: "Cancelled" });
    }
  }

  private started(result: {
    runs: Array<{ id: string; fn_id: string }>;
    items: QueueItem[];
    batches: TouchedBatch[];
    batchDue: number | null;
  }): void {
    for (const run of result.runs) {
      this.log("info", "run started", { run_id: run.id, fn_id: run.fn_id, status: "Running" });
    }
    this.hooks.offer(result.items);
    if (result.batchDue !== null) this.hooks.batchDue(result.batchDue);
    this.batcher.filled(result.batches);
  }
}
