// The delivery state machine: every decision about a delivery's status, next attempt and
// whether its schedule goes on is made here, from the state as read, the attempt's trigger and
// result, and the retry schedule. It is pure: the SQL in record-attempts.ts only applies a
// decision, and only if the row still holds the state it was made from (compare-and-set);
// otherwise the state is read again and decided again.
//
//   pending ──first attempt──▶ succeeded
//      │                  └──▶ retrying ──attempt n──▶ succeeded | retrying | failed (last attempt)
//      └── endpoint disabled or deleted before an attempt ──▶ cancelled
//   (published while the endpoint was disabled) skipped: never attempted on its own
//   failed / cancelled / skipped ──"Retry now", "Retry all failed", a recovery──▶ retrying (queued) ──▶ succeeded | failed
import type { DeliveryStatus } from "@prisma/client";
import type { ErrorClass } from "./send-request";

/** Who asked for the attempt: the retry schedule, a person ("Retry now", bulk retry), or a test event. */
export type AttemptTrigger = "scheduled" | "manual" | "test";

/** What an attempt came to: success (2xx) or the class of its failure. */
export type ResultClass = "success" | ErrorClass;

export const RESULT_CLASSES = [
  "success",
  "timeout",
  "connection",
  "dns",
  "tls",
  "http_status",
  "redirect",
  "blocked_address",
] as const satisfies readonly ResultClass[];

export const DELIVERY_STATUSES = ["pending", "retrying", "succeeded", "failed", "cancelled", "skipped"] as const satisfies readonly DeliveryStatus[];

/** What an attempt needs to know about its delivery, as read. */
export interface DeliveryState {
  status: DeliveryStatus;
  /** Scheduled attempts made so far (a secret switch's two requests count as one). */
  scheduledAttempts: number;
  /** When the schedule's next attempt is due; null when no scheduled attempt is ahead (a queued manual one). */
  nextAttemptAt: Date | null;
  endpoint: "active" | "disabled" | "deleted";
}

/** Where a schedule goes on: scheduled attempt `attempt` (0-based), not before `at`. */
export interface Continuation {
  attempt: number;
  at: Date;
}

export type Admission =
  | { kind: "attempt" }
  /** Nothing to do here; `resume` says where the schedule stands when it goes on. */
  | { kind: "skip"; reason: string; resume: Continuation | null }
  /** Stopped for good without an attempt: the delivery becomes cancelled. */
  | { kind: "cancel"; reason: string };

const SETTLED: readonly DeliveryStatus[] = ["succeeded", "failed", "cancelled", "skipped"];

/**
 * A schedule is pending when the delivery is retrying with a next scheduled attempt, due or
 * overdue (its run may be late); a retrying delivery without one is a queued manual attempt.
 */
function schedulePending(state: Pick<DeliveryState, "status" | "nextAttemptAt">): boolean {
  return state.status === "retrying" && state.nextAttemptAt !== null;
}

/**
 * Whether to make an attempt now. `attempt` is the 0-based scheduled attempt for the schedule's
 * own attempts (ignored otherwise).
 */
export function admit(state: DeliveryState, trigger: AttemptTrigger, attempt: number, now: Date): Admission {
  const endpointGone = state.endpoint !== "active";
  switch (trigger) {
    case "scheduled": {
      if (SETTLED.includes(state.status)) return { kind: "skip", reason: `delivery already ${state.status}`, resume: null };
      // The attempt was made and recorded, and its run is repeating it (cut off before it
      // saved the step's result): the schedule goes on from where the record says.
      if (state.scheduledAttempts > attempt) {
        const resume = state.status === "retrying" ? { attempt: state.scheduledAttempts, at: state.nextAttemptAt ?? now } : null;
        return { kind: "skip", reason: "attempt already made", resume };
      }
      if (endpointGone) return { kind: "cancel", reason: `endpoint ${state.endpoint}` };
      return { kind: "attempt" };
    }
    case "manual": {
      if (state.status === "succeeded") return { kind: "skip", reason: "delivery already succeeded", resume: null };
      if (endpointGone) {
        // Its schedule, if one is pending, decides for itself when it wakes.
        if (schedulePending(state)) return { kind: "skip", reason: `endpoint ${state.endpoint}`, resume: null };
        if (state.status === "retrying") return { kind: "cancel", reason: `endpoint ${state.endpoint}` };
        return { kind: "skip", reason: `endpoint ${state.endpoint}`, resume: null };
      }
      return { kind: "attempt" };
    }
    case "test": {
      // A test is attempted once, whatever the endpoint's status, unless it was deleted.
      if (SETTLED.includes(state.status)) return { kind: "skip", reason: `test already ${state.status}`, resume: null };
      if (state.endpoint === "deleted") return { kind: "cancel", reason: "endpoint deleted" };
      return { kind: "attempt" };
    }
  }
}

