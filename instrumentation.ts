// Runs once when the Next.js server starts.
export async function register() {
  // Route handlers see the TCP peer's address in a header of ours, for throttling by address:
  // X-Forwarded-For is the client's to forge (lib/auth/peer-address.ts).
  if (process.env.NEXT_RUNTIME === "nodejs") (await import("./lib/auth/peer-address")).installPeerAddressHeader();
  // OpenTelemetry only when configured: tracing.ts loads the SDK on demand, so a server without
  // OTEL_EXPORTER_OTLP_ENDPOINT never loads it.
  if (process.env.NEXT_RUNTIME === "nodejs") await (await import("./lib/observability/tracing")).startTracing("next");
  // The Inngest SDK copies the environment on every event it sends (for its headers), and each
  // read of the real process.env crosses into C++: in the publish path's profile that copy was
  // 2 % of the server's CPU. A plain copy reads the same values. Production only: the
  // development server reloads .env files into process.env while it runs.
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.NODE_ENV === "production") process.env = { ...process.env };
  // The webhook IP changelog: a changed WEBHOOK_SOURCE_IPS is published once, whichever of the
  // app's processes gets there first. In the background: start-up does not wait on it.
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.NEXT_PHASE !== "phase-production-build") {
    void (async () => {
      const { publishSourceIpsChange } = await import("./lib/notices/source-ips-changed");
      const outcome = await publishSourceIpsChange();
      if (outcome.published) console.log(`[notices] WEBHOOK_SOURCE_IPS changed: published to ${outcome.events} subscriber groups`);
    })().catch((error) =>
      console.error("[notices] checking WEBHOOK_SOURCE_IPS for a change failed:", error instanceof Error ? error.message : error),
    );
  }
}
