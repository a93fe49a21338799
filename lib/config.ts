// Server configuration from the environment: the one module that reads and validates it.
// Development gets working defaults; production refuses to start with them (scripts/run.ts and
// this module both check). A variable set to a value it cannot take stops start-up with the
// variable and the value named (scripts/run.ts calls `environmentSettings` before anything
// starts), never a NaN or a silent default further on.
import { isIP } from "node:net";
import { z } from "zod";
import { DOCUMENTED_SCHEDULE, parseDuration, parseSchedule } from "./deliveries/schedule";

export const DEV_AUTH_SECRET = "dev-only-auth-secret-change-me-in-production";
export const DEV_ENCRYPTION_KEY = "dev-only-encryption-key-change-me-in-production";

const isProduction = process.env.NODE_ENV === "production";

const schema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is not set"),
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters"),
  APP_ENCRYPTION_KEY: z.string().min(32, "APP_ENCRYPTION_KEY must be at least 32 characters"),
});

export type Config = z.infer<typeof schema>;

/** Names the variables still at their development defaults; empty when production-safe. */
export function productionConfigProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  if (!env.NEXTAUTH_SECRET || env.NEXTAUTH_SECRET === DEV_AUTH_SECRET) {
    problems.push("NEXTAUTH_SECRET (a random string of 32+ characters, e.g. `openssl rand -base64 32`)");
  }
  if (!env.APP_ENCRYPTION_KEY || env.APP_ENCRYPTION_KEY === DEV_ENCRYPTION_KEY) {
    problems.push("APP_ENCRYPTION_KEY (a random string of 32+ characters, e.g. `openssl rand -base64 32`)");
  }
  return problems;
}

let cached: Config | undefined;

export function config(): Config {
  if (cached) return cached;
  const env = {
    ...process.env,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? (isProduction ? undefined : DEV_AUTH_SECRET),
    APP_ENCRYPTION_KEY:
      process.env.APP_ENCRYPTION_KEY ?? (isProduction ? undefined : DEV_ENCRYPTION_KEY),
  };
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  cached = parsed.data;
  return cached;
}

// ── settings: every other variable the app reads, each with its rule and default ────────────

type Env = Record<string, string | undefined>;

/** A variable set to a value it cannot take; the message names the variable and the value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * An unset or blank variable takes its default; anything else must parse under `rule` (`parse`
 * answers undefined, or throws an error whose message says more, when it does not).
 */
function variable<T>(fallback: T, rule: string, parse: (text: string) => T | undefined, shown: (raw: string) => string = (raw) => raw) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      const text = raw?.trim();
      if (!text) return fallback;
      let reason = "";
      try {
        const value = parse(text);
        if (value !== undefined) return value;
      } catch (error) {
        reason = ` (${error instanceof Error ? error.message : String(error)})`;
      }
      ctx.addIssue({ code: "custom", message: `must be ${rule}, got "${shown(raw!)}"${reason}` });
      return z.NEVER;
    });
}

const wholeNumber = (fallback: number, min: number, max: number) =>
  variable(fallback, `a whole number from ${min} to ${max}`, (text) =>
    /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined,
  );

const durationMs = (fallback: string, max: string) =>
  variable(parseDuration(fallback), `a duration above 0 and at most ${max}, such as 500ms, 30s, 5m, 2h or 1d`, (text) => {
    // Unreadable is answered like out of range: the rule says what a duration looks like, and
    // parseDuration's own message would say it a second time.
    let ms = 0;
    try {
      ms = parseDuration(text);
    } catch {}
    return ms > 0 && ms <= parseDuration(max) ? ms : undefined;
  });

const flag = variable<boolean | undefined>(undefined, "1 or 0 (or true/false, yes/no)", (text) => {
  const lower = text.toLowerCase();
  return ["1", "true", "yes"].includes(lower) ? true : ["0", "false", "no"].includes(lower) ? false : undefined;
});

