// The Drilldown / Explore read APIs, OTLP's default Loki mapping, back-pressure, auth and tenants — over HTTP
// against a real DuckDB engine loaded with the conformance data set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../engine/engine';
import type { EngineApi, PushStream } from '../engine/types';
import { loadDataset } from '../../tests/conformance/cases';
import { buildServer } from './server';
import { tenantEngines } from './access';
import { encodeOtlpProtobuf } from '../ingest/otlp';

const START = 1795168800000000000n;
const END = 1795176000000000000n;
const range = `start=${START}&end=${END}`;

let engine: Engine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = await Engine.open('duckdb::memory:');
  await engine.push(loadDataset());
  app = buildServer(engine);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await engine?.close();
});

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await app.inject({ url, headers });
  return {
    status: res.statusCode,
    json: res.statusCode < 300 ? res.json() : undefined,
    body: res.body,
    headers: res.headers,
  };
};

describe('index/volume and volume_range', () => {
  it('volume by the selector labels, and by targetLabels, as bytes, largest first', async () => {
    const q = encodeURIComponent('{env=~".+"}');
    const r = await get(`/loki/api/v1/index/volume?query=${q}&${range}`);
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('success');
    expect(r.json.data.resultType).toBe('vector');
    const byEnv = Object.fromEntries(r.json.data.result.map((s: any) => [s.metric.env, Number(s.value[1])]));
    expect(Object.keys(byEnv).sort()).toEqual(['prod', 'staging']);
    const total = await engine.indexStats('{env=~".+"}', START, END);
    expect(byEnv.prod + byEnv.staging).toBe(total.bytes);

    const t = await get(`/loki/api/v1/index/volume?query=${q}&${range}&targetLabels=app&limit=2`);
    expect(t.json.data.result).toHaveLength(2);
    expect(Object.keys(t.json.data.result[0].metric)).toEqual(['app']);
    expect(Number(t.json.data.result[0].value[1])).toBeGreaterThanOrEqual(Number(t.json.data.result[1].value[1]));
  });

  it('volume_range returns a matrix per step; aggregateBy=labels one series per label name', async () => {
    const q = encodeURIComponent('{app="api"}');
    const r = await get(`/loki/api/v1/index/volume_range?query=${q}&${range}&step=600&targetLabels=level`);
    expect(r.status, r.body).toBe(200);
    expect(r.json.data.resultType).toBe('matrix');
    expect(r.json.data.result.map((s: any) => s.metric.level).sort()).toEqual(['error', 'info', 'warn']);
    expect(r.json.data.result[0].values.length).toBeGreaterThan(10);
    const l = await get(`/loki/api/v1/index/volume?query=${q}&${range}&aggregateBy=labels`);
    expect(l.json.data.result.map((s: any) => Object.keys(s.metric)[0]).sort()).toEqual([
      'app',
      'env',
      'host',
      'level',
      'namespace',
    ]);
  });
});

