// Delay before retrying a failed call: the real Inngest server's schedule by default.
import { requireDuration } from "./durations";

const SERVER_SCHEDULE_MS = [
  15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 2_400_000, 3_600_000, 7_200_000,
];
const SERVER_JITTER_MS = 30_000;

export interface Backoff {
  /** Milliseconds to wait after the given 0-based attempt failed. */
  delay(attempt: number): number;
}

export function createBackoff(schedule = SERVER_SCHEDULE_MS, jitterMs = SERVER_JITTER_MS): Backoff {
  if (schedule.length === 0) throw new Error("backoff schedule is empty");
  return {
    delay(attempt) {
      const base = schedule[Math.min(attempt, schedule.length - 1)]!;
      return base + Math.floor(Math.random() * jitterMs);
    },
  };
}

/**
 * INNGEST_ENGINE_BACKOFF: either a list of delays ("1s,2s,5s"; the last repeats; no jitter) or a
 * scale applied to the server schedule and its jitter ("0.01" → 150ms, 300ms, …).
 */
export function backoffFromEnv(value: string | undefined): Backoff {
  if (!value) return createBackoff();
  if (/^\d*\.?\d+$/.test(value.trim())) {
    const scale = Number(value);
    return createBackoff(
      SERVER_SCHEDULE_MS.map((ms) => ms * scale),
      SERVER_JITTER_MS * scale,
    );
  }
  return createBackoff(value.split(",").map((part) => requireDuration(part)), 0);
}
