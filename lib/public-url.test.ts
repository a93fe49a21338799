import { describe, expect, it } from "vitest";
import { isLoopbackHost, plainHttpWarning } from "./public-url";

describe("plainHttpWarning", () => {
  it.each([
    ["http://127.0.0.1:3000", false],
    ["http://127.8.9.10:3000", false],
    ["http://localhost:3000", false],
    ["http://[::1]:3000", false],
    ["https://webhooks.example.com", false],
    ["https://10.0.0.5", false],
    ["http://webhooks.example.com", true],
    ["http://0.0.0.0:3000", true],
    ["http://10.0.0.5:3000", true],
    ["http://localhost.evil.example", true],
    ["http://127.0.0.1.nip.io", true],
  ])("%s → warns: %s", (url, warns) => {
    expect(plainHttpWarning(url) !== null).toBe(warns);
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.5", false],
    ["127.0.0.1.nip.io", false],
    ["localhost.evil.example", false],
  ])("%s → %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
