-- Every hand-over to Inngest is a row here, written in the same statement or transaction as
-- the change that calls for it, and deleted once Inngest has the event; the sweep sends what
-- stays. The id is the Inngest event id, so a repeated hand-over starts nothing twice.
CREATE TABLE "outbox" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "outbox_created_at_idx" ON "outbox"("created_at");

ALTER TABLE "outbox" ADD CONSTRAINT "outbox_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The published events not yet handed over become their outbox messages.
INSERT INTO "outbox" ("id", "account_id", "name", "data", "created_at")
SELECT e."id", e."account_id", 'webhooks/event.deliveries-due',
       jsonb_build_object('event_id', e."id", 'account_id', e."account_id",
         'deliveries', jsonb_agg(jsonb_build_object('delivery_id', d."id", 'endpoint_id', d."endpoint_id") ORDER BY d."id")),
       u."created_at"
  FROM "undispatched_events" u
  JOIN "events" e ON e."id" = u."event_id"
  JOIN "deliveries" d ON d."event_id" = e."id" AND NOT d."is_test"
 GROUP BY e."id", e."account_id", u."created_at";

DROP TABLE "undispatched_events";

-- Scheduled attempts made, whatever each cost in requests (a secret switch sends two): where
-- a resumed schedule picks up, and how a repeated attempt is recognised.
ALTER TABLE "deliveries" ADD COLUMN "scheduled_attempts" INTEGER NOT NULL DEFAULT 0;

UPDATE "deliveries" d SET "scheduled_attempts" = a.n
  FROM (SELECT "delivery_id", count(*)::int AS n FROM "delivery_attempts"
         WHERE "trigger" = 'scheduled'
         GROUP BY "delivery_id") a
 WHERE d."id" = a."delivery_id";

-- Runs started before this version carry events this version's functions no longer accept, so
-- every delivery still in flight gets a run of its own that resumes its schedule where the
-- record says it stands (as after a failed run); those whose event was never handed over go
-- with their event's message above.
INSERT INTO "outbox" ("id", "account_id", "name", "data", "created_at")
SELECT d."id" || ':resume:upgrade-outbox', d."account_id", 'webhooks/delivery.schedule-continued',
       jsonb_build_object('delivery_id', d."id", 'endpoint_id', d."endpoint_id", 'account_id', d."account_id",
         'attempt', 0, 'resume', true),
       now()
  FROM "deliveries" d
 WHERE d."status" IN ('pending', 'retrying') AND NOT d."is_test"
   AND NOT EXISTS (SELECT 1 FROM "outbox" o WHERE o."id" = d."event_id");
