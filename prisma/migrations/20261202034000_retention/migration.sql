-- Per-account retention (lib/retention): history older than retention_days is removed by the
-- daily purge-history function; response bodies are trimmed earlier.
ALTER TABLE "accounts" ADD COLUMN "retention_days" INTEGER NOT NULL DEFAULT 30;
ALTER TABLE "accounts" ADD COLUMN "body_retention_days" INTEGER NOT NULL DEFAULT 7;
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_retention_days_check" CHECK ("retention_days" BETWEEN 1 AND 365);
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_body_retention_days_check"
  CHECK ("body_retention_days" >= 1 AND "body_retention_days" <= "retention_days");

-- Attempts still holding a body, oldest first per account: the trim walks this index, and a
-- trimmed row leaves it, so it stays a few days of attempts however long history is kept.
-- IF NOT EXISTS: on a large table an operator may have built it CONCURRENTLY beforehand (README).
CREATE INDEX IF NOT EXISTS "delivery_attempts_body_kept_idx" ON "delivery_attempts"("account_id", "created_at")
  WHERE "response_body" IS NOT NULL;
