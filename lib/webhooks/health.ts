// An endpoint's health, from its recent attempts (test deliveries left out), not only from
// finished deliveries: a delivery still retrying is a failure the endpoint has already had.
//
//   disabled   by a person ("manual") or automatically ("failing"), with when and why
//   failing    the last `failingAfter` attempts all failed, since the first of them
//   degraded   some of the last RECENT_ATTEMPTS attempts failed
//   healthy    none of them did (or there were none yet)
//
// The columns are kept by the statement that records attempts (lib/deliveries/record-attempts.ts);
// this reads them. The SQL form is for queries that count endpoints by state.

export const HEALTH_STATES = ["healthy", "degraded", "failing", "disabled"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** How many recent attempts `recent_failures` holds, one bit each (bit 0 the latest, 1 = failed). */
export const RECENT_ATTEMPTS = 20;
export const RECENT_MASK = (1 << RECENT_ATTEMPTS) - 1;

export interface HealthColumns {
  status: "active" | "disabled";
  disabledReason: string | null;
  disabledAt: Date | null;
  failureStreak: number;
  failingSince: Date | null;
  recentFailures: number;
}

export interface HealthSettings {
  failingAfter: number;
  autoDisableAfterMs: number;
}

export interface Health {
  state: HealthState;
  /** Since when it is in this state: disabled at, or the first failed attempt of the run. */
  since: Date | null;
  /** "manual" or "failing" when disabled. */
  disabledReason: string | null;
  /** Failed attempts in a row, up to now. */
  consecutiveFailures: number;
  /** Failed attempts among the last RECENT_ATTEMPTS. */
  recentFailures: number;
  /** When a failing endpoint will be disabled automatically if nothing succeeds before. */
  disablesAt: Date | null;
}

function bitCount(bits: number): number {
  let n = 0;
  for (let b = bits & RECENT_MASK; b !== 0; b &= b - 1) n++;
  return n;
}

export function endpointHealth(endpoint: HealthColumns, settings: HealthSettings): Health {
  const recentFailures = bitCount(endpoint.recentFailures);
  const base = { consecutiveFailures: endpoint.failureStreak, recentFailures, disabledReason: null, disablesAt: null };
  if (endpoint.status === "disabled") {
    return { ...base, state: "disabled", since: endpoint.disabledAt, disabledReason: endpoint.disabledReason };
  }
  if (endpoint.failureStreak >= settings.failingAfter && endpoint.failingSince) {
    const disablesAt = new Date(endpoint.failingSince.getTime() + settings.autoDisableAfterMs);
    return { ...base, state: "failing", since: endpoint.failingSince, disablesAt };
  }
  return { ...base, state: recentFailures > 0 ? "degraded" : "healthy", since: null };
}

/** The same state as a SQL expression over the endpoint's columns (`alias` names its table). */
export function healthStateSql(alias: string, settings: Pick<HealthSettings, "failingAfter">): string {
  const failingAfter = Math.trunc(settings.failingAfter); // a validated whole number, inlined
  return `CASE WHEN ${alias}.status = 'disabled' THEN 'disabled'
    WHEN ${alias}.failure_streak >= ${failingAfter} AND ${alias}.failing_since IS NOT NULL THEN 'failing'
    WHEN ${alias}.recent_failures & ${RECENT_MASK} <> 0 THEN 'degraded' ELSE 'healthy' END`;
}
