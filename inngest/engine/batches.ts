// batchEvents: an event for a batched function is stored as a pending item of its group
// (function, evaluated key) in the statement that stores the event. A group becomes one run when
// it holds `maxSize` items (flushed right after the ingest that filled it) or when its oldest
// item has waited `timeout` (the scheduler's timer watches the earliest deadline).
import { ulid } from "ulid";
import type { Logger } from "./log";
import type { Registry } from "./registry";
import type { BatchGroup, QueueItem, Store, TouchedBatch } from "./store";

/** Inngest's largest batch; used for items of a function that is no longer batched. */
const FALLBACK_MAX_SIZE = 100;
/** Groups looked at per query; a scheduler wake-up that finds this many due looks again. */
const GROUPS_PER_PASS = 500;

export class Batcher {
  /** Groups being flushed by this process, and whether another flush was asked for meanwhile. */
  private flushing = new Map<string, { again: boolean; done: Promise<void> }>();
  private stopped = false;

  constructor(
    private store: Store,
    private registry: Registry,
    private log: Logger,
    private offer: (items: QueueItem[]) => void,
  ) {}

  maxSize(fnId: string): number {
    return this.registry.get(fnId)?.batch?.maxSize ?? FALLBACK_MAX_SIZE;
  }

  /** Start no more flushes and wait for those running (before the pool closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.flushing.values()].map((state) => state.done));
  }

  /** After an ingest: flush the groups it filled. Errors are logged; the deadline retries. */
  filled(groups: TouchedBatch[]): void {
    for (const group of groups) {
      if (group.pending < this.maxSize(group.fn_id)) continue;
      this.flush(group.fn_id, group.batch_key).catch((error: unknown) =>
        this.log("error", "batch flush failed; retrying at its deadline", { fn_id: group.fn_id, error: String(error) }),
      );
    }
  }

  /** Flush every group whose oldest item is due; true when there may be more due groups. */
  async flushDue(now = Date.now()): Promise<boolean> {
    // A due group always flushes (its oldest items are due or make a full batch), so the next
    // pass sees new groups only.
    const groups = await this.store.batches.dueGroups(now, GROUPS_PER_PASS);
    for (const group of groups) await this.flush(group.fn_id, group.batch_key);
    return groups.length >= GROUPS_PER_PASS;
  }

  /** On start: full groups whose flush a crash interrupted are flushed now, not at their deadline. */
  async recover(): Promise<void> {
    let after: BatchGroup | null = null;
    while (!this.stopped) {
      const groups: BatchGroup[] = await this.store.batches.groupsAfter(after, GROUPS_PER_PASS);
      for (const group of groups) await this.flush(group.fn_id, group.batch_key);
      if (groups.length < GROUPS_PER_PASS) return;
      after = groups[groups.length - 1]!;
    }
  }

  /**
   * Flush one group until what is left is neither full nor due. Calls for a group already being
   * flushed here join that flush and make it look once more, so a burst of ingests into a full
   * group costs one flush loop, not one per request.
   */
  flush(fnId: string, batchKey: string): Promise<void> {
    const id = `${fnId}\u0000${batchKey}`;
    if (this.stopped) return Promise.resolve();
    const running = this.flushing.get(id);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.flushLoop(fnId, batchKey);
        } while (state.again && !this.stopped);
      } finally {
        this.flushing.delete(id);
      }
    })();
    this.flushing.set(id, state);
    return state.done;
  }

  private async flushLoop(fnId: string, batchKey: string): Promise<void> {
    const maxSize = this.maxSize(fnId);
    while (!this.stopped) {
      const runId = ulid();
      const { size, items } = await this.store.batches.flush(fnId, batchKey, maxSize, runId, Date.now());
      if (size === 0) return;
      this.log("info", "run started", { run_id: runId, fn_id: fnId, status: "Running", batch_size: size });
      this.offer(items);
      if (size < maxSize) return;
    }
  }
}
