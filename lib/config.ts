// Server configuration from the environment, read once. Development gets working defaults;
// production refuses to start with them (scripts/run.ts and this module both check).
import { z } from "zod";

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
