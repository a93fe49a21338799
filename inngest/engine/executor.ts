// The call loop: one queue item → one POST to the app → one atomic outcome.
import canonicalize from "canonicalize";
import { ulid } from "ulid";
import type { Backoff } from "./backoff";
import type { HttpClient, HttpResponse } from "./http-client";
import type { Logger } from "./log";
import { interpretCall } from "./outcome";
import type { Registry } from "./registry";
import { responseSignatureValid, signatureHeader } from "./signing";
import type { QueueItem, RunState, Store } from "./store";

/** Cached run states, counted in events (a batched run weighs its batch size) to bound memory. */
const RUN_CACHE_EVENTS = 10_000;
const weight = (run: RunState) => run.events?.length ?? 1;

class RunCache {
  private runs = new Map<string, RunState>();
  private events = 0;

  get(runId: string): RunState | undefined {
    return this.runs.get(runId);
  }

  set(run: RunState): void {
    this.delete(run.id);
    this.runs.set(run.id, run);
    this.events += weight(run);
    while (this.events > RUN_CACHE_EVENTS && this.runs.size > 1) this.delete(this.runs.keys().next().value!);
  }

  delete(runId: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    this.events -= weight(run);
  }
}

function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface ExecutorDeps {
  store: Store;
  registry: Registry;
  http: HttpClient;
  backoff: Backoff;
  log: Logger;
  signingKey?: string;
  callTimeoutMs: number;
  /** New queue items to schedule. */
  offer(items: QueueItem[]): void;
  /** A run failed: its inngest/function.failed event waits to be matched. */
  onRunFailed(): void;
  /** The app was unreachable or did not know a function: it may have restarted or changed. */
  requestSync(): void;
}

export class Executor {
  /** Run state of active runs; the database stays the source of truth (single engine). */
  private runs = new RunCache();
  /** Outcomes of one run are applied one at a time, so "no other item left" is exact. */
  private runLocks = new Map<string, Promise<unknown>>();

  constructor(private deps: ExecutorDeps) {}

  /** Drop cached state, e.g. after a run was cancelled. */
  forget(runIds: string[]): void {
    for (const id of runIds) this.runs.delete(id);
  }

  async execute(item: QueueItem): Promise<void> {
    const { store, registry } = this.deps;
    // An outcome of this run may be committing: the item it queued can be fetched from the
    // database before the cached state holds the step it saved, and calling with that stale
    // state would run the step again. Wait until the outcome is fully applied.
    await this.runLocks.get(item.runId);
    const run = await this.runState(item.runId);
    if (!run || run.status !== "Running") {
      await store.queue.delete(item.id);
      this.runs.delete(item.runId);
      return;
    }
    const fn = registry.get(run.fnId);
    let response: HttpResponse | undefined;
    let networkError: Error | undefined;
    if (fn) {
      try {
        response = await this.call(fn.url, fn.maxAttempts, item, run);
      } catch (error) {
        networkError = error as Error;
      }
    }
    const { outcome, unknownFunction } = interpretCall({
      item,
      run,
      fn,
      response,
      networkError,
      backoff: this.deps.backoff,
      now: Date.now(),
    });
    if (unknownFunction || networkError) this.deps.requestSync();
    await this.withRunLock(run.id, async () => {
      const result = await store.runs.applyOutcome(item, outcome, Date.now());
      if (!result.applied) {
        this.runs.delete(run.id);
        return;
      }
      for (const step of outcome.steps) {
        if (!(step.id in run.steps)) {
          run.steps[step.id] = step.result;
          run.stack.push(step.id);
        }
      }
      run.version = outcome.version;
      if (result.finalStatus) {
        this.runs.delete(run.id);
        this.deps.log("info", `run ${result.finalStatus.toLowerCase()}`, {
          run_id: run.id,
          fn_id: run.fnId,
          status: result.finalStatus,
        });
        if (result.finalStatus === "Failed") this.deps.onRunFailed();
      }
      this.deps.offer(result.items);
    });
  }

  private async call(fnUrl: string, maxAttempts: number, item: QueueItem, run: RunState): Promise<HttpResponse> {
    const steps = { ...run.steps };
    const stack = [...run.stack];
    if (item.sleepId && !(item.sleepId in steps)) {
      steps[item.sleepId] = null;
      stack.push(item.sleepId);
    }
    const payload = {
      event: run.event,
      events: run.events ?? [run.event],
      steps,
      ctx: {
        run_id: run.id,
        attempt: item.attempt,
        max_attempts: maxAttempts,
        disable_immediate_execution: item.planned,
        use_api: false,
        stack: { stack, current: Math.max(stack.length - 1, 0) },
        step_id: item.stepId,
      },
      version: run.version,
      use_api: false,
    };
    const { signingKey } = this.deps;
    // The SDK verifies the signature over the JCS form of the body, so send exactly that.
    const body = signingKey ? canonicalize(payload)! : JSON.stringify(payload);
    const url = new URL(fnUrl);
    url.searchParams.set("stepId", item.stepId);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-run-id": run.id,
      "x-inngest-step-id": item.stepId,
      "x-request-id": ulid(),
    };
    if (run.version > 0) headers["x-inngest-req-version"] = String(run.version);
    if (signingKey) headers["x-inngest-signature"] = signatureHeader(body, signingKey);
    const response = await this.deps.http.request("POST", url.href, body, headers, this.deps.callTimeoutMs);
    // In signed mode an answer counts only if the app signed it: anything else came from
    // something that is not our app (a proxy, another process on the port) and is retried.
    if (signingKey && !responseSignatureValid(headerValue(response, "x-inngest-signature"), response.body, signingKey)) {
      throw new Error(`the answer (HTTP ${response.status}) is not signed with the engine's signing key`);
    }
    return response;
  }

  private async runState(runId: string): Promise<RunState | undefined> {
    const cached = this.runs.get(runId);
    if (cached) return cached;
    const run = await this.deps.store.runs.load(runId);
    if (run?.status === "Running") {
      this.runs.set(run);
    }
    return run;
  }

  private async withRunLock<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.runLocks.get(runId) ?? Promise.resolve();
    const current = previous.then(work, work);
    const settled = current.catch(() => undefined);
    this.runLocks.set(runId, settled);
    try {
      return await current;
    } finally {
      if (this.runLocks.get(runId) === settled) this.runLocks.delete(runId);
    }
  }
}
