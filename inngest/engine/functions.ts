// Function configs as the SDK syncs them: validation (refusing what the engine does not
// implement) and the compiled form the engine runs.
import { parseCron, type CronSchedule } from "./cron";
import { parseDuration } from "./durations";
import { expressionError } from "./triggers";

export interface FunctionConfig {
  id: string;
  name?: string;
  triggers?: Array<{ event?: string; expression?: string; cron?: string; jitter?: string }>;
  steps?: Record<string, { id?: string; runtime?: { type?: string; url?: string }; retries?: { attempts?: number } }>;
  concurrency?: number | ConcurrencyConfig | ConcurrencyConfig[];
  cancel?: Array<{ event: string; if?: string; timeout?: string }>;
  idempotency?: string;
  batchEvents?: { maxSize?: unknown; timeout?: unknown; key?: string; if?: string };
  [feature: string]: unknown;
}

interface ConcurrencyConfig {
  limit: number;
  key?: string;
  scope?: "fn" | "env" | "account";
}

export interface ConcurrencyRule {
  limit: number;
  key?: string;
  /** Prefix of the slot key: per function, or shared across functions (env/account scope). */
  scope: string;
}

/** batchEvents: events become pending items of a group (fn, evaluated key) until flushed. */
export interface BatchRule {
  maxSize: number;
  timeoutMs: number;
  key?: string;
}

export interface EngineFunction {
  id: string;
  appUrl: string;
  url: string;
  maxAttempts: number;
  eventTriggers: Array<{ event: string; expression?: string }>;
  crons: Array<{ expression: string; schedule: CronSchedule; jitterMs: number }>;
  concurrency: ConcurrencyRule[];
  cancel: Array<{ event: string; if?: string; timeoutMs?: number }>;
  idempotency?: string;
  batch?: BatchRule;
  config: FunctionConfig;
}

/** Config keys the engine implements; anything else with a value is refused at sync. */
const SUPPORTED = new Set(["id", "name", "triggers", "steps", "concurrency", "cancel", "idempotency", "batchEvents"]);
const DEFAULT_RETRIES = 4;

/** The reason this function cannot run here, phrased for the sync reply; undefined if it can. */
export function unsupportedFeature(fn: FunctionConfig): string | undefined {
  const on = `on function ${fn.id}`;
  for (const [key, value] of Object.entries(fn)) {
    if (value !== undefined && value !== null && !SUPPORTED.has(key)) return `unsupported: ${key} ${on}`;
  }
  const step = fn.steps?.step;
  if (!step || Object.keys(fn.steps ?? {}).length !== 1) return `unsupported: steps other than "step" ${on}`;
  if (step.runtime?.type !== "http" || !step.runtime.url) return `unsupported: runtime ${step.runtime?.type} ${on}`;
  for (const trigger of fn.triggers ?? []) {
    if (trigger.cron !== undefined) {
      try {
        parseCron(trigger.cron);
      } catch (error) {
        return `unsupported: cron ${(error as Error).message} ${on}`;
      }
      if (trigger.jitter !== undefined && parseDuration(trigger.jitter) === undefined) {
        return `unsupported: cron jitter "${trigger.jitter}" ${on}`;
      }
    } else if (!trigger.event) {
      return `unsupported: trigger without event or cron ${on}`;
    }
    const exprError = trigger.expression && expressionError(trigger.expression);
    if (exprError) return `invalid expression "${trigger.expression}" ${on}: ${exprError}`;
  }
  const rules = fn.concurrency === undefined ? [] : [fn.concurrency].flat();
  for (const rule of rules) {
    if (typeof rule === "number") continue;
    if (rule.scope === "account" || rule.scope === "env" || rule.scope === "fn" || rule.scope === undefined) {
      const keyError = rule.key && expressionError(rule.key);
      if (keyError) return `invalid concurrency key "${rule.key}" ${on}: ${keyError}`;
    } else {
      return `unsupported: concurrency scope ${String(rule.scope)} ${on}`;
    }
  }
  for (const cancel of fn.cancel ?? []) {
    const ifError = cancel.if && expressionError(cancel.if);
    if (ifError) return `invalid cancel expression "${cancel.if}" ${on}: ${ifError}`;
    if (cancel.timeout !== undefined && parseDuration(cancel.timeout) === undefined) {
      return `unsupported: cancel timeout "${cancel.timeout}" ${on}`;
    }
  }
  const idemError = fn.idempotency && expressionError(fn.idempotency);
  if (idemError) return `invalid idempotency expression "${fn.idempotency}" ${on}: ${idemError}`;
  return fn.batchEvents ? unsupportedBatching(fn, on) : undefined;
}

