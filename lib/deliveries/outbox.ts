import "server-only";
import type pg from "pg";
import { inngest } from "@/inngest/client";
import {
  attemptRequested,
  deliveriesDue,
  noticesRecorded,
  outboxEvent,
  scheduleContinued,
  scheduleContinuedId,
  type AttemptRequested,
  type DeliveriesDue,
  type NoticesRecorded,
  type OutboxEvent,
  type ScheduleContinued,
} from "@/inngest/events";
import { sqlQuery, sqlTimestamp, type NoRows } from "../db";

/** A hand-over to Inngest: the event, its deterministic id, and the account it belongs to. */
export type OutboxMessage = OutboxEvent & { id: string; accountId: string };

/** A published event's deliveries, due their first attempts: its id is the event's. */
export const deliveriesDueMessage = (data: DeliveriesDue): OutboxMessage => ({
  id: data.event_id,
  accountId: data.account_id,
  name: deliveriesDue.name,
  data,
});

/** A delivery's schedule going on in a run of its own: once per delivery. */
export const scheduleContinuedMessage = (data: ScheduleContinued): OutboxMessage => ({
  id: scheduleContinuedId(data.delivery_id),
  accountId: data.account_id,
  name: scheduleContinued.name,
  data,
});

/** An attempt a person asked for: once per delivery and request (one click, one bulk retry). */
export const attemptRequestedMessage = (data: AttemptRequested): OutboxMessage => ({
  id: `${data.delivery_id}:attempt:${data.request_id}`,
  accountId: data.account_id,
  name: attemptRequested.name,
  data,
});

/** Notices recorded in one transaction: named after the first, which no other message holds. */
export const noticesRecordedMessage = (data: NoticesRecorded): OutboxMessage => ({
  id: `notices:${data.notice_ids[0]}`,
  accountId: data.account_id,
  name: noticesRecorded.name,
  data,
});

// Every hand-over to Inngest is written here first, in the same statement or transaction as the
// change that calls for it, then sent by `dispatch`, which deletes what Inngest accepted. What a
// crash or an unreachable Inngest leaves behind, the sweep sends (`dispatchStragglers`); the
// event id makes a repeat start nothing twice.
const INSERT_SQL = `
  INSERT INTO outbox (id, account_id, name, data, created_at)
  SELECT m.id, m.account_id, m.name, m.data, $2::timestamp(3)
    FROM json_to_recordset($1::json) AS m (id text, account_id text, name text, data jsonb)
  ON CONFLICT (id) DO NOTHING`;

/** The rows `writeOutbox` takes, for statements that insert them themselves. */
export function outboxRows(messages: OutboxMessage[]): string {
  return JSON.stringify(messages.map((m) => ({ id: m.id, account_id: m.accountId, name: m.name, data: m.data })));
}

/** Writes the messages, on `client` when given (inside the caller's transaction). */
export async function writeOutbox(messages: OutboxMessage[], client?: pg.PoolClient): Promise<void> {
  if (messages.length === 0) return;
  await sqlQuery<NoRows>("outbox_insert", INSERT_SQL, [outboxRows(messages), sqlTimestamp(new Date())], client);
}

/**
 * Sends written messages to Inngest and deletes them from the outbox. Never throws: what fails
 * stays for the sweep. Answers whether all of them were handed over.
 */
export async function dispatch(messages: OutboxMessage[]): Promise<boolean> {
  const parts: Promise<boolean>[] = [];
  let part: OutboxMessage[] = [];
  let partWeight = 0;
  const close = () => {
    const taken = { messages: part, weight: partWeight };
    if (taken.messages.length > 0) parts.push(new Promise((resolve) => waiting.push({ ...taken, resolve })));
    part = [];
    partWeight = 0;
  };
  for (const message of messages) {
    if (partWeight > 0 && partWeight + weight(message) > HAND_OVER_MAX_WEIGHT) close();
    part.push(message);
    partWeight += weight(message);
  }
  close();
  if (!handingOver) void handOverWaiting();
  return (await Promise.all(parts)).every(Boolean);
}

// Concurrent callers share hand-overs: while one is in flight, the next ones wait and then go
// together, in one request to Inngest and one delete. Nothing waits when nothing is in flight.
// A request and a statement each have a fixed cost (in the engine and in the database) far
// above one message's share of a shared one. A hand-over is bounded in deliveries (a caller's many
// messages go in several).
const HAND_OVER_MAX_WEIGHT = 1_000;
const waiting: Array<{ messages: OutboxMessage[]; weight: number; resolve: (ok: boolean) => void }> = [];
let handingOver = false;

const weight = (m: OutboxMessage) => (m.name === deliveriesDue.name ? m.data.deliveries.length : 1);

async function handOverWaiting() {
  handingOver = true;
  while (waiting.length > 0) {
    let total = waiting[0]!.weight;
    let take = 1;
    while (take < waiting.length && total + waiting[take]!.weight <= HAND_OVER_MAX_WEIGHT) total += waiting[take++]!.weight;
    const group = waiting.splice(0, take);
    const ok = await handOver(group.flatMap((g) => g.messages));
    for (const g of group) g.resolve(ok);
  }
  handingOver = false;
}

async function handOver(messages: OutboxMessage[]): Promise<boolean> {
  try {
    await inngest.send(messages.map(({ id, name, data }) => ({ id, name, data })));
    await sqlQuery<NoRows>("outbox_delete", "DELETE FROM outbox WHERE id = ANY($1::text[])", [messages.map((m) => m.id)]);
    return true;
  } catch (error) {
    console.error(
      `[outbox] handing ${messages.length} events to Inngest failed; the sweep will retry:`,
      error instanceof Error ? error.message : error,
    );
    return false;
  }
}

// Older than this and still in the outbox: whoever wrote it did not hand it over.
export const OUTBOX_GRACE_MS = 30_000;

interface OutboxRow {
  id: string;
  account_id: string;
  name: string;
  data: unknown;
}

/**
 * The sweep: sends what stayed in the outbox, oldest first, `limit` at a time, until it is empty
 * or a hand-over fails. Answers how many messages went.
 */
export async function dispatchStragglers({ limit = 500, rounds = 20, graceMs = OUTBOX_GRACE_MS } = {}): Promise<number> {
  let sent = 0;
  for (let round = 0; round < rounds; round++) {
    const { rows } = await sqlQuery<OutboxRow>(
      "outbox_stragglers",
      "SELECT id, account_id, name, data FROM outbox WHERE created_at < $1::timestamp(3) ORDER BY created_at, id LIMIT $2",
      [sqlTimestamp(new Date(Date.now() - graceMs)), limit],
    );
    const messages = rows.flatMap((row) => {
      const message = parseMessage(row);
      if (!message) console.error(`[outbox] message ${row.id} is not one this version sends (${row.name}); left in place`);
      return message ? [message] : [];
    });
    if (!(await dispatch(messages))) break;
    sent += messages.length;
    // A full page with nothing sendable would only be read again.
    if (rows.length < limit || messages.length === 0) break;
  }
  return sent;
}

function parseMessage(row: OutboxRow): OutboxMessage | null {
  const parsed = outboxEvent.safeParse({ name: row.name, data: row.data });
  return parsed.success ? { ...parsed.data, id: row.id, accountId: row.account_id } : null;
}
