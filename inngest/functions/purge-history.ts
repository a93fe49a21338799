import { inngest } from "../client";
import { sqlPool } from "@/lib/db";
import { accountsToPurge, addCounts, emptyCounts, purgeAccountSlice, PURGE_DEFAULTS } from "@/lib/retention/purge";

// Daily retention (lib/retention/purge.ts): per account, slices (one step each, idempotent)
// until its purge is done. The cut-off is fixed at the run's start, so a resumed run removes no
// more than it would have.
export const purgeHistory = inngest.createFunction(
  { id: "purge-history", triggers: [{ cron: "17 3 * * *" }], concurrency: 1 },
  async ({ step }) => {
    const now = new Date(await step.run("start", () => Date.now()));
    const accounts = await step.run("list-accounts", () => accountsToPurge(sqlPool()));
    let total = emptyCounts();
    for (const account of accounts) {
      for (let slice = 1; ; slice++) {
        const result = await step.run(`purge-${account.id}-${slice}`, () =>
          purgeAccountSlice(sqlPool(), account, { now, ...PURGE_DEFAULTS }),
        );
        total = addCounts(total, result.counts);
        if (result.done) break;
      }
    }
    return total;
  },
);
