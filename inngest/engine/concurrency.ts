// In-memory slot counts for concurrency limits. A slot is held only while a call is in flight,
// so sleeping or waiting runs take none; the database never needs to know.
import type { QueueItem } from "./store";

export class ConcurrencySlots {
  private inFlight = new Map<string, number>();
  private limits = new Map<string, number>();

  canTake(item: QueueItem): boolean {
    return item.ckeys.every((key, i) => (this.inFlight.get(key) ?? 0) < item.climits[i]!);
  }

  take(item: QueueItem): void {
    item.ckeys.forEach((key, i) => {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
      this.limits.set(key, item.climits[i]!);
    });
  }

  release(item: QueueItem): void {
    for (const key of item.ckeys) {
      const count = (this.inFlight.get(key) ?? 1) - 1;
      if (count === 0) {
        this.inFlight.delete(key);
        this.limits.delete(key);
      } else {
        this.inFlight.set(key, count);
      }
    }
  }

  /** Keys at their limit: the scheduler does not fetch items that need them. */
  fullKeys(): string[] {
    return [...this.inFlight].filter(([key, count]) => count >= this.limits.get(key)!).map(([key]) => key);
  }
}