describe('detected labels, fields, values; patterns', () => {
  it('detected_labels: label cardinalities, single-valued labels left out', async () => {
    const r = await get(`/loki/api/v1/detected_labels?query=${encodeURIComponent('{namespace="shop"}')}&${range}`);
    const m = Object.fromEntries(r.json.detectedLabels.map((d: any) => [d.label, d.cardinality]));
    expect(m).toEqual({ app: 2, host: 5, level: 3, namespace: 1 });
  });

  it('detected_fields: JSON and logfmt fields with types and parsers', async () => {
    const api = await get(
      `/loki/api/v1/detected_fields?query=${encodeURIComponent('{app="api"}')}&${range}&line_limit=500`,
    );
    const f = Object.fromEntries(api.json.fields.map((d: any) => [d.label, d]));
    expect(f.status).toMatchObject({ type: 'int', parsers: ['json'] });
    expect(f.latency_ms.type).toBe('float');
    expect(f.duration.type).toBe('duration');
    expect(f.size.type).toBe('bytes');
    expect(f.method.cardinality).toBeGreaterThan(1);
    const web = await get(`/loki/api/v1/detected_fields?query=${encodeURIComponent('{app="web"}')}&${range}`);
    const w = Object.fromEntries(web.json.fields.map((d: any) => [d.label, d]));
    expect(w.user_agent).toMatchObject({ type: 'string', parsers: ['logfmt'] });
    const v = await get(
      `/loki/api/v1/detected_field/method/values?query=${encodeURIComponent('{app="web"}')}&${range}`,
    );
    expect(v.json.values.length).toBeGreaterThan(0);
    expect(v.json.values.every((x: string) => /^[A-Z]+$/.test(x))).toBe(true);
  });

  it('patterns: Drain clusters with per-step counts that add up to the line count', async () => {
    const r = await get(`/loki/api/v1/patterns?query=${encodeURIComponent('{app="web"}')}&${range}&step=600`);
    expect(r.json.status).toBe('success');
    const pats = r.json.data as { pattern: string; samples: [number, number][] }[];
    expect(pats.length).toBeGreaterThan(0);
    expect(pats.length).toBeLessThan(60);
    expect(pats[0]!.pattern).toContain('<_>');
    const total = pats.reduce((a, p) => a + p.samples.reduce((b, s) => b + s[1], 0), 0);
    // 9,000 web lines: estimated from a 5,000-line sample spread over the range
    expect(Math.abs(total - 9000) / 9000).toBeLessThan(0.05);
    for (const s of pats[0]!.samples) expect(Number.isInteger(s[0])).toBe(true);
  });

  it('categorize-labels on query_range puts structured metadata in a third element', async () => {
    const t = 1795180000000000000n;
    await engine.push([
      { labels: { app: 'sm' }, entries: [{ ts: t, line: 'with metadata', metadata: { trace_id: 't1' } }] },
    ]);
    const r = await get(
      `/loki/api/v1/query_range?query=${encodeURIComponent('{app="sm"}')}&start=${t - 1n}&end=${t + 1n}`,
      {
        'x-loki-response-encoding-flags': 'categorize-labels',
      },
    );
    expect(r.json.data.encodingFlags).toEqual(['categorize-labels']);
    expect(r.json.data.result[0].values[0][2]).toEqual({ structuredMetadata: { trace_id: 't1' } });
  });

  it('buildinfo', async () => {
    const r = await get('/loki/api/v1/status/buildinfo');
    expect(r.json.version).toMatch(/^3\./);
  });
});

describe('OTLP with Loki 3 default mapping', () => {
  it('service.name → service_name label, other resource attributes and log attributes → structured metadata', async () => {
    const ts = 1795190000000000000n;
    const body = encodeOtlpProtobuf([
      {
        resource: { 'service.name': 'checkout', 'k8s.namespace.name': 'prod', 'host.name': 'node-1' },
        scope: { name: 'my.lib', version: '1.2' },
        records: [
          {
            ts,
            body: 'payment accepted',
            attributes: { 'http.method': 'POST' },
            severityText: 'INFO',
            severityNumber: 9,
            traceId: '0102030405060708090a0b0c0d0e0f10',
            spanId: '0102030405060708',
          },
        ],
      },
      { resource: { 'host.name': 'node-2' }, records: [{ ts, body: 'no service' }] },
    ]);
    const res = await app.inject({
      method: 'POST',
      url: '/otlp/v1/logs',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: body,
    });
    expect(res.statusCode).toBe(204);
    const q = await engine.query({
      query: '{service_name="checkout"}',
      start: ts,
      end: ts + 1n,
      instant: false,
      limit: 10,
      direction: 'forward',
    });
    const s = q.data.resultType === 'streams' ? q.data.result[0]! : undefined;
    expect(s?.labels).toEqual({ service_name: 'checkout', k8s_namespace_name: 'prod' });
    expect(s?.entries[0]).toMatchObject({
      line: 'payment accepted',
      metadata: {
        host_name: 'node-1',
        scope_name: 'my.lib',
        scope_version: '1.2',
        http_method: 'POST',
        severity_text: 'INFO',
        severity_number: '9',
        trace_id: '0102030405060708090a0b0c0d0e0f10',
        span_id: '0102030405060708',
      },
    });
    const u = await engine.query({
      query: '{service_name="unknown_service"} | host_name="node-2"',
      start: ts,
      end: ts + 1n,
      instant: false,
      limit: 10,
      direction: 'forward',
    });
    expect(u.data.resultType === 'streams' && u.data.result[0]?.entries[0]?.line).toBe('no service');
  });
});

