// The retention purge: removes history older than each account's retention, in short
// transactions of bounded batches, so deliveries running meanwhile wait on no long lock.
// Plain pg (with lib/pg.ts's helpers) and no app imports: the purge-history function runs it on the app's pool, and
// `npm run bench:history` on its own, so the bench measures the code the cron runs.
import type pg from "pg";
import { withTransaction } from "../pg";

const DAY = 86_400_000;

export interface AccountRetention {
  id: string;
  retentionDays: number;
  bodyRetentionDays: number;
}

export interface PurgeCounts {
  deliveries: number;
  attempts: number;
  events: number;
  bodies: number;
  notices: number;
  hours: number;
}

export const emptyCounts = (): PurgeCounts => ({ deliveries: 0, attempts: 0, events: 0, bodies: 0, notices: 0, hours: 0 });

export function addCounts(a: PurgeCounts, b: PurgeCounts): PurgeCounts {
  return {
    deliveries: a.deliveries + b.deliveries,
    attempts: a.attempts + b.attempts,
    events: a.events + b.events,
    bodies: a.bodies + b.bodies,
    notices: a.notices + b.notices,
    hours: a.hours + b.hours,
  };
}

// Timestamps are stored as UTC wall-clock time without a zone.
const ts = (date: Date) => date.toISOString().slice(0, -1);

export async function accountsToPurge(pool: pg.Pool): Promise<AccountRetention[]> {
  const { rows } = await pool.query<AccountRetention>(
    `SELECT id, retention_days AS "retentionDays", body_retention_days AS "bodyRetentionDays" FROM accounts ORDER BY id`,
  );
  return rows;
}

// Finished deliveries only: a pending or retrying one is never removed, however old. Rows a
// running attempt holds are skipped (SKIP LOCKED) and taken at the next run. Attempts go first,
// by delivery id (one index scan), rather than one cascade lookup per delivery.
async function deleteDeliveries(pool: pg.Pool, accountId: string, before: Date, limit: number) {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM deliveries
        WHERE account_id = $1 AND created_at < $2::timestamp(3) AND status IN ('succeeded', 'failed', 'cancelled')
        ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [accountId, ts(before), limit],
    );
    if (rows.length === 0) return { deliveries: 0, attempts: 0 };
    const ids = rows.map((r) => r.id);
    const attempts = await client.query(`DELETE FROM delivery_attempts WHERE delivery_id = ANY($1::text[])`, [ids]);
    const deliveries = await client.query(`DELETE FROM deliveries WHERE account_id = $1 AND id = ANY($2::text[])`, [accountId, ids]);
    return { deliveries: deliveries.rowCount ?? 0, attempts: attempts.rowCount ?? 0 };
  });
}

// An event goes once none of its deliveries remains (deleting it would cascade to them). The
// lock (FOR UPDATE, which a new delivery's foreign-key check conflicts with) keeps one from
// being added between the check and the delete.
async function deleteEvents(pool: pg.Pool, accountId: string, before: Date, limit: number) {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM events e
        WHERE account_id = $1 AND created_at < $2::timestamp(3)
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
        ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [accountId, ts(before), limit],
    );
    if (rows.length === 0) return { deleted: 0, scanned: 0 };
    const deleted = await client.query(
      `DELETE FROM events e WHERE account_id = $1 AND id = ANY($2::text[])
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)`,
      [accountId, rows.map((r) => r.id)],
    );
    return { deleted: deleted.rowCount ?? 0, scanned: rows.length };
  });
}

