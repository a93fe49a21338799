// Payload filters: a CEL expression over the event (`event.type`, `event.data`,
// `event.environment`) that an event must match to be delivered to an endpoint. The same
// language the engine's triggers use (@bufbuild/cel). Checked when written, so a stored filter
// always parses.
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";

/** At most this many bytes of expression (UTF-8). */
export const MAX_FILTER_BYTES = 1024;

export type FilterProgram = (bindings: Record<string, unknown>) => unknown;

/** Why an expression cannot be a filter, and where (1-based line and column, 0-based offset). */
export interface FilterProblem {
  message: string;
  position: { line: number; column: number; offset: number } | null;
}

const env = celEnv();

interface Location {
  start: { offset: number; line: number; column: number };
}

function positionOf(error: unknown): FilterProblem["position"] {
  const location = (error as { location?: Location }).location;
  if (!location?.start) return null;
  const { line, column, offset } = location.start;
  return { line, column, offset };
}

/** The compiled filter, or why it cannot be one. */
export function compileFilter(expression: string): { program: FilterProgram } | { problem: FilterProblem } {
  if (expression.trim() === "") return { problem: { message: "The filter is empty", position: null } };
  if (Buffer.byteLength(expression) > MAX_FILTER_BYTES) {
    return { problem: { message: `The filter is ${Buffer.byteLength(expression)} bytes; filters are at most ${MAX_FILTER_BYTES}`, position: null } };
  }
  try {
    return { program: plan(env, parse(expression)) as FilterProgram };
  } catch (error) {
    const raw = (error as { rawMessage?: unknown }).rawMessage;
    const message = typeof raw === "string" ? raw : error instanceof Error ? error.message : String(error);
    return { problem: { message, position: positionOf(error) } };
  }
}

/** A problem as one sentence: "line 1, column 21: found = but expecting end of input". */
export function describeFilterProblem(problem: FilterProblem): string {
  return problem.position ? `line ${problem.position.line}, column ${problem.position.column}: ${problem.message}` : problem.message;
}

/** The event as a filter sees it. */
export interface FilterEvent {
  type: string;
  environment: string;
  data: unknown;
}

export type FilterOutcome = { matched: boolean; error: string | null };

/**
 * Whether the event matches. A CEL error at run time (e.g. a field the event lacks, a type
 * mismatch) or a result that is not `true` is "not matched"; an error is also returned, to be
 * recorded.
 */
export function runFilter(program: FilterProgram, event: FilterEvent): FilterOutcome {
  let value: unknown;
  try {
    value = program({ event: { type: event.type, environment: event.environment, data: event.data } });
  } catch (error) {
    return { matched: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (isCelError(value)) return { matched: false, error: value.message };
  if (typeof value !== "boolean") return { matched: false, error: `the filter answered ${typeof value === "bigint" ? "an integer" : `a ${typeof value}`}, not true or false` };
  return { matched: value, error: null };
}
