-- Endpoint health from attempts (lib/webhooks/health.ts): the run of failed attempts with no
-- success since (failing_since is when it began), and the last 20 attempts as bits (1 = failed).
ALTER TABLE "webhook_endpoints" ADD COLUMN "failure_streak" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "webhook_endpoints" ADD COLUMN "recent_failures" INTEGER NOT NULL DEFAULT 0;

-- Attempts per endpoint and hour, counted as they are recorded: success rates come from here
-- rather than from scanning attempts (test deliveries are not counted).
CREATE TABLE "endpoint_attempt_hours" (
    "endpoint_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "endpoint_attempt_hours_pkey" PRIMARY KEY ("endpoint_id", "hour")
);
CREATE INDEX "endpoint_attempt_hours_account_id_hour_idx" ON "endpoint_attempt_hours"("account_id", "hour");
ALTER TABLE "endpoint_attempt_hours" ADD CONSTRAINT "endpoint_attempt_hours_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What happened to an endpoint or delivery that people and subscribed endpoints are told of
-- (lib/notices): written with the change, once per change (dedupe_key).
CREATE TABLE "notices" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "endpoint_id" TEXT,
    "delivery_id" TEXT,
    "event_id" TEXT,
    "reason" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "dedupe_key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notices_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "notices_dedupe_key_key" ON "notices"("dedupe_key");
CREATE INDEX "notices_account_id_created_at_idx" ON "notices"("account_id", "created_at");
ALTER TABLE "notices" ADD CONSTRAINT "notices_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "notices" ADD CONSTRAINT "notices_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;
