import { describe, expect, it } from "vitest";
import { responseSignatureValid } from "./engine/signing";
import { withoutServerDetails } from "./guard";

const KEY = "signkey-prod-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

describe("withoutServerDetails", () => {
  const thrown = {
    name: "Error",
    message: "Cannot find module '/work/main/.next/server/chunks/ssr/lib_db.js:12:7'",
    stack: "Error: boom\n    at load (/work/main/lib/db.ts:10:5)\n    at file:///srv/app/node_modules/x/index.mjs:1:1",
    __serialized: true,
    cause: { name: "TypeError", message: "in /opt/app/inngest/worker.ts", stack: "TypeError\n    at /opt/app/inngest/worker.ts:3:1", __serialized: true },
  };

  it("leaves answers without serialized errors alone", () => {
    expect(withoutServerDetails('[{"op":"StepRun","data":{"stack":"kept","path":"/a/b.js"}}]', undefined, undefined)).toBeUndefined();
  });

  it("removes stacks and source paths from serialized errors, nested causes and ops included", () => {
    const body = JSON.stringify([{ op: "StepError", error: thrown, data: { stack: "user data stays" } }]);
    const scrubbed = withoutServerDetails(body, undefined, undefined)!;
    expect(scrubbed.body).not.toMatch(/\/work\/main|\/opt\/app|node_modules|at load/);
    const [op] = JSON.parse(scrubbed.body);
    expect(op.error.stack).toBe("");
    expect(op.error.message).toBe("Cannot find module '[path]'");
    expect(op.error.cause).toMatchObject({ stack: "", message: "in [path]" });
    expect(op.data).toEqual({ stack: "user data stays" });
  });

  it("signs the new body again when the answer was signed", () => {
    const body = JSON.stringify({ type: "internal", ...thrown });
    const scrubbed = withoutServerDetails(body, "t=1&s=00", KEY)!;
    expect(responseSignatureValid(scrubbed.signature, scrubbed.body, KEY)).toBe(true);
    expect(responseSignatureValid(scrubbed.signature, body, KEY)).toBe(false);
  });
});
