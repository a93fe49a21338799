import { inngest } from "../client";
import { sqlPool } from "@/lib/db";
import { accountsToPurge, addCounts, emptyCounts, purgeAccountSlice } from "@/lib/retention/purge";

// Rows per transaction, a step's time budget and the pause between batches: short transactions
// that leave the database to deliveries most of the time, and steps short enough that a crash
// repeats little (each slice is idempotent).
const BATCH_SIZE = 1000;
const STEP_BUDGET_MS = 20_000;
const PAUSE_MS = 20;

// Daily retention (lib/retention/purge.ts): per account, slices until its purge is done. The
// retention cut-off is fixed at the run's start, so a resumed run removes no more than it
// would have.
export const purgeHistory = inngest.createFunction(
  { id: "purge-history", triggers: [{ cron: "17 3 * * *" }], concurrency: 1 },
  async ({ step }) => {
    const now = new Date(await step.run("start", () => Date.now()));
    const accounts = await step.run("list-accounts", () => accountsToPurge(sqlPool()));
    let total = emptyCounts();
    for (const account of accounts) {
      for (let slice = 1; ; slice++) {
        const result = await step.run(`purge-${account.id}-${slice}`, () =>
          purgeAccountSlice(sqlPool(), account, { now, batchSize: BATCH_SIZE, budgetMs: STEP_BUDGET_MS, pauseMs: PAUSE_MS }),
        );
        total = addCounts(total, result.counts);
        if (result.done) break;
      }
    }
    return total;
  },
);
