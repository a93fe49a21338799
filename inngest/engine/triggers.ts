// CEL expressions from function configs (trigger `expression`, cancel `if`, concurrency and
// idempotency `key`), parsed once and evaluated over plain JSON events.
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";

type Program = (bindings: Record<string, unknown>) => unknown;

const env = celEnv();
const programs = new Map<string, Program>();

function compile(expression: string): Program {
  let program = programs.get(expression);
  if (!program) {
    program = plan(env, parse(expression)) as Program;
    programs.set(expression, program);
  }
  return program;
}

/** Undefined when the expression parses; otherwise the parse error. */
export function expressionError(expression: string): string | undefined {
  try {
    compile(expression);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A CEL error (e.g. a missing field) counts as "no match", as in Inngest. */
export function matches(expression: string, bindings: Record<string, unknown>): boolean {
  return compile(expression)(bindings) === true;
}

/** The value of a key expression as a string; undefined when it cannot be evaluated. */
export function evaluateKey(expression: string, bindings: Record<string, unknown>): string | undefined {
  const value = compile(expression)(bindings);
  if (value === undefined || isCelError(value)) return undefined;
  if (value === null) return "null";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
