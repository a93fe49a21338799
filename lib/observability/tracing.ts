// OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set.
// The code paths only call @opentelemetry/api, a no-op until a provider is registered; the SDK
// and the OTLP exporter are imported here, on demand, so an installation without tracing never
// loads them. The exporter reads the standard OTEL_EXPORTER_OTLP_* variables (endpoint,
// headers, timeout) itself.
import {
  context,
  propagation,
  trace,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from "@opentelemetry/api";

export const SERVICE_NAME = "db24x7-webhooks";
const tracer = () => trace.getTracer(SERVICE_NAME);

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true" || env.OTEL_TRACES_EXPORTER?.trim() === "none") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Starts exporting this process's spans when tracing is configured; `role` (next, worker) tells
 * the processes apart. Answers a function that flushes and stops (for shutdown).
 */
export async function startTracing(role: string, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  if (!tracingEnabled(env)) return async () => {};
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME?.trim() || SERVICE_NAME, "db24x7.process": role }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Also installs the W3C trace-context propagator and the async-hooks context manager.
  provider.register();
  return () => provider.shutdown();
}

/** The active span's W3C traceparent, to carry across a hand-over; absent when not tracing. */
export function traceparent(): { traceparent?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { traceparent: carrier.traceparent } : {};
}

/** The context a carried traceparent stands for (the active one without it). */
export function contextFrom(parent: string | undefined): Context {
  return parent ? propagation.extract(context.active(), { traceparent: parent }) : context.active();
}

/** Runs `work` in a span (ended, and marked failed on a throw) made active for what it calls. */
export function inSpan<T>(
  name: string,
  options: { attributes?: Attributes; links?: Link[]; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const { parent = context.active(), ...spanOptions } = options;
  return tracer().startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Links to the spans carried traceparents name (a batch run's published events). */
export function linksTo(parents: Array<string | undefined>): Link[] {
  return parents.flatMap((parent) => {
    const spanContext = parent ? trace.getSpanContext(contextFrom(parent)) : undefined;
    return spanContext ? [{ context: spanContext }] : [];
  });
}
