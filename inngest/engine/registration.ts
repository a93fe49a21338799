// POST /fn/register: the app's function list, refused whole if any function uses a feature
// this engine does not implement.
import { compileFunction, unsupportedFeature, type FunctionConfig } from "./functions";
import type { Logger } from "./log";
import type { Registry } from "./registry";
import { bearerMatches } from "./signing";
import type { Store } from "./store";

export interface RegisterReply {
  httpStatus: number;
  body: { status: number; ok?: boolean; modified?: boolean; error?: string };
}

function sameServeUrl(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.origin === y.origin && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

function refuse(status: number, error: string): RegisterReply {
  return { httpStatus: status, body: { status, error } };
}

export async function register(
  deps: { store: Store; registry: Registry; log: Logger; signingKey?: string; appUrl?: string; onRegistered(): void },
  body: unknown,
  authorization: string | undefined,
): Promise<RegisterReply> {
  if (deps.signingKey && !bearerMatches(authorization, deps.signingKey)) {
    deps.log("warn", "register refused: bad signing key");
    return refuse(401, "unauthorized: the app's signing key does not match the engine's");
  }
  const payload = body as { url?: unknown; appName?: unknown; functions?: unknown } | null;
  if (!payload || typeof payload.url !== "string" || !Array.isArray(payload.functions)) {
    return refuse(400, "invalid register payload: url and functions are required");
  }
  // The app names its own URL; an app reached through a forged Host header would name another
  // and have the engine's calls sent there. Only the configured URL is accepted.
  if (deps.appUrl && !sameServeUrl(payload.url, deps.appUrl)) {
    deps.log("warn", "register refused: app URL is not the configured one", { app_url: payload.url });
    return refuse(400, `app URL ${payload.url} is not the engine's configured app URL (INNGEST_APP_URL)`);
  }
  const configs = payload.functions as FunctionConfig[];
  for (const config of configs) {
    if (typeof config?.id !== "string") return refuse(400, "invalid register payload: a function has no id");
    const reason = unsupportedFeature(config);
    if (reason) {
      deps.log("error", "register refused", { app_url: payload.url, reason });
      return refuse(400, reason);
    }
  }
  const functions = configs.map((config) => compileFunction(payload.url as string, config));
  const now = Date.now();
  const modified = await deps.store.apps.save(
    { url: payload.url, name: typeof payload.appName === "string" ? payload.appName : payload.url },
    functions.map((fn) => ({
      id: fn.id,
      config: fn.config,
      crons: fn.crons.map((c) => ({ expression: c.expression, next_at: c.schedule.next(new Date(now)).getTime() })),
    })),
    now,
  );
  deps.registry.replaceApp(payload.url, functions);
  if (modified) deps.log("info", "app registered", { app_url: payload.url, functions: functions.length });
  deps.onRegistered();
  return { httpStatus: 200, body: { status: 200, ok: true, modified } };
}
