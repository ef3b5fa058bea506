// The OpenTelemetry SDK, registered only when asked: by the standard OTEL_* variables (initTracingFromEnv, at server
// and plugin start) or by tests (registerTracing with their own span processor, e.g. an InMemorySpanExporter).
import { context, propagation, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { setTracingEnabled } from './tracing';

let provider: NodeTracerProvider | undefined;

/** Register a tracer provider globally (W3C trace context propagator, AsyncLocalStorage context). */
export function registerTracing(spanProcessors: SpanProcessor[], serviceName = 'logql-sql'): NodeTracerProvider {
  if (provider) throw new Error('tracing is already registered');
  // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES override our default service name
  const resource = resourceFromAttributes({ 'service.name': serviceName }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  setTracingEnabled(true);
  return provider;
}

/** Flush and unregister (tests; process exit). */
export async function shutdownTracing(): Promise<void> {
  const p = provider;
  if (!p) return;
  provider = undefined;
  setTracingEnabled(false);
  await p.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

/**
 * Which exporter the environment asks for, following the OpenTelemetry SDK configuration spec, except that nothing
 * is exported unless asked: `OTEL_TRACES_EXPORTER` (otlp, console or none) or an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns tracing on; `OTEL_SDK_DISABLED=true`
 * turns it off. Undefined: tracing stays off (the no-op tracer).
 */
export function tracesExporterFromEnv(env: NodeJS.ProcessEnv = process.env): 'otlp' | 'console' | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const names = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('none')) return undefined;
  if (names.length) {
    const known = names.find((n) => n === 'otlp' || n === 'console');
    if (!known)
      throw new Error(`OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER}: supported values are otlp, console, none`);
    return known as 'otlp' | 'console';
  }
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined;
}

/** Start exporting spans when the environment asks for it (see tracesExporterFromEnv); idempotent. The OTLP exporter
 *  (protobuf over HTTP) and the batch processor read their own OTEL_EXPORTER_OTLP_* and OTEL_BSP_* variables. */
export function initTracingFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  if (provider) return true;
  const kind = tracesExporterFromEnv(env);
  if (!kind) return false;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (kind === 'otlp' && protocol && protocol !== 'http/protobuf') {
    throw new Error(`OTLP protocol ${protocol} is not supported: use http/protobuf (the default)`);
  }
  const processor =
    kind === 'console'
      ? new SimpleSpanProcessor(new ConsoleSpanExporter())
      : new BatchSpanProcessor(new OTLPTraceExporter());
  registerTracing([processor]);
  // flush what the batch holds when the process is asked to stop
  process.once('beforeExit', () => void shutdownTracing());
  return true;
}
