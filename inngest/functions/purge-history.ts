import { inngest } from "../client";
import { sqlPool } from "@/lib/db";
import { accountsToPurge, addCounts, emptyCounts, purgeAccountsSlice, PURGE_DEFAULTS } from "@/lib/retention/purge";

// Daily retention (lib/retention/purge.ts): slices of at most PURGE_DEFAULTS.budgetMs each (one
// step each, idempotent) until every account is done. The cut-off is fixed at the run's start,
// so a resumed run removes no more than it would have.
export const purgeHistory = inngest.createFunction(
  { id: "purge-history", triggers: [{ cron: "17 3 * * *" }], concurrency: 1 },
  async ({ step }) => {
    const now = new Date(await step.run("start", () => Date.now()));
    const accounts = await step.run("list-accounts", () => accountsToPurge(sqlPool()));
    let total = emptyCounts();
    for (let next = 0, slice = 1; next < accounts.length; slice++) {
      const result = await step.run(`purge-${slice}`, () => purgeAccountsSlice(sqlPool(), accounts, next, { now, ...PURGE_DEFAULTS }));
      next = result.next;
      total = addCounts(total, result.counts);
    }
    return total;
  },
);
