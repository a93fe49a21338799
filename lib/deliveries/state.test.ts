import { describe, expect, it } from "vitest";
import { DOCUMENTED_SCHEDULE, parseSchedule } from "./schedule";
import {
  admit,
  afterAttempt,
  afterUnmadeAttempt,
  DELIVERY_STATUSES,
  RESULT_CLASSES,
  requestAttempt,
  type Admission,
  type AttemptTrigger,
  type Decision,
  type DeliveryState,
  type ResultClass,
} from "./state";

const SCHEDULE = parseSchedule(DOCUMENTED_SCHEDULE);
const NOW = new Date("2026-03-01T12:00:00.000Z");
const plus = (ms: number) => new Date(NOW.getTime() + ms);

type Status = DeliveryState["status"];
type Endpoint = DeliveryState["endpoint"];
const TRIGGERS = ["scheduled", "manual", "test"] as const satisfies readonly AttemptTrigger[];
const ENDPOINTS = ["active", "disabled", "deleted"] as const satisfies readonly Endpoint[];
const SETTLED: readonly Status[] = ["succeeded", "failed", "cancelled", "skipped"];

// Every status as read; a retrying one in each place its next attempt can be. Whether its
// schedule is pending (a next scheduled attempt, ahead or overdue; none is a queued manual
// attempt) is stated here, not computed from the dates.
interface Variant {
  label: string;
  status: Status;
  nextAttemptAt: Date | null;
  schedulePending: boolean;
}
const VARIANTS: Variant[] = DELIVERY_STATUSES.flatMap((status): Variant[] =>
  status === "retrying"
    ? [
        { label: "retrying (next attempt ahead)", status, nextAttemptAt: plus(600_000), schedulePending: true },
        { label: "retrying (next attempt overdue)", status, nextAttemptAt: plus(-600_000), schedulePending: true },
        { label: "retrying (queued, no scheduled attempt)", status, nextAttemptAt: null, schedulePending: false },
      ]
    : [{ label: status, status, nextAttemptAt: null, schedulePending: false }],
);
const stateOf = (v: Variant, endpoint: Endpoint = "active", scheduledAttempts = 0): DeliveryState => ({
  status: v.status,
  nextAttemptAt: v.nextAttemptAt,
  scheduledAttempts,
  endpoint,
});

// Decisions, each with the label its cases are named by.
type Expected<T> = { label: string; value: T };
const SUCCEEDED: Expected<Decision> = {
  label: "succeeded",
  value: { status: "succeeded", nextAttemptAt: null, completed: true, continueWith: null },
};
const FAILED: Expected<Decision> = {
  label: "failed",
  value: { status: "failed", nextAttemptAt: null, completed: true, continueWith: null },
};
const kept = (v: Variant): Expected<Decision> => ({
  label: `kept ${v.status}`,
  value: { status: v.status, nextAttemptAt: v.nextAttemptAt, completed: false, continueWith: null },
});
const retrying = (attempt: number, delayMs: number, delay: string): Expected<Decision> => ({
  label: `retrying, attempt ${attempt} in ${delay}`,
  value: { status: "retrying", nextAttemptAt: plus(delayMs), completed: false, continueWith: { attempt, at: plus(delayMs) } },
});

// The documented schedule has six attempts (0–5); after a failure the next one waits its own delay.
const POSITIONS = [
  { label: "first attempt", attempt: 0, afterFailure: retrying(1, 30_000, "30 s") },
  { label: "middle attempt", attempt: 2, afterFailure: retrying(3, 1_800_000, "30 min") },
  { label: "next-to-last attempt", attempt: 4, afterFailure: retrying(5, 43_200_000, "12 h") },
  { label: "last attempt", attempt: 5, afterFailure: FAILED },
];

// Each case is named in full (vitest shortens a "$name" title to 40 characters).
const named = <T extends { name: string }>(cases: T[]) => cases.map((c) => [c.name, c] as const);

it("reads the documented schedule", () => {
  expect(SCHEDULE).toEqual([0, 30_000, 300_000, 1_800_000, 7_200_000, 43_200_000]);
});

describe("afterAttempt", () => {
  // The rules (state.ts's doc comment), in order: the first that applies decides.
  function expected(v: Variant, trigger: AttemptTrigger, result: ResultClass, position: (typeof POSITIONS)[number]) {
    if (result === "success") return SUCCEEDED; // a success settles the delivery, whatever it was
    if (["succeeded", "cancelled", "skipped"].includes(v.status)) return kept(v); // a failure never overwrites these
    if (trigger === "test") return FAILED; // a failed test is failed
    if (trigger === "manual") return v.schedulePending ? kept(v) : FAILED; // a pending schedule is left alone
    if (v.status === "failed") return kept(v); // a late scheduled failure does not revive a failed delivery
    return position.afterFailure; // scheduled: retrying on schedule, failed after the last attempt
  }

  const cases = TRIGGERS.flatMap((trigger) =>
    VARIANTS.flatMap((v) =>
      RESULT_CLASSES.flatMap((result) =>
        POSITIONS.map((position) => {
          const { label, value } = expected(v, trigger, result, position);
          return { name: `${trigger} · ${v.label} · ${result} · ${position.label} → ${label}`, trigger, v, result, position, value };
        }),
      ),
    ),
  );

  it.each(named(cases))("%s", (_name, { trigger, v, result, position, value }) => {
    const state = stateOf(v, "active", position.attempt);
    expect(afterAttempt(state, trigger, position.attempt, result, SCHEDULE, NOW)).toEqual(value);
  });
});