async function trimBodies(pool: pg.Pool, accountId: string, before: Date, limit: number) {
  const { rowCount } = await pool.query(
    `UPDATE delivery_attempts SET response_body = NULL
      WHERE id IN (SELECT id FROM delivery_attempts
                    WHERE account_id = $1 AND created_at < $2::timestamp(3) AND response_body IS NOT NULL
                    LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    [accountId, ts(before), limit],
  );
  return rowCount ?? 0;
}

// A failing or disable-soon notice of an endpoint still failing stays: its dedupe key is what
// keeps the same state change from being told twice.
async function deleteNotices(pool: pg.Pool, accountId: string, before: Date, limit: number) {
  const { rowCount } = await pool.query(
    `DELETE FROM notices WHERE id IN (
       SELECT n.id FROM notices n
        WHERE n.account_id = $1 AND n.created_at < $2::timestamp(3)
          AND NOT (n.kind IN ('endpoint_failing', 'endpoint_disable_soon') AND EXISTS (
                SELECT 1 FROM webhook_endpoints w WHERE w.id = n.endpoint_id AND w.failing_since IS NOT NULL))
        LIMIT $3)`,
    [accountId, ts(before), limit],
  );
  return rowCount ?? 0;
}

async function deleteHours(pool: pg.Pool, accountId: string, before: Date, limit: number) {
  const { rowCount } = await pool.query(
    `DELETE FROM endpoint_attempt_hours h USING (
       SELECT endpoint_id, hour FROM endpoint_attempt_hours WHERE account_id = $1 AND hour < $2::timestamp(3) LIMIT $3) old
      WHERE h.endpoint_id = old.endpoint_id AND h.hour = old.hour`,
    [accountId, ts(before), limit],
  );
  return rowCount ?? 0;
}

// What the daily run uses: rows per transaction, a step's time budget and the least pause
// between batches. Short transactions, and steps short enough that a crash repeats little.
export const PURGE_DEFAULTS = { batchSize: 1000, budgetMs: 20_000, pauseMs: 20 } as const;

export interface PurgeOptions {
  now: Date;
  /** Rows per transaction. */
  batchSize: number;
  /** Stop after this long and answer done: false; the next call goes on where this one stopped. */
  budgetMs: number;
  /**
   * Least pause between batches. The pause is at least as long as the batch took, so the purge
   * has the database at most half the time, however busy the machine is.
   */
  pauseMs?: number;
}

/**
 * One bounded slice of an account's purge: trims bodies, then removes deliveries (with their
 * attempts), events left without deliveries, notices and hourly counts older than the
 * retention. Idempotent, so a slice cut short by a crash is simply run again.
 */
export async function purgeAccountSlice(
  pool: pg.Pool,
  account: AccountRetention,
  options: PurgeOptions,
): Promise<{ done: boolean; counts: PurgeCounts }> {
  const counts = emptyCounts();
  const historyBefore = new Date(options.now.getTime() - account.retentionDays * DAY);
  const bodiesBefore = new Date(options.now.getTime() - account.bodyRetentionDays * DAY);
  const deadline = Date.now() + options.budgetMs;
  const size = options.batchSize;
  const pause = (tookMs: number) =>
    options.pauseMs === undefined ? undefined : new Promise((r) => setTimeout(r, Math.max(options.pauseMs ?? 0, tookMs)));

  // Each phase runs batches until one comes back short. History goes before bodies are
  // trimmed, so no body is trimmed in a row about to be removed.
  const phases: Array<() => Promise<boolean>> = [
    async () => {
      const r = await deleteDeliveries(pool, account.id, historyBefore, size);
      counts.deliveries += r.deliveries;
      counts.attempts += r.attempts;
      return r.deliveries < size;
    },
    async () => {
      const r = await deleteEvents(pool, account.id, historyBefore, size);
      counts.events += r.deleted;
      return r.scanned < size;
    },
    async () => {
      const n = await trimBodies(pool, account.id, bodiesBefore, size);
      counts.bodies += n;
      return n < size;
    },
    async () => {
      const n = await deleteNotices(pool, account.id, historyBefore, size);
      counts.notices += n;
      return n < size;
    },
    async () => {
      const n = await deleteHours(pool, account.id, historyBefore, size);
      counts.hours += n;
      return n < size;
    },
  ];
  // At least one batch a slice, so a slice always makes progress.
  for (const phase of phases) {
    for (;;) {
      const started = Date.now();
      if (await phase()) break;
      if (Date.now() >= deadline) return { done: false, counts };
      await pause(Date.now() - started);
    }
  }
  return { done: true, counts };
}

/**
 * One bounded slice over many accounts: purges accounts[from…] in order until the time budget is
 * spent, and answers where the next slice starts (accounts.length when all are done). A step
 * per slice, not per account, keeps a run's step count independent of the number of accounts.
 */
export async function purgeAccountsSlice(
  pool: pg.Pool,
  accounts: AccountRetention[],
  from: number,
  options: PurgeOptions,
): Promise<{ next: number; counts: PurgeCounts }> {
  const deadline = Date.now() + options.budgetMs;
  let counts = emptyCounts();
  let next = from;
  while (next < accounts.length) {
    const slice = await purgeAccountSlice(pool, accounts[next]!, { ...options, budgetMs: Math.max(0, deadline - Date.now()) });
    counts = addCounts(counts, slice.counts);
    if (!slice.done) break;
    next++;
    if (Date.now() >= deadline) break;
  }
  return { next, counts };
}