function unsupportedBatching(fn: FunctionConfig, on: string): string | undefined {
  const batch = fn.batchEvents!;
  if (batch.if !== undefined) return `unsupported: batchEvents.if ${on}`;
  const { maxSize, timeout } = batch;
  if (typeof maxSize !== "number" || !Number.isInteger(maxSize) || maxSize < 1) {
    return `invalid batchEvents maxSize ${JSON.stringify(maxSize)} ${on}: must be a whole number of at least 1`;
  }
  if (typeof timeout !== "string" || parseDuration(timeout) === undefined) {
    return `invalid batchEvents timeout ${JSON.stringify(timeout)} ${on}: must be a duration such as "100ms" or "5s"`;
  }
  const keyError = batch.key && expressionError(batch.key);
  if (keyError) return `invalid batchEvents key "${batch.key}" ${on}: ${keyError}`;
  // A batched run has many triggering events, so neither "the run's event" for a cancel
  // expression nor "the run's idempotency key" is well defined.
  if (fn.cancel?.length) {
    return `unsupported: batchEvents with cancelOn ${on} (a batch has many events, so which run a cancel event matches is undefined)`;
  }
  if (fn.idempotency) {
    return `unsupported: batchEvents with idempotency ${on} (a batch has many events, so it has no single idempotency key)`;
  }
  return undefined;
}

/** Compile a config that passed `unsupportedFeature`. */
export function compileFunction(appUrl: string, config: FunctionConfig): EngineFunction {
  const step = config.steps!.step!;
  const triggers = config.triggers ?? [];
  const rules = config.concurrency === undefined ? [] : [config.concurrency].flat();
  return {
    id: config.id,
    appUrl,
    url: step.runtime!.url!,
    maxAttempts: (step.retries?.attempts ?? DEFAULT_RETRIES) + 1,
    eventTriggers: triggers.flatMap((t) => (t.event ? [{ event: t.event, expression: t.expression }] : [])),
    crons: triggers.flatMap((t) =>
      t.cron
        ? [{ expression: t.cron, schedule: parseCron(t.cron), jitterMs: t.jitter ? parseDuration(t.jitter)! : 0 }]
        : [],
    ),
    concurrency: rules
      .map((rule) => (typeof rule === "number" ? { limit: rule } : rule))
      .filter((rule) => rule.limit > 0)
      .map((rule) => ({
        limit: rule.limit,
        key: rule.key,
        scope: rule.scope === "env" || rule.scope === "account" ? `${rule.scope}:${rule.key ?? ""}` : `fn:${config.id}`,
      })),
    cancel: (config.cancel ?? []).map((c) => ({
      event: c.event,
      if: c.if,
      timeoutMs: c.timeout ? parseDuration(c.timeout) : undefined,
    })),
    idempotency: config.idempotency,
    batch: config.batchEvents && {
      maxSize: config.batchEvents.maxSize as number,
      timeoutMs: parseDuration(config.batchEvents.timeout as string)!,
      key: config.batchEvents.key,
    },
    config,
  };
}

/** Event-name patterns may end in `*` (e.g. "app/user.*"), as Inngest allows. */
export function eventNameMatches(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}
