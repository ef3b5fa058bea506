// Spans captured by the SDK's InMemorySpanExporter: a query over real HTTP and over real gRPC (Grafana's QueryData,
// `traceparent` in the call metadata) is one trace under the caller's span — server span, parse, each SQL statement
// (db.system, db.statement), TypeScript stages, encoding — and so is a push. Tracing off: nothing is recorded.
import * as grpc from '@grpc/grpc-js';
import { tableFromIPC } from 'apache-arrow';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import type { EngineApi } from '../engine/types';
import { buildServer } from '../http/server';
import { defaultEngineFactory } from '../grafana/engineFactory';
import { startGrpcServer, type GrpcPluginServer } from '../grafana/server';
import { clients } from '../grafana/testing';
import { registerTracing, shutdownTracing, tracesExporterFromEnv } from './setup';
import { tracingEnabled } from './tracing';

const exporter = new InMemorySpanExporter();
const T0 = 1_795_168_800_000; // 2026-11-20T10:00:00Z, ms
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const traceparent = `00-${TRACE}-${PARENT}-01`;

const push = {
  streams: [
    {
      stream: { app: 'api' },
      values: Array.from({ length: 20 }, (_, i) => [
        String(ns(T0 + i * 1000)),
        `level=${i % 2 ? 'info' : 'error'} n=${i}`,
      ]),
    },
  ],
};

function byName(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

/** The spans of one trace, and a check that `child` hangs under `parent`. */
function tree(trace: string) {
  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === trace);
  const one = (name: string) => {
    const found = byName(spans, name);
    expect(found, `span ${name}`).toHaveLength(1);
    return found[0]!;
  };
  const isChild = (child: ReadableSpan, parent: ReadableSpan) =>
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  return { spans, one, isChild };
}

beforeAll(() => {
  registerTracing([new SimpleSpanProcessor(exporter)], 'logql-sql-test');
});
afterAll(async () => {
  await shutdownTracing();
});