const settingsSchema = z.object({
  WEBHOOK_RETRY_SCHEDULE: variable(
    parseSchedule(DOCUMENTED_SCHEDULE),
    "1 to 20 comma-separated delays, the first 0 (such as 0,30s,5m)",
    parseSchedule,
  ),
  // Upper bounds no working setup comes near (setTimeout itself takes at most ~24.8 days).
  WEBHOOK_TIMEOUT: durationMs("10s", "1h"),
  WEBHOOK_ENDPOINT_CONCURRENCY: wholeNumber(10, 1, 1000),
  WEBHOOK_AUTO_DISABLE_AFTER: durationMs("5d", "365d"),
  // Within the 20 recent attempts health looks at (lib/webhooks/health.ts).
  WEBHOOK_FAILING_AFTER: wholeNumber(5, 1, 20),
  WEBHOOK_BATCH_SIZE: wholeNumber(100, 1, 1000),
  // Inngest takes a batch's wait in whole or decimal seconds only, with an "s" suffix.
  WEBHOOK_BATCH_WAIT: variable<`${number}s`>("0.05s", "seconds such as 0.1s or 2s", (text) =>
    /^\d+(\.\d+)?s$/.test(text) ? (text as `${number}s`) : undefined,
  ),
  WEBHOOK_BATCH_CONCURRENCY: wholeNumber(4, 1, 100),
  WEBHOOK_BATCH_BUDGET: durationMs("15s", "1h"),
  /** Unset: allowed everywhere but production (lib/webhooks/url-policy.ts). */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: flag,
  /** Unset: the documented addresses (lib/webhooks/source-ips.ts). */
  WEBHOOK_SOURCE_IPS: variable<string[] | undefined>(undefined, "comma-separated IP addresses or CIDR ranges", (text) => {
    const entries = text.split(",").map((entry) => entry.trim());
    return entries.every(isAddressOrRange) ? entries : undefined;
  }),
  /** Unset: GET /metrics answers 404 (app/metrics/route.ts). A secret: never echoed. */
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((raw, ctx): string | undefined => {
      const text = raw?.trim();
      if (!text) return undefined;
      if (/^\S{16,}$/.test(text)) return text;
      ctx.addIssue({ code: "custom", message: "must be at least 16 characters without spaces (the value is a secret: not shown)" });
      return z.NEVER;
    }),
  /**
   * The other processes whose counters GET /metrics gathers (their GET /metrics, same token);
   * scripts/run.ts names the worker and the engine it starts.
   */
  DB24X7_METRICS_PEERS: variable<string[]>([], "comma-separated http(s) URLs", (text) => {
    const urls = text.split(",").map((entry) => entry.trim());
    return urls.every((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)) ? urls : undefined;
  }),
  /** Unset: no mail; notices show in the dashboard's notifications only (lib/notices/mail.ts). */
  SMTP_URL: variable<string | undefined>(
    undefined,
    "an smtp:// or smtps:// URL such as smtps://user:password@mail.example.com:465",
    (text) => {
      const url = URL.canParse(text) ? new URL(text) : null;
      return url && (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname ? text : undefined;
    },
    // The password never reaches a message or a log.
    redactedUrl,
  ),
  /** Unset: webhooks@ the public URL's host name (lib/notices/mail.ts). */
  SMTP_FROM: variable<string | undefined>(undefined, "an address such as webhooks@example.com or DB24x7 <webhooks@example.com>", (text) =>
    /^(?:[^<>@\s]+@[^<>@\s]+|[^<>]*<[^<>@\s]+@[^<>@\s]+>)$/.test(text) ? text : undefined,
  ),
  DATABASE_POOL_SIZE: wholeNumber(10, 1, 1000),
  PORT: wholeNumber(3000, 1, 65535),
  INNGEST_ENGINE_PORT: wholeNumber(8288, 1, 65535),
  /** Unset: the engine's port + 1 (scripts/run.ts). */
  INNGEST_WORKER_PORT: variable<number | undefined>(undefined, "a whole number from 1 to 65535", (text) =>
    /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 65535 ? Number(text) : undefined,
  ),
});

export type Settings = z.output<typeof settingsSchema>;
type SettingName = keyof Settings;

/** A URL as it may be shown: without its password (or not at all when it has no host to read one from). */
export function redactedUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url?.hostname) return "(not a URL with a host)";
  if (url.password) url.password = "***";
  return url.toString();
}

function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

function configError(error: z.ZodError): ConfigError {
  return new ConfigError(error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; "));
}

/** Every setting, validated: throws a ConfigError naming each variable set to a bad value. */
export function environmentSettings(env: Env = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) throw configError(parsed.error);
  return parsed.data;
}

/** One setting read now (for those tests change while running); throws like `environmentSettings`. */
export function setting<K extends SettingName>(name: K, env: Env = process.env): Settings[K] {
  const parsed = settingsSchema.shape[name].safeParse(env[name]);
  if (!parsed.success) throw new ConfigError(`${name} ${parsed.error.issues[0]?.message}`);
  return parsed.data as Settings[K];
}

/** Delivery settings, from the environment once per process. */
export function deliveryConfigFrom(env: Env) {
  const settings = environmentSettings(env);
  const endpointConcurrency = settings.WEBHOOK_ENDPOINT_CONCURRENCY;
  const batchConcurrency = settings.WEBHOOK_BATCH_CONCURRENCY;
  return {
    schedule: settings.WEBHOOK_RETRY_SCHEDULE,
    timeoutMs: settings.WEBHOOK_TIMEOUT,
    // Deliveries to one endpoint in flight at once, so a slow receiver cannot starve others.
    endpointConcurrency,
    // An endpoint is failing once this many attempts in a row have failed (health.ts)...
    failingAfter: settings.WEBHOOK_FAILING_AFTER,
    // ...and is disabled automatically once it has been failing for this long.
    autoDisableAfterMs: settings.WEBHOOK_AUTO_DISABLE_AFTER,
    userAgent: "DB24x7-Webhooks/1.0 (+https://db24x7.com/docs/webhooks)",
    // First attempts go out in batches (inngest/functions/deliver-first-attempts.ts): up to
    // batchSize published events (each with all its deliveries) per run, gathered for at most
    // batchWait (short: a published event waits that long before its first attempt),
    // batchConcurrency runs at once.
    batchSize: settings.WEBHOOK_BATCH_SIZE,
    batchWait: settings.WEBHOOK_BATCH_WAIT,
    batchConcurrency,
    // Each batch run gets a share of an endpoint's concurrency, so all of them together stay
    // within endpointConcurrency.
    batchEndpointConcurrency: Math.max(1, Math.floor(endpointConcurrency / batchConcurrency)),
    // A batch starts no attempt after this long; what is left goes on in per-delivery runs,
    // so one slow endpoint cannot hold the others' first attempts for long.
    batchBudgetMs: settings.WEBHOOK_BATCH_BUDGET,
  };
}

export type DeliveryConfig = ReturnType<typeof deliveryConfigFrom>;

let cachedDelivery: DeliveryConfig | undefined;

export function deliveryConfig(): DeliveryConfig {
  return (cachedDelivery ??= deliveryConfigFrom(process.env));
}
