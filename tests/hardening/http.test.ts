// Issue 10 (hostile input): single requests that used to crash, hang or mislead the server, through the HTTP API over
// the real engine on in-memory DuckDB. Each answers a clear 4xx or a bounded answer, quickly, and the server stays up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../server/engine/engine';
import { buildServer } from '../../server/http/server';

const T0 = 1795168800n * 1_000_000_000n; // 2026-11-20T10:00:00Z
const sec = (s: number) => (T0 + BigInt(s) * 1_000_000_000n).toString();

let engine: Engine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = await Engine.open('duckdb::memory:');
  app = buildServer(engine);
  await app.ready();
  const payload = {
    streams: [
      {
        stream: { app: 'nginx', env: 'prod' },
        values: [
          [sec(10), 'GET /index.html 200'],
          [sec(20), 'a'.repeat(40) + '!'],
        ],
      },
    ],
  };
  const res = await app.inject({ method: 'POST', url: '/loki/api/v1/push', payload });
  expect(res.statusCode, res.body).toBe(204);
});

afterAll(async () => {
  await app?.close();
  await engine?.close();
});

const get = (path: string, q: Record<string, string>) =>
  app.inject({ url: `${path}?${new URLSearchParams(q).toString()}` });

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

async function ready(): Promise<void> {
  const [res, ms] = await timed(() => app.inject({ url: '/ready' }));
  expect(res.statusCode).toBe(200);
  expect(ms).toBeLessThan(1000);
}

interface Stream {
  stream: Record<string, string>;
  values: [string, string][];
}

describe('templates that grow without bound (item 1)', () => {
  it('line_format repeat 100000000: TemplateFormatErr on each line, line kept, quickly', async () => {
    const [res, ms] = await timed(() =>
      get('/loki/api/v1/query_range', {
        query: '{app="nginx"} | line_format "{{ repeat 100000000 \\"x\\" }}"',
        start: sec(0),
        end: sec(60),
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(ms).toBeLessThan(10_000);
    const streams = res.json().data.result as Stream[];
    expect(streams).toHaveLength(1);
    expect(streams[0]!.stream.__error__).toBe('TemplateFormatErr');
    expect(streams[0]!.stream.__error_details__).toMatch(/error calling repeat: template output exceeds the limit/);
    expect(streams[0]!.values.map((v) => v[1]).sort()).toEqual(['GET /index.html 200', 'a'.repeat(40) + '!']);
    expect(res.body.length).toBeLessThan(10_000);
    await ready();
  });
  it('label_format repeat 1000000 .app: bounded answer', async () => {
    const res = await get('/loki/api/v1/query_range', {
      query: '{app="nginx"} | label_format x="{{ repeat 1000000 .app }}"',
      start: sec(0),
      end: sec(60),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body.length).toBeLessThan(10_000);
    const streams = res.json().data.result as Stream[];
    expect(streams.every((s) => s.stream.__error__ === 'TemplateFormatErr')).toBe(true);
  });
  it('a template loop that never ends is cut at the step bound', async () => {
    const [res, ms] = await timed(() =>
      get('/loki/api/v1/query_range', {
        query: '{app="nginx"} | line_format "{{ range 100000 }}{{ range 100000 }}{{ end }}{{ end }}"',
        start: sec(0),
        end: sec(60),
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(ms).toBeLessThan(10_000);
    expect((res.json().data.result as Stream[])[0]!.stream.__error_details__).toMatch(/template execution steps/);
  });
});

describe('points per series (item 2)', () => {
  const tooMany =
    'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter';
  it('index/volume_range with a tiny step: 400 with Loki message, quickly', async () => {
    const [res, ms] = await timed(() =>
      get('/loki/api/v1/index/volume_range', { query: '{app="nginx"}', start: '0', step: '0.001' }),
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toBe(tooMany);
    expect(ms).toBeLessThan(1000);
    await ready();
  });
  it('query_range and patterns with a tiny step: 400', async () => {
    for (const path of ['/loki/api/v1/query_range', '/loki/api/v1/patterns']) {
      const res = await get(path, { query: 'count_over_time({app="nginx"}[1m])', start: '0', step: '0.001' });
      expect(res.statusCode, path).toBe(400);
      expect(res.body, path).toBe(tooMany);
    }
  });
  it('exactly 11,000 points is allowed', async () => {
    const res = await get('/loki/api/v1/index/volume_range', {
      query: '{app="nginx"}',
      start: sec(0),
      end: sec(11000),
      step: '1',
    });
    expect(res.statusCode, res.body).toBe(200);
  });
});
