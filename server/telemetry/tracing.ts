// Spans for the query and push paths, on the OpenTelemetry API only (the SDK is set up in ./setup.ts when the
// standard OTEL_* variables ask for it). With no SDK registered, `enabled` stays false and every helper calls its
// function directly: no span objects, no context switches — tracing costs nothing when it is off.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';

const TRACER = 'logql-sql';

let enabled = false;

/** Set by setup.ts when a tracer provider is registered (and back to false when it is shut down). */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

export function tracingEnabled(): boolean {
  return enabled;
}

function fail(s: Span, e: unknown): void {
  s.recordException(e instanceof Error ? e : String(e));
  s.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
}

/** Run `fn` in a child span of the active one (or directly when tracing is off). */
export async function inSpan<T>(
  name: string,
  attributes: Attributes | undefined,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(undefined);
  return trace.getTracer(TRACER).startActiveSpan(name, { attributes }, (s) => runEnding(s, fn));
}

/** The synchronous form of inSpan (parsing, encoding a frame). */
export function inSpanSync<T>(name: string, attributes: Attributes | undefined, fn: (span: Span | undefined) => T): T {
  if (!enabled) return fn(undefined);
  return trace.getTracer(TRACER).startActiveSpan(name, { attributes }, (s) => {
    try {
      return fn(s);
    } catch (e) {
      fail(s, e);
      throw e;
    } finally {
      s.end();
    }
  });
}

/** Header or metadata carrier: HTTP headers (string | string[]) or gRPC metadata's getMap() (string | Buffer). */
export type Carrier = Record<string, string | string[] | Buffer | undefined>;

const getter: TextMapGetter<Carrier> = {
  keys: (c) => Object.keys(c),
  get: (c, key) => {
    const v = c[key] ?? c[key.toLowerCase()];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v;
    return Buffer.isBuffer(v) ? v.toString('latin1') : v;
  },
};

/** Run `fn` in a server span whose parent is the W3C `traceparent` (and `tracestate`) found in `carrier` — HTTP
 *  request headers or Grafana's gRPC metadata — or a new trace when there is none. */
export async function inServerSpan<T>(
  carrier: Carrier,
  name: string,
  attributes: Attributes | undefined,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(undefined);
  const parent = propagation.extract(ROOT_CONTEXT, carrier, getter);
  return trace
    .getTracer(TRACER)
    .startActiveSpan(name, { kind: SpanKind.SERVER, attributes }, parent, (s) => runEnding(s, fn));
}

/** A lazily consumed encoder (streamed JSON chunks) as one span, from its first chunk to its last, under the
 *  context active when it was wrapped (the generator runs later, outside that context). */
export function tracedChunks(name: string, chunks: Generator<string>): Generator<string> {
  if (!enabled) return chunks;
  return traced(name, chunks, context.active());
}

function* traced(name: string, chunks: Generator<string>, parent: Context): Generator<string> {
  const s = trace.getTracer(TRACER).startSpan(name, undefined, parent);
  let bytes = 0;
  try {
    for (const c of chunks) {
      bytes += c.length;
      yield c;
    }
    s.setAttribute('encoding.chars', bytes);
  } catch (e) {
    fail(s, e);
    throw e;
  } finally {
    s.end();
  }
}

/** A child span of the active context for a stretch of code that is not one call (a loop's body, a page of rows);
 *  undefined when tracing is off. The caller ends it. */
export function startSpan(name: string, attributes?: Attributes): Span | undefined {
  if (!enabled) return undefined;
  return trace.getTracer(TRACER).startSpan(name, { attributes });
}

const DB_SYSTEM: Record<string, string> = { duckdb: 'duckdb', postgres: 'postgresql', clickhouse: 'clickhouse' };

/** One SQL statement's span: `db.system` (OpenTelemetry's names: duckdb, postgresql, clickhouse) and `db.statement`
 *  (the text with its placeholders; bound values are not recorded). */
export function inSqlSpan<T extends unknown[]>(engine: string, text: string, run: () => Promise<T>): Promise<T> {
  if (!enabled) return run();
  return inSpan(
    `sql ${DB_SYSTEM[engine] ?? engine}`,
    { 'db.system': DB_SYSTEM[engine] ?? engine, 'db.statement': text },
    async (s) => {
      const rows = await run();
      s?.setAttribute('db.rows', rows.length);
      return rows;
    },
  );
}

/** `fn` inside span `s`: a failure is recorded on it, and it ends either way. */
async function runEnding<T>(s: Span, fn: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await fn(s);
  } catch (e) {
    fail(s, e);
    throw e;
  } finally {
    s.end();
  }
}