describe("admit", () => {
  // Scheduled attempt 2 of the run; the record says 2 were made before it (not yet made) or 3 (already made).
  const ATTEMPT = 2;
  const attempt: Expected<Admission> = { label: "attempt", value: { kind: "attempt" } };
  const skip = (reason: string, resume: { attempt: number; at: Date } | null = null): Expected<Admission> => ({
    label: `skip (${reason}${resume ? `, resume attempt ${resume.attempt}` : ""})`,
    value: { kind: "skip", reason, resume },
  });
  const cancel = (reason: string): Expected<Admission> => ({ label: `cancel (${reason})`, value: { kind: "cancel", reason } });

  function expected(v: Variant, trigger: AttemptTrigger, endpoint: Endpoint, made: boolean): Expected<Admission> {
    const settled = SETTLED.includes(v.status);
    const gone = endpoint !== "active";
    switch (trigger) {
      case "scheduled":
        if (settled) return skip(`delivery already ${v.status}`); // a settled delivery's schedule is over
        // A repeated run skips what the record says was made; a retrying schedule resumes after it.
        if (made) return skip("attempt already made", v.status === "retrying" ? { attempt: 3, at: v.nextAttemptAt ?? NOW } : null);
        return gone ? cancel(`endpoint ${endpoint}`) : attempt; // an endpoint gone before the attempt cancels it
      case "manual":
        if (v.status === "succeeded") return skip("delivery already succeeded");
        if (!gone) return attempt; // a person may try anything not yet succeeded
        if (v.status === "retrying" && !v.schedulePending) return cancel(`endpoint ${endpoint}`); // a queued retry stops
        return skip(`endpoint ${endpoint}`); // otherwise left as is: a pending schedule decides for itself
      case "test":
        if (settled) return skip(`test already ${v.status}`); // a test is attempted once
        return endpoint === "deleted" ? cancel("endpoint deleted") : attempt; // a disabled endpoint still gets it
    }
  }

  const cases = TRIGGERS.flatMap((trigger) =>
    VARIANTS.flatMap((v) =>
      ENDPOINTS.flatMap((endpoint) =>
        [false, true].map((made) => {
          const { label, value } = expected(v, trigger, endpoint, made);
          const name = `${trigger} · ${v.label} · endpoint ${endpoint} · attempt ${made ? "already made" : "not yet made"} → ${label}`;
          return { name, trigger, v, endpoint, made, value };
        }),
      ),
    ),
  );

  it.each(named(cases))("%s", (_name, { trigger, v, endpoint, made, value }) => {
    const state = stateOf(v, endpoint, made ? ATTEMPT + 1 : ATTEMPT);
    expect(admit(state, trigger, ATTEMPT, NOW)).toEqual(value);
  });
});

describe("requestAttempt", () => {
  function expected(v: Variant, endpoint: Endpoint) {
    if (!["failed", "cancelled", "skipped", "retrying"].includes(v.status)) {
      return { ok: false, code: "not_retryable", message: expect.stringContaining(`this one is ${v.status}`) };
    }
    if (endpoint === "deleted") return { ok: false, code: "endpoint_deleted", message: expect.stringContaining("deleted") };
    if (endpoint === "disabled") return { ok: false, code: "endpoint_disabled", message: "Enable the endpoint before retrying its deliveries" };
    if (v.status === "retrying") return { ok: true, status: "retrying", nextAttemptAt: v.nextAttemptAt }; // keeps its schedule
    return { ok: true, status: "retrying", nextAttemptAt: null }; // queued, no scheduled attempt
  }

  const cases = VARIANTS.flatMap((v) =>
    ENDPOINTS.map((endpoint) => {
      const value = expected(v, endpoint);
      const outcome = value.ok ? (value.nextAttemptAt === null ? "queued" : "keeps its schedule") : value.code;
      return { name: `${v.label} · endpoint ${endpoint} → ${outcome}`, v, endpoint, value };
    }),
  );

  it.each(named(cases))("%s", (_name, { v, endpoint, value }) => {
    expect(requestAttempt(stateOf(v, endpoint))).toEqual(value);
  });
});

describe("afterUnmadeAttempt", () => {
  // A requested attempt given up on settles as a failed attempt of that trigger would.
  function expected(v: Variant, trigger: "manual" | "test"): Expected<Decision> {
    if (SETTLED.includes(v.status)) return kept(v); // a settled delivery stays as it is
    if (trigger === "manual" && v.schedulePending) return kept(v); // a pending schedule is left alone
    return FAILED; // a queued manual retry or a test is failed
  }

  const cases = (["manual", "test"] as const).flatMap((trigger) =>
    VARIANTS.map((v) => {
      const { label, value } = expected(v, trigger);
      return { name: `${trigger} · ${v.label} → ${label}`, trigger, v, value };
    }),
  );

  it.each(named(cases))("%s", (_name, { trigger, v, value }) => {
    const state = stateOf(v);
    expect(afterUnmadeAttempt(state, trigger, NOW)).toEqual(value);
    expect(afterUnmadeAttempt(state, trigger, NOW).status).toBe(afterAttempt(state, trigger, 0, "timeout", SCHEDULE, NOW).status);
  });
});