export interface Decision {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  /** The delivery is settled by this attempt: completed_at is set. */
  completed: boolean;
  /** The schedule goes on (a run must make this attempt then), or null. */
  continueWith: Continuation | null;
}

/**
 * The delivery's state after an attempt made at `at`. `state` is the delivery as it is when
 * the attempt is recorded (success or cancellation may have landed meanwhile). A success
 * settles the delivery; a failure never overwrites a success or a cancellation; a failed
 * scheduled attempt with attempts left is retrying, its schedule going on; a failed manual
 * attempt leaves a pending schedule alone and otherwise (a failed, stopped or replayed
 * delivery) settles it as failed; a failed test is failed.
 */
export function afterAttempt(
  state: DeliveryState,
  trigger: AttemptTrigger,
  attempt: number,
  result: ResultClass,
  schedule: readonly number[],
  at: Date,
): Decision {
  const keep: Decision = { status: state.status, nextAttemptAt: state.nextAttemptAt, completed: false, continueWith: null };
  const fail: Decision = { status: "failed", nextAttemptAt: null, completed: true, continueWith: null };
  if (result === "success") return { status: "succeeded", nextAttemptAt: null, completed: true, continueWith: null };
  if (state.status === "succeeded" || state.status === "cancelled" || state.status === "skipped") return keep;
  switch (trigger) {
    case "test":
      return fail;
    case "manual":
      return schedulePending(state) ? keep : fail;
    case "scheduled": {
      if (state.status === "failed") return keep;
      const next = attempt + 1;
      if (next >= schedule.length) return fail;
      const nextAt = new Date(at.getTime() + schedule[next]!);
      return { status: "retrying", nextAttemptAt: nextAt, completed: false, continueWith: { attempt: next, at: nextAt } };
    }
  }
}

/** A delivery stopped without an attempt (see `admit`). */
export function afterCancel(): Decision {
  return { status: "cancelled", nextAttemptAt: null, completed: true, continueWith: null };
}

/**
 * A requested attempt that could not be made at all (our own fault, retried until given up):
 * the delivery is not left queued, but settles as a failed attempt would settle it.
 */
export function afterUnmadeAttempt(state: DeliveryState, trigger: "manual" | "test", at: Date): Decision {
  const keep: Decision = { status: state.status, nextAttemptAt: state.nextAttemptAt, completed: false, continueWith: null };
  if (SETTLED.includes(state.status)) return keep;
  if (trigger === "manual" && schedulePending(state)) return keep;
  return { status: "failed", nextAttemptAt: null, completed: true, continueWith: null };
}

/**
 * Whether a person may ask for an attempt of a delivery in this state, and if so the state it
 * takes at once (queued): a failed, cancelled or skipped delivery is retrying with no scheduled attempt;
 * a retrying one keeps its schedule (a failed manual attempt leaves it pending).
 */
export function requestAttempt(
  state: Pick<DeliveryState, "status" | "nextAttemptAt" | "endpoint">,
): { ok: true; status: DeliveryStatus; nextAttemptAt: Date | null } | { ok: false; code: string; message: string } {
  if (state.status !== "failed" && state.status !== "cancelled" && state.status !== "skipped" && state.status !== "retrying") {
    return {
      ok: false,
      code: "not_retryable",
      message: `Only failed, retrying, cancelled or skipped deliveries can be retried; this one is ${state.status}`,
    };
  }
  if (state.endpoint === "deleted") {
    return { ok: false, code: "endpoint_deleted", message: "The endpoint was deleted; its deliveries can no longer be retried" };
  }
  if (state.endpoint === "disabled") {
    return { ok: false, code: "endpoint_disabled", message: "Enable the endpoint before retrying its deliveries" };
  }
  return state.status === "retrying"
    ? { ok: true, status: "retrying", nextAttemptAt: state.nextAttemptAt }
    : { ok: true, status: "retrying", nextAttemptAt: null };
}
