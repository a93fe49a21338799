// What every endpoint serving our functions (the delivery worker, Next.js's /api/inngest) puts
// in front of the Inngest SDK:
// - a call whose body is not JSON is answered 400 (UNPARSABLE): the SDK (4.24) parses the body
//   outside its own error handling, so its parse error rejects the handler's promise with a
//   SyntaxError (and killed the worker while nothing awaited that promise);
// - no answer carries a stack trace or a server path: serialized errors lose their stack and
//   the paths in their messages, and an answer the SDK signed is signed again over the new body.
import { createHmac } from "node:crypto";

const SERIALIZED_MARK = '"__serialized"';
const SOURCE_PATH = /(?:file:\/\/)?(?:\/[\w.@+-]+)+\/[\w.@+-]+\.(?:[cm]?[jt]sx?|node|json)(?::\d+){0,2}/g;
const SIGNING_KEY_PREFIX = /^signkey-\w+-/;

/** The answer to a call whose body the SDK could not parse (its handler rejects with a SyntaxError). */
export const UNPARSABLE = JSON.stringify({ error: { code: "invalid_json", message: "The request body is not valid JSON" } });

/**
 * The SDK's answer without stacks or source paths, re-signed when it was signed; undefined
 * when there is nothing to remove (the usual case: only serialized errors carry them).
 */
export function withoutServerDetails(
  body: string,
  signature: string | undefined,
  signingKey: string | undefined,
): { body: string; signature: string | undefined } | undefined {
  if (!body.includes(SERIALIZED_MARK)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  scrub(parsed);
  const scrubbed = JSON.stringify(parsed);
  if (!signature || !signingKey) return { body: scrubbed, signature };
  // The SDK signs answers as HMAC-SHA256(key without its prefix, body + t).
  const t = String(Math.round(Date.now() / 1_000));
  const s = createHmac("sha256", signingKey.replace(SIGNING_KEY_PREFIX, "")).update(scrubbed).update(t).digest("hex");
  return { body: scrubbed, signature: `t=${t}&s=${s}` };
}

function scrub(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== "object") continue;
    const record = value as Record<string, unknown>;
    if (record.__serialized === true) {
      if ("stack" in record) record.stack = "";
      if (typeof record.message === "string") record.message = record.message.replace(SOURCE_PATH, "[path]");
    }
    for (const child of Object.values(record)) if (child !== null && typeof child === "object") stack.push(child);
  }
}
