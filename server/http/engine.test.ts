// The HTTP API over the real engine on in-memory DuckDB: push through the API, read back through the API.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../engine/engine';
import { buildServer } from './server';

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
        stream: { app: 'api', env: 'prod' },
        values: [
          [sec(10), '{"level":"info","msg":"a"}'],
          [sec(20), '{"level":"error","msg":"b"}'],
          [sec(30), '{"level":"info","msg":"c"}'],
        ],
      },
      { stream: { app: 'web', env: 'dev' }, values: [[sec(15), 'level=warn msg=x']] },
    ],
  };
  const res = await app.inject({ method: 'POST', url: '/loki/api/v1/push', payload });
  expect(res.statusCode, res.body).toBe(204);
  const gz = await app.inject({
    method: 'POST',
    url: '/loki/api/v1/push',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: gzipSync(
      JSON.stringify({ streams: [{ stream: { app: 'web', env: 'dev' }, values: [[sec(25), 'level=info msg=y']] }] }),
    ),
  });
  expect(gz.statusCode, gz.body).toBe(204);
});

afterAll(async () => {
  await app?.close();
  await engine?.close();
});

const range = `start=${sec(0)}&end=${sec(60)}`;

describe('HTTP API over the real engine', () => {
  it('returns log lines backward with limit', async () => {
    const res = await app.inject({
      url: `/loki/api/v1/query_range?query=${encodeURIComponent('{app="api"}')}&${range}&limit=2`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const j = res.json();
    expect(j.data.resultType).toBe('streams');
    expect(j.data.result).toEqual([
      {
        stream: { app: 'api', env: 'prod' },
        values: [
          [sec(30), '{"level":"info","msg":"c"}'],
          [sec(20), '{"level":"error","msg":"b"}'],
        ],
      },
    ]);
  });

  it('runs a metric range query', async () => {
    const q = encodeURIComponent('sum by (app) (count_over_time({env=~".+"}[1m]))');
    const res = await app.inject({ url: `/loki/api/v1/query_range?query=${q}&${range}&step=60` });
    expect(res.statusCode, res.body).toBe(200);
    const j = res.json();
    expect(j.data.resultType).toBe('matrix');
    const byApp = Object.fromEntries(
      j.data.result.map((s: { metric: { app: string }; values: unknown[] }) => [s.metric.app, s.values]),
    );
    expect(byApp.api).toEqual([[Number(sec(60).slice(0, 10)), '3']]);
    expect(byApp.web).toEqual([[Number(sec(60).slice(0, 10)), '2']]);
  });

  it('runs an instant query', async () => {
    const q = encodeURIComponent('count_over_time({app="api"}[1m])');
    const res = await app.inject({ url: `/loki/api/v1/query?query=${q}&time=${sec(60)}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.result).toEqual([{ metric: { app: 'api', env: 'prod' }, value: [1795168860, '3'] }]);
  });

  it('answers labels, values, series and index stats', async () => {
    expect((await app.inject({ url: `/loki/api/v1/labels?${range}` })).json().data).toEqual(['app', 'env']);
    expect((await app.inject({ url: `/loki/api/v1/label/app/values?${range}` })).json().data).toEqual(['api', 'web']);
    const series = (
      await app.inject({ url: `/loki/api/v1/series?match[]=${encodeURIComponent('{app="web"}')}&${range}` })
    ).json();
    expect(series).toEqual({ status: 'success', data: [{ app: 'web', env: 'dev' }] });
    const stats = (
      await app.inject({ url: `/loki/api/v1/index/stats?query=${encodeURIComponent('{app="web"}')}&${range}` })
    ).json();
    expect(stats).toMatchObject({ streams: 1, entries: 2 });
  });

  it('rejects bad queries with 400', async () => {
    for (const q of ['{app="api"} |= ', '{app=~".*"}', 'count_over_time({app="api"})']) {
      const res = await app.inject({ url: `/loki/api/v1/query_range?query=${encodeURIComponent(q)}&${range}` });
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
    }
  });

  it('formats queries', async () => {
    const res = await app.inject({ url: `/loki/api/v1/format_query?query=${encodeURIComponent('{app="api"}|="x"')}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('success');
    expect(res.json().data).toContain('|= "x"');
  });

  it('rejects invalid pushes with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: '{"streams":[{"stream":{"1bad":"x"},"values":[]}]}',
    });
    expect(res.statusCode).toBe(400);
    const notJson = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: 'nope',
    });
    expect(notJson.statusCode).toBe(400);
  });
});
