// Keeps the app synced: PUT its serve URL (the SDK then POSTs /fn/register) on start, until
// it answers, periodically to pick up restarts and redeploys, and when a call suggests the app
// changed. Logs state changes only, never one line per retry.
import canonicalize from "canonicalize";
import type { HttpClient } from "./http-client";
import type { Logger } from "./log";
import { signatureHeader } from "./signing";

const MAX_RETRY_MS = 10_000;
const MIN_GAP_MS = 1_000;

export class AppSync {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private failures = 0;
  private lastAttempt = 0;
  private lastState = "";

  constructor(
    private opts: { appUrl: string; signingKey?: string; http: HttpClient; log: Logger; intervalMs: number },
  ) {}

  start(): void {
    void this.attempt();
  }

  /** Sync soon (at most once a second), e.g. after a call could not reach the app. */
  request(): void {
    if (this.running || Date.now() - this.lastAttempt < MIN_GAP_MS) return;
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    this.lastAttempt = Date.now();
    clearTimeout(this.timer);
    const { appUrl, signingKey, http } = this.opts;
    const body = signingKey ? canonicalize({ url: appUrl })! : JSON.stringify({ url: appUrl });
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-inngest-server-kind": signingKey ? "cloud" : "dev",
    };
    if (signingKey) headers["x-inngest-signature"] = signatureHeader(body, signingKey);
    let synced = false;
    try {
      const res = await http.request("PUT", appUrl, body, headers, 30_000);
      synced = res.status === 200;
      const message = (JSON.parse(res.body || "{}") as { message?: string }).message;
      this.report(
        synced ? "synced" : `refused:${message}`,
        synced ? "info" : "error",
        synced ? "app synced" : "app sync failed",
        { app_url: appUrl, status: res.status, message: synced ? undefined : message },
      );
    } catch (error) {
      this.report("unreachable", "warn", "app not reachable; retrying sync", {
        app_url: appUrl,
        error: (error as Error).message,
      });
    } finally {
      this.running = false;
    }
    this.failures = synced ? 0 : this.failures + 1;
    const delay = synced ? this.opts.intervalMs : Math.min(500 * 2 ** (this.failures - 1), MAX_RETRY_MS);
    if (!this.stopped) this.timer = setTimeout(() => void this.attempt(), delay);
  }

  private report(state: string, level: "info" | "warn" | "error", msg: string, fields: Record<string, string | number | undefined>) {
    if (state === this.lastState) return;
    this.lastState = state;
    this.opts.log(level, msg, fields);
  }
}
