import { describe, expect, it } from "vitest";
import { ConfigError, deliveryConfigFrom, environmentSettings, setting } from "./config";

function errorOf(env: Record<string, string>): string {
  try {
    environmentSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("environment settings", () => {
  it("take their defaults when unset or blank", () => {
    const defaults = {
      WEBHOOK_RETRY_SCHEDULE: [0, 30_000, 300_000, 1_800_000, 7_200_000, 43_200_000],
      WEBHOOK_TIMEOUT: 10_000,
      WEBHOOK_ENDPOINT_CONCURRENCY: 10,
      WEBHOOK_AUTO_DISABLE_AFTER: 5 * 86_400_000,
      WEBHOOK_FAILING_AFTER: 5,
      WEBHOOK_BATCH_SIZE: 100,
      WEBHOOK_BATCH_WAIT: "0.05s",
      WEBHOOK_BATCH_CONCURRENCY: 4,
      WEBHOOK_BATCH_BUDGET: 15_000,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: undefined,
      WEBHOOK_SOURCE_IPS: undefined,
      METRICS_TOKEN: undefined,
      DB24X7_METRICS_PEERS: [],
      SMTP_URL: undefined,
      SMTP_FROM: undefined,
      DATABASE_POOL_SIZE: 10,
      PORT: 3000,
      INNGEST_ENGINE_PORT: 8288,
      INNGEST_WORKER_PORT: undefined,
    };
    expect(environmentSettings({})).toEqual(defaults);
    expect(environmentSettings({ WEBHOOK_TIMEOUT: "", PORT: "  " })).toEqual(defaults);
  });

  it("parse valid values", () => {
    expect(
      environmentSettings({
        WEBHOOK_RETRY_SCHEDULE: "0,500ms,2m",
        WEBHOOK_TIMEOUT: "30s",
        WEBHOOK_ENDPOINT_CONCURRENCY: "25",
        WEBHOOK_AUTO_DISABLE_AFTER: "2d",
        WEBHOOK_BATCH_SIZE: " 50 ",
        WEBHOOK_BATCH_WAIT: "0.1s",
        WEBHOOK_BATCH_CONCURRENCY: "2",
        WEBHOOK_BATCH_BUDGET: "1s",
        WEBHOOK_ALLOW_PRIVATE_TARGETS: "No",
        WEBHOOK_SOURCE_IPS: "203.0.113.7, 198.51.100.0/24,2001:db8::/32",
        METRICS_TOKEN: " scrape-token-0123456789 ",
        DB24X7_METRICS_PEERS: "http://127.0.0.1:8289/metrics, http://127.0.0.1:8288/metrics",
        SMTP_URL: "smtps://mailer:s3cret@mail.example.com:465",
        SMTP_FROM: "DB24x7 <webhooks@example.com>",
        DATABASE_POOL_SIZE: "3",
        PORT: "8080",
        INNGEST_ENGINE_PORT: "9000",
        INNGEST_WORKER_PORT: "9001",
      }),
    ).toEqual({
      WEBHOOK_RETRY_SCHEDULE: [0, 500, 120_000],
      WEBHOOK_TIMEOUT: 30_000,
      WEBHOOK_ENDPOINT_CONCURRENCY: 25,
      WEBHOOK_AUTO_DISABLE_AFTER: 2 * 86_400_000,
      WEBHOOK_FAILING_AFTER: 5,
      WEBHOOK_BATCH_SIZE: 50,
      WEBHOOK_BATCH_WAIT: "0.1s",
      WEBHOOK_BATCH_CONCURRENCY: 2,
      WEBHOOK_BATCH_BUDGET: 1000,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: false,
      WEBHOOK_SOURCE_IPS: ["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"],
      METRICS_TOKEN: "scrape-token-0123456789",
      DB24X7_METRICS_PEERS: ["http://127.0.0.1:8289/metrics", "http://127.0.0.1:8288/metrics"],
      SMTP_URL: "smtps://mailer:s3cret@mail.example.com:465",
      SMTP_FROM: "DB24x7 <webhooks@example.com>",
      DATABASE_POOL_SIZE: 3,
      PORT: 8080,
      INNGEST_ENGINE_PORT: 9000,
      INNGEST_WORKER_PORT: 9001,
    });
  });

  it.each([
    ["an unreadable duration", "WEBHOOK_TIMEOUT", "abc"],
    ["a zero duration", "WEBHOOK_TIMEOUT", "0"],
    ["a duration over the bound", "WEBHOOK_AUTO_DISABLE_AFTER", "400d"],
    ["a failure count above the attempts health looks at", "WEBHOOK_FAILING_AFTER", "21"],
    ["a schedule not starting at 0", "WEBHOOK_RETRY_SCHEDULE", "1s,5s"],
    ["a schedule with an unreadable delay", "WEBHOOK_RETRY_SCHEDULE", "0,soon"],
    ["a number that is not a number", "DATABASE_POOL_SIZE", "ten"],
    ["a fraction", "WEBHOOK_BATCH_SIZE", "1.5"],
    ["a negative number", "WEBHOOK_ENDPOINT_CONCURRENCY", "-1"],
    ["a number below the range", "WEBHOOK_BATCH_CONCURRENCY", "0"],
    ["a port above the range", "PORT", "70000"],
    ["a worker port that is not a number", "INNGEST_WORKER_PORT", "auto"],
    ["a batch wait not in seconds", "WEBHOOK_BATCH_WAIT", "50ms"],
    ["a flag that is neither on nor off", "WEBHOOK_ALLOW_PRIVATE_TARGETS", "maybe"],
    ["an address list with a name in it", "WEBHOOK_SOURCE_IPS", "203.0.113.7,example.com"],
    ["a range with a prefix too long", "WEBHOOK_SOURCE_IPS", "203.0.113.0/33"],
    ["a metrics peer that is not a URL", "DB24X7_METRICS_PEERS", "127.0.0.1:8289"],
  ])("refuse %s, naming the variable and the value", (_, name, value) => {
    const message = errorOf({ [name]: value });
    expect(message.startsWith(`${name} must be `)).toBe(true);
    expect(message).toContain(`, got "${value}"`);
  });

  it.each([
    ["another scheme", "https://mailer:s3cret@mail.example.com", 'got "https://mailer:***@mail.example.com/"'],
    ["no URL at all", "mailer:s3cret@@", 'got "(not a URL with a host)"'],
  ])("refuse an SMTP_URL that is %s without showing its password", (_, value, shown) => {
    const message = errorOf({ SMTP_URL: value });
    expect(message.startsWith("SMTP_URL must be an smtp:// or smtps:// URL")).toBe(true);
    expect(message).toContain(shown);
    expect(message).not.toContain("s3cret");
  });

  it("name every bad variable at once", () => {
    const message = errorOf({ PORT: "http", WEBHOOK_TIMEOUT: "soon", WEBHOOK_BATCH_SIZE: "20" });
    expect(message).toContain('PORT must be a whole number from 1 to 65535, got "http"');
    expect(message).toContain("WEBHOOK_TIMEOUT must be a duration");
    expect(message).not.toContain("WEBHOOK_BATCH_SIZE");
  });

  it("refuse a short metrics token without echoing it", () => {
    const message = errorOf({ METRICS_TOKEN: "short-secret" });
    expect(message).toContain("METRICS_TOKEN must be at least 16 characters");
    expect(message).not.toContain("short-secret");
  });

  it("say why a schedule cannot be read", () => {
    expect(errorOf({ WEBHOOK_RETRY_SCHEDULE: "1s" })).toContain("immediate");
  });

  it("read one setting alone, refusing a bad value the same way", () => {
    expect(setting("WEBHOOK_ALLOW_PRIVATE_TARGETS", { WEBHOOK_ALLOW_PRIVATE_TARGETS: "yes" })).toBe(true);
    expect(setting("DATABASE_POOL_SIZE", {})).toBe(10);
    expect(() => setting("DATABASE_POOL_SIZE", { DATABASE_POOL_SIZE: "NaN" })).toThrow(
      new ConfigError('DATABASE_POOL_SIZE must be a whole number from 1 to 1000, got "NaN"'),
    );
  });
});

describe("delivery config", () => {
  it("shares an endpoint's concurrency among the batch runs, at least one each", () => {
    expect(deliveryConfigFrom({ WEBHOOK_ENDPOINT_CONCURRENCY: "10", WEBHOOK_BATCH_CONCURRENCY: "4" }).batchEndpointConcurrency).toBe(2);
    expect(deliveryConfigFrom({ WEBHOOK_ENDPOINT_CONCURRENCY: "2", WEBHOOK_BATCH_CONCURRENCY: "4" }).batchEndpointConcurrency).toBe(1);
  });

  it("refuses a bad delivery setting rather than running with NaN", () => {
    expect(() => deliveryConfigFrom({ WEBHOOK_ENDPOINT_CONCURRENCY: "many" })).toThrow(/WEBHOOK_ENDPOINT_CONCURRENCY/);
  });
});
