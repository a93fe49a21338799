import { describe, expect, it } from "vitest";
import { diagnose, type FailedAttempt } from "./diagnosis";

const at = new Date("2026-12-02T12:00:00Z");
const context = { timeoutMs: 10_000, previousSecretExpiresAt: null };
const failed = (attempt: Partial<FailedAttempt>): FailedAttempt => ({
  errorClass: "http_status",
  errorMessage: null,
  responseStatus: null,
  responseBody: null,
  at,
  ...attempt,
});

describe("diagnose", () => {
  it.each([
    ["a name that does not resolve", { errorClass: "dns", errorMessage: "getaddrinfo ENOTFOUND hooks.example.invalid" }, "dns", /does not resolve/],
    ["an expired certificate", { errorClass: "tls", errorMessage: "certificate has expired" }, "tls", /has expired/],
    ["an untrusted certificate", { errorClass: "tls", errorMessage: "self-signed certificate" }, "tls", /not valid \(self-signed certificate\)/],
    ["a refused connection", { errorClass: "connection", errorMessage: "connect ECONNREFUSED 203.0.113.7:443" }, "connection_refused", /refused/],
    ["a reset connection", { errorClass: "connection", errorMessage: "socket hang up" }, "connection", /failed \(socket hang up\)/],
    ["a timeout, naming the setting", { errorClass: "timeout", errorMessage: "deadline" }, "timeout", /within 10 s \(WEBHOOK_TIMEOUT\)/],
    ["a redirect", { errorClass: "redirect", responseStatus: 301 }, "redirect", /redirect \(301\)/],
    ["a blocked address", { errorClass: "blocked_address" }, "blocked_address", /policy/],
    ["a 404", { responseStatus: 404, responseBody: "Not Found" }, "http_4xx", /answered 404/],
    ["a 401 with no roll", { responseStatus: 401 }, "http_4xx", /answered 401/],
    ["a 500", { responseStatus: 500, responseBody: "boom" }, "http_5xx", /answered 500/],
  ] as const)("reads %s", (_, attempt, code, summary) => {
    const diagnosis = diagnose(failed(attempt), context);
    expect(diagnosis.code).toBe(code);
    expect(diagnosis.summary).toMatch(summary);
    expect(diagnosis.action.length).toBeGreaterThan(10);
    expect(diagnosis.attempted_at).toBe(at.toISOString());
  });

  it("says the receiver has the old secret on a 401/403 after the previous secret stopped signing", () => {
    const rolled = new Date(at.getTime() - 3_600_000);
    for (const status of [401, 403]) {
      const diagnosis = diagnose(failed({ responseStatus: status }), { ...context, previousSecretExpiresAt: rolled });
      expect(diagnosis.code).toBe("old_secret");
      expect(diagnosis.summary).toMatch(/still has the old secret/);
    }
    // While the previous secret still signs, a 401 is not about the roll.
    const grace = diagnose(failed({ responseStatus: 401 }), { ...context, previousSecretExpiresAt: new Date(at.getTime() + 60_000) });
    expect(grace.code).toBe("http_4xx");
  });

  it("quotes the response, shortened and on one line", () => {
    expect(diagnose(failed({ responseStatus: 502, responseBody: "bad\n  gateway" }), context).response_excerpt).toBe("bad gateway");
    const long = diagnose(failed({ responseStatus: 500, responseBody: "x".repeat(500) }), context).response_excerpt!;
    expect(long).toHaveLength(201);
    expect(diagnose(failed({ errorClass: "timeout" }), context).response_excerpt).toBeNull();
  });

  it("gives the timeout in milliseconds when it is not whole seconds", () => {
    expect(diagnose(failed({ errorClass: "timeout" }), { ...context, timeoutMs: 1500 }).summary).toMatch(/1500 ms/);
  });
});