describe('back-pressure', () => {
  it('429 with Retry-After when the write queue is full; 503 with Retry-After while the database fails', async () => {
    let release!: () => void;
    let fail = false;
    const blocked = new Promise<void>((r) => (release = r));
    const slow: EngineApi = {
      ...(engine as unknown as EngineApi),
      push: async (s: PushStream[]) => {
        await blocked;
        if (fail) throw new Error('connection refused');
        return { entries: s.reduce((a, x) => a + x.entries.length, 0) };
      },
    } as EngineApi;
    const a = buildServer(slow, { ingest: { maxQueuedRows: 3 } });
    const body = (n: number) =>
      JSON.stringify({
        streams: [{ stream: { app: 'bp' }, values: Array.from({ length: n }, (_, i) => [String(i + 1), `l${i}`]) }],
      });
    const first = a.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: body(2),
    });
    await new Promise((r) => setTimeout(r, 20));
    const second = await a.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: body(2),
    });
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    release();
    expect((await first).statusCode).toBe(204);

    fail = true;
    const third = await a.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: body(1),
    });
    expect(third.statusCode).toBe(503);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // during the back-off the database is not even tried
    fail = false;
    const fourth = await a.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: body(1),
    });
    expect(fourth.statusCode).toBe(503);
    await a.close();
  });
});

describe('bearer token and tenants', () => {
  it('requires the token on the API but not on /ready', async () => {
    const a = buildServer(engine, { authToken: 's3cret' });
    expect((await a.inject({ url: '/loki/api/v1/labels' })).statusCode).toBe(401);
    expect(
      (await a.inject({ url: '/loki/api/v1/labels', headers: { authorization: 'Bearer s3cret' } })).statusCode,
    ).toBe(200);
    const basic = 'Basic ' + Buffer.from('grafana:s3cret').toString('base64');
    expect((await a.inject({ url: '/loki/api/v1/labels', headers: { authorization: basic } })).statusCode).toBe(200);
    expect((await a.inject({ url: '/loki/api/v1/labels', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(
      401,
    );
    expect((await a.inject({ url: '/ready' })).statusCode).toBe(200);
    await a.close();
  });

  it('isolates tenants by X-Scope-OrgID', async () => {
    const tenants = tenantEngines('duckdb::memory:', (url) => Engine.open(url));
    const a = buildServer(engine, { tenants });
    const push = (org: string, app: string) =>
      a.inject({
        method: 'POST',
        url: '/loki/api/v1/push',
        headers: { 'content-type': 'application/json', 'x-scope-orgid': org },
        payload: JSON.stringify({ streams: [{ stream: { app }, values: [['1795168800000000000', 'x']] }] }),
      });
    expect((await push('team-a', 'alpha')).statusCode).toBe(204);
    expect((await push('team-b', 'beta')).statusCode).toBe(204);
    const labels = async (org: string) =>
      (await a.inject({ url: `/loki/api/v1/label/app/values?${range}`, headers: { 'x-scope-orgid': org } })).json()
        .data;
    expect(await labels('team-a')).toEqual(['alpha']);
    expect(await labels('team-b')).toEqual(['beta']);
    const none = await a.inject({ url: '/loki/api/v1/labels' });
    expect(none.statusCode).toBe(401);
    expect(none.body).toBe('no org id');
    await a.close();
    await tenants.close();
  });
});
