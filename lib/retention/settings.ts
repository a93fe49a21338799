import "server-only";
import { ApiError, notFound } from "../api/errors";
import { auditEntry } from "../audit/record";
import type { Caller } from "../auth/caller";
import { db } from "../db";
import type { RetentionOutput, UpdateRetentionInput } from "./schemas";

const toOutput = (a: { retentionDays: number; bodyRetentionDays: number }): RetentionOutput => ({
  retention_days: a.retentionDays,
  body_retention_days: a.bodyRetentionDays,
});

export async function getRetention(accountId: string): Promise<RetentionOutput> {
  const account = await db.account.findUnique({ where: { id: accountId }, select: { retentionDays: true, bodyRetentionDays: true } });
  if (!account) throw notFound("Account");
  return toOutput(account);
}

/** Changes the account's retention; the row is locked so the two days are checked together. */
export async function updateRetention(caller: Caller, input: UpdateRetentionInput): Promise<RetentionOutput> {
  return db.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<Array<{ retentionDays: number; bodyRetentionDays: number }>>`
      SELECT retention_days AS "retentionDays", body_retention_days AS "bodyRetentionDays"
        FROM accounts WHERE id = ${caller.accountId} FOR UPDATE`;
    if (!current) throw notFound("Account");
    const next = {
      retentionDays: input.retention_days ?? current.retentionDays,
      bodyRetentionDays: input.body_retention_days ?? current.bodyRetentionDays,
    };
    if (next.bodyRetentionDays > next.retentionDays) {
      throw new ApiError(
        400,
        "invalid_request",
        `Response bodies cannot be kept longer than the history: body_retention_days (${next.bodyRetentionDays}) must be at most retention_days (${next.retentionDays})`,
      );
    }
    if (next.retentionDays === current.retentionDays && next.bodyRetentionDays === current.bodyRetentionDays) return toOutput(current);
    await tx.account.update({ where: { id: caller.accountId }, data: next });
    await tx.auditLogEntry.create({
      data: auditEntry(caller, "account.retention_updated", { type: "account", id: caller.accountId }, {
        changes: {
          ...(next.retentionDays !== current.retentionDays ? { retention_days: { from: current.retentionDays, to: next.retentionDays } } : {}),
          ...(next.bodyRetentionDays !== current.bodyRetentionDays
            ? { body_retention_days: { from: current.bodyRetentionDays, to: next.bodyRetentionDays } }
            : {}),
        },
      }),
    });
    return toOutput(next);
  });
}
