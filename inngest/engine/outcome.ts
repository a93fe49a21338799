// What one call's response means for the run (protocol §6–§8), as data for store/runs.ts applyOutcome.
import { ulid } from "ulid";
import type { Backoff } from "./backoff";
import { retryAfterAt, sleepUntil } from "./durations";
import type { EngineFunction } from "./functions";
import type { HttpResponse } from "./http-client";
import type { NewItem, Outcome, QueueItem, RunState } from "./store";

interface Op {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  opts?: { duration?: unknown } | null;
  data?: unknown;
  error?: unknown;
}

export interface CallResult {
  outcome: Outcome;
  /** The app did not know the function: its code changed, so it should be synced again. */
  unknownFunction: boolean;
}

function serializedError(message: string, name = "Error") {
  return { name, message, stack: "", __serialized: true };
}

function parseJson(text: string): unknown {
  try {
    return text === "" ? null : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function interpretCall(args: {
  item: QueueItem;
  run: RunState;
  fn: EngineFunction | undefined;
  response?: HttpResponse;
  networkError?: Error;
  backoff: Backoff;
  now: number;
}): CallResult {
  const { item, run, fn, response, now } = args;
  const header = (name: string) => {
    const value = response?.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const version = Number(header("x-inngest-req-version"));
  const outcome: Outcome = {
    steps: item.sleepId ? [{ id: item.sleepId, name: item.sleepName, result: null, attempt: 0 }] : [],
    items: [],
    version: Number.isInteger(version) && version > 0 ? version : run.version,
    errors: [],
  };
  const result: CallResult = { outcome, unknownFunction: false };
  const maxAttempts = fn?.maxAttempts ?? 1;

  const fail = (error: unknown) => {
    outcome.items = [];
    outcome.final = {
      status: "Failed",
      error,
      failedEvent: {
        id: ulid(),
        name: "inngest/function.failed",
        data: {
          function_id: run.fnId,
          run_id: run.id,
          error,
          event: run.event,
          // Our extension, for batched runs only: the whole batch. Inngest sends just `event`
          // (= events[0]), which would leave an onFailure handler blind to the other events.
          ...(run.events ? { events: run.events } : {}),
        },
        ts: now,
        user: {},
      },
    };
    return result;
  };
  /** Retry this same call (same step id, attempt + 1) unless that was the last attempt. */
  const retryOrFail = (error: unknown, noRetry: boolean, failRun: boolean): boolean => {
    outcome.errors.push({ step_id: item.stepId, attempt: item.attempt, error });
    if (noRetry || item.attempt + 1 >= maxAttempts) {
      if (failRun) fail(error);
      return false;
    }
    outcome.items.push({
      step_id: item.stepId,
      attempt: item.attempt + 1,
      due_at: retryAfterAt(header("retry-after") ?? null, now) ?? now + args.backoff.delay(item.attempt),
      sleep_id: null,
      sleep_name: null,
      planned: item.planned,
      if_idle: false,
    });
    return true;
  };

  if (!fn) return fail(serializedError(`function ${run.fnId} is no longer registered`));
  if (!response) {
    retryOrFail(serializedError(`call failed: ${args.networkError?.message ?? "unknown error"}`), false, true);
    return result;
  }
  if (!header("x-inngest-sdk")) {
    // A 2xx without the SDK header came from a proxy, not from the SDK.
    retryOrFail(serializedError(`HTTP ${response.status} without x-inngest-sdk (not an Inngest SDK response)`), false, true);
    return result;
  }
  const body = parseJson(response.body);
  const noRetry = header("x-inngest-no-retry") === "true";

  if (response.status === 200) {
    outcome.final = { status: "Completed", output: body ?? null };
    return result;
  }
  if (response.status === 201) {
    return fail(serializedError("streamed responses (INNGEST_STREAMING) are not supported by this engine"));
  }
  if (response.status !== 206) {
    const error =
      body && typeof body === "object" && "message" in body ? body : serializedError(`HTTP ${response.status}: ${response.body.slice(0, 200)}`);
    const message = (body as { message?: unknown } | undefined)?.message;
    result.unknownFunction =
      (body as { type?: unknown } | undefined)?.type === "internal" &&
      typeof message === "string" &&
      message.includes("Could not find function");
    retryOrFail(error, noRetry, true);
    return result;
  }
  if (!Array.isArray(body)) {
    retryOrFail(serializedError("206 response is not a list of ops"), false, true);
    return result;
  }

  let retrying = false;
  for (const op of body as Op[]) {
    const name = op.displayName ?? op.name ?? null;
    switch (op.op) {
      case "StepRun":
      case "Step":
        outcome.steps.push({ id: op.id, name, result: { data: op.data ?? null }, attempt: item.attempt });
        break;
      case "StepError":
        if (retryOrFail(op.error, noRetry, false)) {
          retrying = true;
          break;
        }
        outcome.steps.push({ id: op.id, name, result: { error: op.error }, attempt: item.attempt });
        break;
      case "StepFailed":
        outcome.steps.push({ id: op.id, name, result: { error: op.error ?? op.data }, attempt: item.attempt });
        break;
      case "StepPlanned":
        outcome.items.push(newItem(op.id, now, { planned: true }));
        break;
      case "Sleep":
        try {
          outcome.items.push(newItem("step", sleepUntil(op.name, op.opts?.duration, now), { sleep_id: op.id, sleep_name: name }));
        } catch (error) {
          return fail(serializedError((error as Error).message));
        }
        break;
      case "RunComplete":
        outcome.final = { status: "Completed", output: op.data ?? null };
        return result;
      case "DiscoveryRequest":
        break;
      default:
        return fail(serializedError(`step.${op.op} (opcode ${op.op}) is not supported by this engine`, "NonRetriableError"));
    }
  }
  // Something settled and nothing else was scheduled: ask the SDK what comes next, once every
  // parallel step of the run has settled.
  if (!retrying && outcome.items.length === 0) outcome.items.push(newItem("step", now, { if_idle: true }));
  return result;
}

function newItem(stepId: string, dueAt: number, extra: Partial<NewItem>): NewItem {
  return { step_id: stepId, attempt: 0, due_at: dueAt, sleep_id: null, sleep_name: null, planned: false, if_idle: false, ...extra };
}
