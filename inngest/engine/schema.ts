// The engine's tables, in its own schema. Times are epoch milliseconds (bigint) so the engine's
// clock, not the database's, decides what is due.
export function schemaSql(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.apps (
  url text PRIMARY KEY, name text NOT NULL, synced_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.functions (
  id text PRIMARY KEY, app_url text NOT NULL, config jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.events (
  key text PRIMARY KEY, name text NOT NULL, payload jsonb NOT NULL, received_at bigint NOT NULL,
  processed boolean NOT NULL DEFAULT true);
CREATE INDEX IF NOT EXISTS events_unprocessed ON ${s}.events (received_at) WHERE NOT processed;
CREATE TABLE IF NOT EXISTS ${s}.runs (
  id text PRIMARY KEY, fn_id text NOT NULL, event jsonb NOT NULL, status text NOT NULL,
  version int NOT NULL DEFAULT -1, output jsonb, error jsonb,
  ckeys text[] NOT NULL DEFAULT '{}', climits int[] NOT NULL DEFAULT '{}',
  created_at bigint NOT NULL, ended_at bigint);
-- A batched run's events in arrival order (event = events[0]); NULL for a run of one event.
ALTER TABLE ${s}.runs ADD COLUMN IF NOT EXISTS events jsonb;
CREATE INDEX IF NOT EXISTS runs_created ON ${s}.runs (created_at DESC);
CREATE INDEX IF NOT EXISTS runs_fn ON ${s}.runs (fn_id, created_at DESC);
CREATE TABLE IF NOT EXISTS ${s}.steps (
  run_id text NOT NULL, id text NOT NULL, seq bigserial, name text, result jsonb,
  attempt int NOT NULL, created_at bigint NOT NULL, PRIMARY KEY (run_id, id));
CREATE TABLE IF NOT EXISTS ${s}.queue (
  id bigserial PRIMARY KEY, run_id text NOT NULL, step_id text NOT NULL, attempt int NOT NULL,
  due_at bigint NOT NULL, sleep_id text, sleep_name text, planned boolean NOT NULL DEFAULT false,
  ckeys text[] NOT NULL DEFAULT '{}', climits int[] NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS queue_due ON ${s}.queue (due_at);
CREATE INDEX IF NOT EXISTS queue_run ON ${s}.queue (run_id);
CREATE TABLE IF NOT EXISTS ${s}.attempt_errors (
  run_id text NOT NULL, step_id text NOT NULL, attempt int NOT NULL, error jsonb, at bigint NOT NULL);
CREATE INDEX IF NOT EXISTS attempt_errors_run ON ${s}.attempt_errors (run_id);
CREATE TABLE IF NOT EXISTS ${s}.cancels (
  run_id text NOT NULL, event_name text NOT NULL, expr text, expires_at bigint);
CREATE INDEX IF NOT EXISTS cancels_event ON ${s}.cancels (event_name);
CREATE INDEX IF NOT EXISTS cancels_run ON ${s}.cancels (run_id);
CREATE TABLE IF NOT EXISTS ${s}.idempotency (
  fn_id text NOT NULL, key text NOT NULL, run_id text NOT NULL, created_at bigint NOT NULL,
  PRIMARY KEY (fn_id, key));
-- Events waiting for a batched function (batchEvents), grouped by (fn_id, batch_key). An item is
-- stored with its event and deleted by the flush that puts it in a run; ckeys/climits are the
-- concurrency keys evaluated on its event, so a batch run takes those of its first item.
CREATE TABLE IF NOT EXISTS ${s}.batch_items (
  id bigserial PRIMARY KEY, fn_id text NOT NULL, batch_key text NOT NULL, event jsonb NOT NULL,
  ckeys text[] NOT NULL DEFAULT '{}', climits int[] NOT NULL DEFAULT '{}',
  created_at bigint NOT NULL, flush_at bigint NOT NULL);
CREATE INDEX IF NOT EXISTS batch_items_group ON ${s}.batch_items (fn_id, batch_key, id);
CREATE INDEX IF NOT EXISTS batch_items_flush ON ${s}.batch_items (flush_at);
CREATE TABLE IF NOT EXISTS ${s}.crons (
  fn_id text NOT NULL, expression text NOT NULL, next_at bigint NOT NULL,
  PRIMARY KEY (fn_id, expression));
`;
}
