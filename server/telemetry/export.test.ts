// The environment path end to end: with OTEL_EXPORTER_OTLP_ENDPOINT set, the spans of a query reach an OTLP/HTTP
// receiver as protobuf (here a local HTTP server standing in for the collector); without it nothing is registered.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import { initTracingFromEnv, shutdownTracing } from './setup';
import { tracingEnabled } from './tracing';

const received: { path: string; type: string; body: Buffer }[] = [];
const collector = createServer((req: IncomingMessage, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    received.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: Buffer.concat(parts) });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
const port = (collector.address() as AddressInfo).port;

afterAll(async () => {
  await shutdownTracing();
  await new Promise((r) => collector.close(r));
});

describe('OTLP export from the OTEL_* environment', () => {
  it('stays off without OTEL_* variables', () => {
    expect(initTracingFromEnv({})).toBe(false);
    expect(tracingEnabled()).toBe(false);
  });

  it('refuses an OTLP protocol it does not speak', () => {
    expect(() =>
      initTracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(/http\/protobuf/);
    expect(tracingEnabled()).toBe(false);
  });

  it('exports a query’s spans as OTLP protobuf to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    // the exporter reads its endpoint from the process environment, as in production
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
    process.env.OTEL_SERVICE_NAME = 'logqlsql-export-test';
    try {
      expect(initTracingFromEnv(process.env)).toBe(true);
      expect(tracingEnabled()).toBe(true);
      const engine = await Engine.open('duckdb::memory:');
      try {
        await engine.query({
          query: 'count_over_time({app="x"}[1m])',
          start: 1_795_168_800_000_000_000n,
          end: 1_795_168_800_000_000_000n,
          instant: true,
          limit: 10,
          direction: 'backward',
        });
      } finally {
        await engine.close();
      }
      await shutdownTracing(); // flushes the batch
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      delete process.env.OTEL_SERVICE_NAME;
    }
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.type).toBe('application/x-protobuf');
    const all = Buffer.concat(received.map((r) => r.body)).toString('latin1');
    // protobuf keeps strings as bytes: the span and service names are readable in the body
    expect(all).toContain('logql query');
    expect(all).toContain('logqlsql-export-test');
  });
});
