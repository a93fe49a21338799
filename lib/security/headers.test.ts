import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { EMPTY_STYLE_HASH, hstsHeader, newNonce, pageCsp, SONNER_STYLE_HASH } from "./headers";

describe("pageCsp", () => {
  it("allows scripts by nonce only in production, with no inline or eval", () => {
    const csp = pageCsp("abc", { development: false, https: false });
    const scripts = csp.split("; ").find((d) => d.startsWith("script-src "))!;
    expect(scripts).toBe("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("upgrade-insecure-requests");
  });

  it("relaxes only in development, and upgrades requests only behind https", () => {
    const dev = pageCsp("abc", { development: true, https: false });
    expect(dev).toContain("'unsafe-eval'");
    expect(pageCsp("abc", { development: false, https: true })).toContain("upgrade-insecure-requests");
  });
});

describe("SONNER_STYLE_HASH", () => {
  it("is the hash of the stylesheet the installed sonner inserts", () => {
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve("sonner").replace(/index\.js$/, "index.mjs"), "utf8");
    const literal = /__insertCSS\(("(?:[^"\\]|\\.)*")\)/.exec(source);
    expect(literal, "sonner no longer inserts its CSS with __insertCSS: look again at style-src").not.toBeNull();
    const hash = createHash("sha256").update(JSON.parse(literal![1])).digest("base64");
    expect(SONNER_STYLE_HASH).toBe(`'sha256-${hash}'`);
  });
});

describe("EMPTY_STYLE_HASH", () => {
  it("is the hash of nothing, so it lets in no style", () => {
    expect(EMPTY_STYLE_HASH).toBe(`'sha256-${createHash("sha256").update("").digest("base64")}'`);
  });
});

describe("hstsHeader and newNonce", () => {
  it("sends HSTS only for an https public URL", () => {
    expect(hstsHeader("https://webhooks.example.com")).toMatch(/^max-age=\d{8,}/);
    expect(hstsHeader("http://webhooks.example.com")).toBeNull();
    expect(hstsHeader(undefined)).toBeNull();
  });

  it("makes a different 128-bit nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});
