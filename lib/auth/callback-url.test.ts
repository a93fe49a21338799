import { describe, expect, it } from "vitest";
import { safeCallbackPath, sameOriginPath } from "./callback-url";

const ORIGIN = "http://127.0.0.1:3100";

describe("safeCallbackPath", () => {
  // [callbackUrl as received, where sign-in goes]. Node parses URLs with the WHATWG algorithm,
  // as browsers do; e2e/sign-in-redirect.spec.ts follows the hostile ones in Chromium.
  const table: [string | null, string][] = [
    [null, "/"],
    ["", "/"],
    ["/", "/"],
    ["/settings/api-keys", "/settings/api-keys"],
    ["/settings/integrations/webhooks?status=failing#top", "/settings/integrations/webhooks?status=failing#top"],
    ["settings/api-keys", "/settings/api-keys"],
    ["?tab=1", "/?tab=1"],
    [`${ORIGIN}/docs`, "/docs"],
    ["/login?callbackUrl=//evil.example", "/login?callbackUrl=//evil.example"],
    // Off-site, however it is spelled.
    ["//evil.example", "/"],
    ["///evil.example", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["\\/evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["/\r\n/evil.example", "/"],
    [" //evil.example", "/"],
    ["\u0000//evil.example", "/"],
    ["/.//evil.example", "/"],
    ["/..//evil.example", "/"],
    ["/%2e//evil.example", "/"],
    ["https://evil.example/settings", "/"],
    ["https:evil.example", "/"],
    ["HTTPS://evil.example", "/"],
    ["http://127.0.0.1:3101/settings", "/"],
    ["https://127.0.0.1:3100/settings", "/"],
    ["http://127.0.0.1:3100@evil.example/", "/"],
    ["javascript:alert(document.domain)", "/"],
    ["JaVaScRiPt:alert(1)", "/"],
    ["java\tscript:alert(1)", "/"],
    ["data:text/html,<script>alert(1)</script>", "/"],
    ["http://[::1", "/"],
    // Encoded slashes and backslashes are not separators: they stay a path on this site.
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%5Cevil.example", "/%5Cevil.example"],
    ["/%5C%5Cevil.example", "/%5C%5Cevil.example"],
    ["%2F%2Fevil.example", "/%2F%2Fevil.example"],
  ];

  it.each(table)("%j → %s", (value, expected) => {
    expect(safeCallbackPath(value, ORIGIN)).toBe(expected);
  });

  it("never returns a value that a browser would read as another host", () => {
    for (const [value] of table) {
      const path = safeCallbackPath(value, ORIGIN);
      expect(new URL(path, ORIGIN).origin).toBe(ORIGIN);
      expect(path.startsWith("/") && !path.startsWith("//")).toBe(true);
    }
  });

  it("judges against the origin it is given, path included", () => {
    expect(sameOriginPath("https://app.example.com/docs", "https://app.example.com/base")).toBe("/docs");
    expect(sameOriginPath("https://app.example.com.evil.example/", "https://app.example.com")).toBeNull();
    expect(sameOriginPath("/x", "not a url")).toBeNull();
  });
});
