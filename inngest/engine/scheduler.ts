// Decides which queue items run now. The database holds every item; this keeps only the ones
// being dispatched, a bounded pool of calls in flight, and one timer for the earliest future
// item, cron tick or batch deadline, so an idle engine makes no queries.
import type { ConcurrencySlots } from "./concurrency";
import type { Logger } from "./log";
import type { QueueItem, Store } from "./store";

const READY_CAP = 1_000;
const MAX_TIMER_MS = 3_600_000;
const RETRY_MS = 1_000;

export class Scheduler {
  /** Items held in memory (ready or in flight), excluded from fetches. */
  private known = new Set<string>();
  private ready: QueueItem[] = [];
  private inFlight = 0;
  /** The database may hold due items not fetched yet. */
  private dirty = true;
  private fetching = false;
  /** Items finished while a fetch was running: its snapshot may still return them. */
  private finishedDuringFetch: Set<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** The timer fired: the next fetch checks crons and batches even if due items fill it. */
  private timerFired = true;
  private stopped = false;
  private drained: Array<() => void> = [];

  constructor(
    private store: Store,
    private slots: ConcurrencySlots,
    private poolSize: number,
    private execute: (item: QueueItem) => Promise<void>,
    private fireCrons: () => Promise<void>,
    /** Flush batches that are due; true when more may be due. */
    private flushBatches: () => Promise<boolean>,
    private log: Logger,
  ) {}

  start(): void {
    this.pump();
  }

  /** Items this process just wrote: dispatch the due ones without a round trip. */
  offer(items: QueueItem[]): void {
    const now = Date.now();
    for (const item of items) {
      if (item.dueAt > now) this.arm(item.dueAt);
      else if (!this.known.has(item.id) && this.ready.length < READY_CAP) {
        this.known.add(item.id);
        this.ready.push(item);
      } else this.dirty = true;
    }
    this.pump();
  }

  /** Something (a batch deadline) becomes due at `at`: make sure the timer fires by then. */
  remindAt(at: number): void {
    this.arm(at);
  }

  /** Look at the database again (e.g. cron schedules changed). */
  wake(): void {
    this.dirty = true;
    this.pump();
  }

  /** Stop dispatching and wait for calls in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private pump(): void {
    if (this.stopped) return;
    while (this.inFlight < this.poolSize && this.ready.length > 0) {
      const item = this.ready.shift()!;
      if (this.slots.canTake(item)) this.dispatch(item);
      // Its concurrency key is full: leave it to the database until a slot frees.
      else this.known.delete(item.id);
    }
    if (this.inFlight < this.poolSize && this.dirty && !this.fetching) void this.fetch();
  }

  private dispatch(item: QueueItem): void {
    this.inFlight++;
    this.slots.take(item);
    let failed = false;
    this.execute(item)
      .catch((error: unknown) => {
        failed = true;
        this.log("error", "call failed to complete; retrying", { run_id: item.runId, error: String(error) });
      })
      .finally(() => {
        this.inFlight--;
        this.slots.release(item);
        this.finishedDuringFetch?.add(item.id);
        if (failed) {
          // The item is still in the database: hold it back briefly instead of refetching it hot.
          setTimeout(() => {
            this.known.delete(item.id);
            this.dirty = true;
            this.pump();
          }, RETRY_MS).unref();
        } else this.known.delete(item.id);
        if (item.ckeys.length > 0) this.dirty = true;
        if (this.stopped && this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
        this.pump();
      });
  }

  private async fetch(): Promise<void> {
    this.fetching = true;
    this.dirty = false;
    this.finishedDuringFetch = new Set();
    try {
      const limit = Math.max(16, this.poolSize * 2);
      const fullKeys = this.slots.fullKeys();
      const { items: rows, next } = await this.store.queue.poll(Date.now(), limit, [...this.known], fullKeys);
      for (const row of rows) {
        if (this.known.has(row.id) || this.finishedDuringFetch.has(row.id)) continue;
        this.known.add(row.id);
        this.ready.push(row);
      }
      const full = rows.length >= limit;
      if (full) this.dirty = true;
      // A busy queue must not starve cron ticks and batch deadlines: check them when the timer fired.
      if (!full || this.timerFired) {
        this.timerFired = false;
        const now = Date.now();
        if (next.cron !== null && next.cron <= now) {
          await this.fireCrons();
          this.dirty = true;
        } else if (next.cron !== null) this.arm(next.cron);
        if (next.batch !== null && next.batch <= now) {
          if (await this.flushBatches()) this.timerFired = true;
          this.dirty = true;
        } else if (next.batch !== null) this.arm(next.batch);
        if (next.item !== null && next.item <= now) this.dirty = true;
        else if (next.item !== null) this.arm(next.item);
      }
    } catch (error) {
      if (!this.stopped) this.log("error", "queue fetch failed; retrying", { error: String(error) });
      this.arm(Date.now() + RETRY_MS);
    } finally {
      this.fetching = false;
      this.finishedDuringFetch = undefined;
      this.pump();
    }
  }

  private arm(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timerAt = Number.POSITIVE_INFINITY;
        this.timerFired = true;
        this.dirty = true;
        this.pump();
      },
      Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS),
    );
  }
}
