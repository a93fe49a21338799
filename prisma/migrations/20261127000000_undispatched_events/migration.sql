-- Published events whose deliveries are not yet handed to Inngest: a row is stored with the
-- event and deleted by the hand-over, and the sweep re-dispatches what stays. It replaces
-- deliveries.dispatched_at, whose update of every delivery right after a publish contended with
-- recording their first attempts and could never be a HOT update (the column was indexed).
CREATE TABLE "undispatched_events" (
    "event_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "undispatched_events_pkey" PRIMARY KEY ("event_id")
);

CREATE INDEX "undispatched_events_created_at_idx" ON "undispatched_events"("created_at");

ALTER TABLE "undispatched_events" ADD CONSTRAINT "undispatched_events_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "undispatched_events" ("event_id", "created_at")
SELECT "event_id", min("created_at") FROM "deliveries"
 WHERE "dispatched_at" IS NULL AND NOT "is_test"
 GROUP BY "event_id";

DROP INDEX "deliveries_dispatched_at_created_at_idx";

ALTER TABLE "deliveries" DROP COLUMN "dispatched_at";
