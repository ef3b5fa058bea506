// A Node logger's real Loki transport (pino + pino-loki, from npm) pushing to `logqlsql serve`: lines, labels,
// propsToLabels and structured metadata come back through the Loki API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { linesOf, missing, runServer, waitFor, type Running } from './shipper';

let pinoLoki: ((o: Record<string, unknown>) => NodeJS.WritableStream & { end(): void }) | undefined;
let why: string | undefined;
try {
  pinoLoki = ((await import('pino-loki')) as unknown as { pinoLoki: typeof pinoLoki }).pinoLoki;
} catch (e) {
  why = `pino-loki is not installed (npm install --save-exact pino-loki): ${(e as Error).message}`;
}

describe.skipIf(missing(why))('pino-loki → /loki/api/v1/push', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await runServer({ authToken: 'pino-token' });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('ships batched log records with labels and structured metadata', async () => {
    const stream = pinoLoki!({
      host: srv.base,
      batching: { interval: 0.2 },
      labels: { app: 'pino-test' },
      propsToLabels: ['component'],
      structuredMetaKey: 'meta',
      headers: { authorization: 'Bearer pino-token' },
      silenceErrors: false,
    });
    const log = pino({ level: 'debug' }, stream);
    for (let i = 0; i < 200; i++) {
      log.info({ component: i % 2 ? 'api' : 'worker', n: i, meta: { trace_id: `t${i}` } }, `hello ${i}`);
    }
    log.error({ component: 'api', err: new Error('boom') }, 'failed');
    const got = await waitFor(
      () => linesOf(srv.engine, '{app="pino-test"}'),
      (l) => l.length >= 201,
    );
    expect(got).toHaveLength(201);
    const parsed = got.map((g) => ({ ...g, j: JSON.parse(g.line) as { msg: string; n?: number } }));
    expect(new Set(parsed.map((p) => p.j.msg)).size).toBe(201);
    const api = await linesOf(srv.engine, '{app="pino-test", component="api", level="info"}');
    expect(api).toHaveLength(100);
    const withMeta = got.find((g) => g.line.includes('"hello 7"'))!;
    expect(withMeta.metadata).toMatchObject({ trace_id: 't7' });
    const errors = await linesOf(srv.engine, '{app="pino-test", level="error"} | json | msg="failed"');
    expect(errors).toHaveLength(1);
    stream.end();
  }, 30_000);
});
