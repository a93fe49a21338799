-- The deliveries still waiting (pending or retrying), for GET /metrics's deliveries_waiting: a
-- count over this index costs what is waiting, not the whole history. Prisma's schema cannot
-- express a partial index (prisma/prisma#3076), so it lives here only: should `migrate dev`
-- generate a migration that drops it, delete that statement.
CREATE INDEX "deliveries_waiting_idx" ON "deliveries" ("status") WHERE "status" IN ('pending', 'retrying');
