// Tracing costs nothing when it is off: without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry SDK
// or exporter module is even loaded (only the API, a no-op), and with it they are.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function loadedModules(env: Record<string, string>): string[] {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OTEL_")));
  const out = execFileSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "support/load-tracing.ts")], {
    env: { ...clean, ...env } as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  return [...new Set(JSON.parse(out.trim().split("\n").pop()!) as string[])];
}

describe("OpenTelemetry", () => {
  it("loads no SDK module unless OTEL_EXPORTER_OTLP_ENDPOINT is set", () => {
    expect(loadedModules({})).toEqual(["@opentelemetry/api"]);
    const on = loadedModules({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1", OTEL_BSP_SCHEDULE_DELAY: "60000" });
    expect(on).toContain("@opentelemetry/sdk-trace-node");
    expect(on).toContain("@opentelemetry/exporter-trace-otlp-http");
  });
});
