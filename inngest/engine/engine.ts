// Wires the engine together: `startEngine` is what main.ts runs and what tests embed.
import type { AddressInfo } from "node:net";
import pg from "pg";
import { createBackoff, type Backoff } from "./backoff";
import { Batcher } from "./batches";
import { ConcurrencySlots } from "./concurrency";
import { EventRouter } from "./events";
import { Executor } from "./executor";
import { HttpClient } from "./http-client";
import { stdoutLogger, type Logger } from "./log";
import { Registry } from "./registry";
import { Scheduler } from "./scheduler";
import { engineMetrics } from "./metrics";
import { createServer } from "./server";
import { Store } from "./store";
import { AppSync } from "./sync";

export interface EngineOptions {
  databaseUrl: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The app's serve URL to sync on start (e.g. http://127.0.0.1:3000/api/inngest). */
  appUrl?: string;
  /** Signed (cloud) mode: sign calls, verify answers, require the app's key on /fn/register. */
  signingKey?: string;
  /** Required in the event API's path (/e/{key}) when set. */
  eventKey?: string;
  /** Serves GET /metrics to this bearer token when set. */
  metricsToken?: string;
  schema?: string;
  backoff?: Backoff;
  /** Calls to the app in flight at once. */
  maxInFlight?: number;
  /** PostgreSQL connections (keep small on PGlite). */
  dbPoolSize?: number;
  resyncIntervalMs?: number;
  callTimeoutMs?: number;
  log?: Logger;
}

export interface RunningEngine {
  url: string;
  stop(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const log = options.log ?? stdoutLogger;
  const maxInFlight = options.maxInFlight ?? 64;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.dbPoolSize ?? 5 });
  pool.on("error", (error) => log("error", "database connection error", { error: error.message }));
  const store = new Store(pool, options.schema ?? "inngest_engine");

  // One engine per schema: the lock lives as long as this dedicated connection.
  const lockClient = new pg.Client({ connectionString: options.databaseUrl });
  lockClient.on("error", (error) => log("error", "lock connection error", { error: error.message }));
  try {
    await lockClient.connect();
    const locked = await store.tryLock(lockClient as unknown as pg.PoolClient);
    if (!locked) throw new Error(`another engine is running on schema "${store.s}"`);
    await store.migrate();
  } catch (error) {
    await lockClient.end().catch(() => undefined);
    await pool.end();
    throw error;
  }

  const registry = new Registry();
  registry.load(await store.apps.loadFunctions());
  const http = new HttpClient(maxInFlight);
  const slots = new ConcurrencySlots();
  let sync: AppSync | undefined;

  // The scheduler, router and executor refer to each other through these late-bound calls.
  let scheduler: Scheduler;
  let events: EventRouter;
  const offer = (items: Parameters<Scheduler["offer"]>[0]) => scheduler.offer(items);
  const processPending = () =>
    void events.processPending().catch((error: unknown) => log("error", "matching internal events failed", { error: String(error) }));

  const executor = new Executor({
    store,
    registry,
    http,
    backoff: options.backoff ?? createBackoff(),
    log,
    signingKey: options.signingKey,
    callTimeoutMs: options.callTimeoutMs ?? 15 * 60_000,
    offer,
    onRunFailed: processPending,
    requestSync: () => sync?.request(),
  });
  const batcher = new Batcher(store, registry, log, offer);
  events = new EventRouter(store, registry, log, batcher, {
    offer,
    cancelled: (runIds) => executor.forget(runIds),
    batchDue: (at) => scheduler.remindAt(at),
  });
  scheduler = new Scheduler(
    store,
    slots,
    maxInFlight,
    (item) => executor.execute(item),
    () => events.fireCrons(),
    () => batcher.flushDue(),
    log,
  );

  const server = createServer({
    store,
    registry,
    events,
    log,
    signingKey: options.signingKey,
    eventKey: options.eventKey,
    appUrl: options.appUrl,
    metricsToken: options.metricsToken,
    metrics: options.metricsToken ? engineMetrics(store) : undefined,
    onRegistered: () => scheduler.wake(),
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8288, host, resolve);
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  log("info", "engine started", { url, schema: store.s, signed: Boolean(options.signingKey) });

  scheduler.start();
  processPending();
  void batcher.recover().catch((error: unknown) => log("error", "flushing batches at start failed", { error: String(error) }));
  if (options.appUrl) {
    sync = new AppSync({
      appUrl: options.appUrl,
      signingKey: options.signingKey,
      http,
      log,
      intervalMs: options.resyncIntervalMs ?? 30_000,
    });
    sync.start();
  }

  return {
    url,
    async stop() {
      sync?.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await scheduler.stop();
      await batcher.stop();
      http.close();
      await lockClient.end().catch(() => undefined);
      await pool.end();
    },
  };
}