describe('tracing over HTTP', () => {
  let engine: Engine;
  let base: string;
  let app: ReturnType<typeof buildServer>;
  beforeAll(async () => {
    engine = await Engine.open('duckdb::memory:');
    app = buildServer(engine);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  it('a push is a span under the sender’s traceparent', async () => {
    exporter.reset();
    const r = await fetch(`${base}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify(push),
    });
    expect(r.status).toBe(204);
    const t = tree(TRACE);
    const server = t.one('/loki/api/v1/push');
    expect(server.parentSpanContext?.spanId).toBe(PARENT);
    expect(server.parentSpanContext?.isRemote).toBe(true);
    const p = t.one('push');
    t.isChild(p, server);
    expect(p.attributes['logqlsql.entries']).toBe(20);
  });

  it('a log query: server span ← logql query ← parse, SQL statements, TypeScript stages', async () => {
    exporter.reset();
    const q = new URLSearchParams({
      query: '{app="api"} | logfmt | level="error"',
      start: String(ns(T0 - 1000)),
      end: String(ns(T0 + 60_000)),
      limit: '100',
    });
    const r = await fetch(`${base}/loki/api/v1/query_range?${q}`, { headers: { traceparent } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { data: { stats: { summary: Record<string, number> } } };
    expect(body.data.stats.summary).toMatchObject({ totalLinesProcessed: 20, totalPostFilterLines: 10 });
    const t = tree(TRACE);
    const server = t.one('/loki/api/v1/query_range');
    expect(server.parentSpanContext?.spanId).toBe(PARENT);
    const query = t.one('logql query');
    t.isChild(query, server);
    expect(query.attributes['logql.query']).toBe('{app="api"} | logfmt | level="error"');
    t.isChild(t.one('logql parse'), query);
    const plan = byName(t.spans, 'plan streams');
    expect(plan.length).toBeGreaterThanOrEqual(1);
    for (const p of plan) t.isChild(p, query);
    expect(plan[0]!.attributes['logqlsql.streams']).toBe(1);
    const sql = byName(t.spans, 'sql duckdb');
    expect(sql.length).toBeGreaterThanOrEqual(2); // the rows, and the processed-lines aggregate
    for (const s of sql) {
      expect(s.attributes['db.system']).toBe('duckdb');
      expect(String(s.attributes['db.statement'])).toMatch(/^SELECT .* FROM (entries|streams)/s);
    }
    const rows = sql.find((s) => String(s.attributes['db.statement']).includes('ORDER BY'))!;
    t.isChild(rows, query);
    const ts = t.one('typescript pipeline');
    t.isChild(ts, query);
    // (the SQL pre-filter already drops most non-error lines: at least the 10 kept come in)
    expect(ts.attributes['logqlsql.rows.in']).toBeGreaterThanOrEqual(10);
    expect(ts.attributes['logqlsql.rows.out']).toBe(10);
    t.isChild(t.one('stats.processed'), query);
    // a log answer is streamed: each batch is encoded as the engine reads it, the closing chunk after the query
    const enc = byName(t.spans, 'encode json');
    expect(enc.filter((s) => s.attributes['logqlsql.streams'] !== undefined).length).toBeGreaterThanOrEqual(1);
    for (const s of enc.filter((x) => x.attributes['logqlsql.streams'] !== undefined)) t.isChild(s, query);
    t.isChild(
      enc.find((s) => s.attributes['logqlsql.last'])!,
      server,
    );
  });

  it('without a traceparent a query starts its own trace; JSON encoding is a span under the server span', async () => {
    exporter.reset();
    const q = new URLSearchParams({ query: 'count_over_time({app="api"}[1m])', time: String(ns(T0 + 30_000)) });
    expect((await fetch(`${base}/loki/api/v1/query?${q}`)).status).toBe(200);
    const server = byName(exporter.getFinishedSpans(), '/loki/api/v1/query')[0]!;
    expect(server.parentSpanContext).toBeUndefined();
    const t = tree(server.spanContext().traceId);
    t.isChild(t.one('logql query'), server);
    t.isChild(t.one('encode json'), server);
  });
});

describe('tracing over gRPC (Grafana QueryData)', () => {
  let srv: GrpcPluginServer;
  let c: ReturnType<typeof clients>;
  let engine: EngineApi;
  beforeAll(async () => {
    srv = await startGrpcServer(
      async (cfg) => {
        engine = await defaultEngineFactory(cfg);
        await engine.push([
          {
            labels: { app: 'api' },
            entries: push.streams[0]!.values.map(([ts, line]) => ({ ts: BigInt(ts!), line: line! })),
          },
        ]);
        return engine;
      },
      '127.0.0.1',
      0,
    );
    c = clients(srv.address);
  });
  afterAll(async () => {
    c?.close();
    await srv?.stop();
  });

  it('QueryData continues the trace Grafana sends in the call metadata', async () => {
    exporter.reset();
    const md = new grpc.Metadata();
    md.set('traceparent', traceparent);
    const req = {
      pluginContext: {
        dataSourceInstanceSettings: {
          uid: 'tr',
          name: 'tr',
          jsonData: Buffer.from(JSON.stringify({ engine: 'duckdb', url: 'duckdb::memory:' })),
          lastUpdatedMS: 1,
        },
      },
      queries: [
        {
          refId: 'A',
          timeRange: { fromEpochMS: T0 - 60_000, toEpochMS: T0 + 60_000 },
          intervalMS: 1000,
          maxDataPoints: 100,
          json: Buffer.from(
            JSON.stringify({ expr: 'sum(count_over_time({app="api"}[1m]))', queryType: 'range', step: '10s' }),
          ),
        },
      ],
    };
    const res = await new Promise<{ responses: Record<string, { status: number; error: string }> }>((resolve, reject) =>
      (c.data.QueryData as (r: unknown, m: grpc.Metadata, cb: (e: Error | null, v: never) => void) => void)(
        req,
        md,
        (e, v) => (e ? reject(e) : resolve(v)),
      ),
    );
    expect(res.responses.A).toMatchObject({ status: 200, error: '' });
    // the frame's meta carries Loki's statistics for Grafana's query inspector
    const frame = tableFromIPC((res.responses.A as unknown as { frames: Buffer[] }).frames[0]!);
    const stats = JSON.parse(frame.schema.metadata.get('meta')!).stats as { displayName: string; value: number }[];
    const stat = (n: string) => stats.find((s) => s.displayName === n)?.value;
    expect(stat('Summary: total lines processed')).toBe(20);
    expect(stat('Summary: total bytes processed')).toBe(push.streams[0]!.values.reduce((n, [, l]) => n + l!.length, 0));
    expect(stat('Summary: total post filter lines')).toBe(20);
    const t = tree(TRACE);
    const server = t.one('QueryData');
    expect(server.parentSpanContext?.spanId).toBe(PARENT);
    const query = t.one('logql query');
    t.isChild(query, server);
    t.isChild(t.one('encode arrow'), server);
    const sql = byName(t.spans, 'sql duckdb');
    expect(sql.length).toBeGreaterThanOrEqual(1);
    for (const s of sql) expect(s.attributes['db.system']).toBe('duckdb');
  });
});

describe('configuration from the environment', () => {
  it('exports only when OTEL_* asks for it', () => {
    expect(tracesExporterFromEnv({})).toBeUndefined();
    expect(tracesExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'console' })).toBe('console');
    expect(
      tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }),
    ).toBeUndefined();
    expect(tracesExporterFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
    expect(() => tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/supported values are otlp/);
  });

  it('off: no span is recorded and queries still answer', async () => {
    await shutdownTracing();
    expect(tracingEnabled()).toBe(false);
    exporter.reset();
    const engine = await Engine.open('duckdb::memory:');
    try {
      const r = await engine.query({
        query: '{app="x"}',
        start: ns(T0),
        end: ns(T0 + 1000),
        instant: false,
        limit: 10,
        direction: 'backward',
      });
      expect(r.data.resultType).toBe('streams');
    } finally {
      await engine.close();
    }
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    registerTracing([new SimpleSpanProcessor(exporter)]); // for afterAll's shutdown
  });
});
