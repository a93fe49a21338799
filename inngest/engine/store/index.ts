// All SQL the engine runs, one file per aggregate. Every state change is one statement or one
// short transaction, and none is held open across an HTTP call.
import type pg from "pg";
import { withTransaction } from "../pg";
import { schemaSql } from "../schema";
import { AppStore } from "./apps";
import { BatchStore } from "./batches";
import { CronStore } from "./crons";
import { EventStore } from "./events";
import { QueueStore } from "./queue";
import { RunStore } from "./runs";

export type { BatchGroup } from "./batches";
export type { NewBatchItem, NewCancel, NewRun, TouchedBatch } from "./events";
export type { QueueItem } from "./queue";
export type { NewItem, Outcome, RunState, StepWrite } from "./runs";

export class Store {
  readonly s: string;
  readonly apps: AppStore;
  readonly events: EventStore;
  readonly batches: BatchStore;
  readonly queue: QueueStore;
  readonly runs: RunStore;
  readonly crons: CronStore;

  constructor(
    readonly pool: pg.Pool,
    schema: string,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    this.s = schema;
    this.apps = new AppStore(pool, schema);
    this.events = new EventStore(pool, schema);
    this.batches = new BatchStore(pool, schema);
    this.queue = new QueueStore(pool, schema);
    this.runs = new RunStore(pool, schema);
    this.crons = new CronStore(pool, schema);
  }

  async migrate(): Promise<void> {
    await this.pool.query(schemaSql(this.s));
  }

  /** Session-level lock held for the engine's lifetime on a dedicated connection. */
  async tryLock(client: pg.PoolClient): Promise<boolean> {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
      [`inngest_engine:${this.s}`],
    );
    return rows[0]!.locked;
  }

  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }
}
