import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type GrpcPluginServer } from './server';
import { call, clients, collect, FakeEngine } from './testing';

const T0 = 1_795_168_800_000; // 2026-11-20T10:00:00Z in ms
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

function settings(extra: Record<string, unknown> = {}, lastUpdatedMS = 1) {
  return {
    dataSourceInstanceSettings: {
      id: 7,
      uid: 'ds1',
      name: 'test',
      jsonData: Buffer.from(JSON.stringify({ engine: 'duckdb', url: 'duckdb::memory:', ...extra })),
      decryptedSecureJsonData: {},
      lastUpdatedMS,
    },
  };
}

describe('gRPC plugin services (fake engine)', () => {
  let srv: GrpcPluginServer;
  let c: ReturnType<typeof clients>;
  const engines: FakeEngine[] = [];

  beforeAll(async () => {
    srv = await startGrpcServer(
      async () => {
        const e = new FakeEngine();
        await e.push([
          {
            labels: { app: 'api', level: 'info' },
            entries: [
              { ts: ns(T0 + 1000), line: 'a' },
              { ts: ns(T0 + 2000) + 5n, line: 'b' },
            ],
          },
          { labels: { app: 'api', level: 'error' }, entries: [{ ts: ns(T0 + 1500), line: 'c' }] },
        ]);
        engines.push(e);
        return e;
      },
      '127.0.0.1',
      0,
    );
    c = clients(srv.address);
  });
  afterAll(async () => {
    c.close();
    await srv.stop();
  });

  it('answers grpc.health.v1 for "plugin"', async () => {
    expect(await call(c.health, 'Check', { service: 'plugin' })).toEqual({ status: 1 });
    await expect(call(c.health, 'Check', { service: 'nope' })).rejects.toThrow(/NOT_FOUND|unknown/);
  });

  it('QueryData: log query → one log-lines frame; errors per query with status and errorSource', async () => {
    const res = await call<{
      responses: Record<string, { frames: Buffer[]; status: number; error: string; errorSource: string }>;
    }>(c.data, 'QueryData', {
      pluginContext: settings(),
      queries: [
        {
          refId: 'A',
          timeRange: { fromEpochMS: T0, toEpochMS: T0 + 3600_000 },
          json: Buffer.from(JSON.stringify({ expr: '{app="api"}', maxLines: 10 })),
        },
        {
          refId: 'B',
          timeRange: { fromEpochMS: T0, toEpochMS: T0 + 3600_000 },
          json: Buffer.from(JSON.stringify({ expr: 'sum(' })),
        },
        { refId: 'C', timeRange: { fromEpochMS: T0, toEpochMS: T0 + 3600_000 }, json: Buffer.from('{}') },
        {
          refId: 'D',
          timeRange: { fromEpochMS: T0, toEpochMS: T0 + 600_000 },
          intervalMS: 60_000,
          maxDataPoints: 100,
          json: Buffer.from(
            JSON.stringify({ expr: 'rate({app="api"}[1m])', queryType: 'range', legendFormat: '{{app}}' }),
          ),
        },
        {
          refId: 'E',
          timeRange: { fromEpochMS: T0, toEpochMS: T0 + 600_000 },
          json: Buffer.from(JSON.stringify({ expr: 'vector(1)+vector(1)', queryType: 'instant' })),
        },
      ],
    });
    const a = res.responses.A!;
    expect(a.status).toBe(200);
    expect(a.frames).toHaveLength(1);
    const t = tableFromIPC(a.frames[0]!);
    expect(JSON.parse(t.schema.metadata.get('meta')!)).toMatchObject({
      type: 'log-lines',
      preferredVisualisationType: 'logs',
      executedQueryString: 'SELECT fake',
    });
    expect(t.getChild('body')!.toArray()).toEqual(['b', 'c', 'a']);
    expect(t.getChild('timestamp')!.data[0]!.values[0]).toBe(ns(T0 + 2000) + 5n);

    expect(res.responses.B).toMatchObject({ status: 400, errorSource: 'downstream', frames: [] });
    expect(res.responses.B!.error).toMatch(/parse error at line 1, col 1/);
    expect(res.responses.C).toMatchObject({ status: 400, errorSource: 'downstream' });
    expect(res.responses.C!.error).toMatch(/empty/);

    const d = res.responses.D!;
    expect(d.status).toBe(200);
    const td = tableFromIPC(d.frames[0]!);
    expect(JSON.parse(td.schema.metadata.get('meta')!)).toMatchObject({
      type: 'timeseries-multi',
      typeVersion: [0, 1],
    });
    expect(td.numRows).toBe(11); // 10 min at a 60 s step, both ends
    expect(JSON.parse(td.schema.fields[1]!.metadata.get('config')!)).toEqual({ displayNameFromDS: 'x' });
    expect(engines[0]!.lastRequest).toBeDefined();

    const e = tableFromIPC(res.responses.E!.frames[0]!);
    expect(JSON.parse(e.schema.metadata.get('meta')!)).toMatchObject({ type: 'numeric-multi' });
    expect(e.getChild('Value')!.get(0)).toBe(2);
  });

  it('CheckHealth says OK, and says exactly what is wrong with bad settings', async () => {
    const ok = await call<{ status: number; message: string }>(c.diagnostics, 'CheckHealth', {
      pluginContext: settings(),
    });
    expect(ok.status).toBe(1);
    expect(ok.message).toMatch(/working/);
    const bad = await call<{ status: number; message: string }>(c.diagnostics, 'CheckHealth', {
      pluginContext: { dataSourceInstanceSettings: { uid: 'x', jsonData: Buffer.from('{"engine":"oracle"}') } },
    });
    expect(bad).toMatchObject({ status: 2 });
    expect(bad.message).toMatch(/unknown engine "oracle"/);
  });

  it('CollectMetrics returns Prometheus text', async () => {
    const r = await call<{ metrics: { prometheus: Buffer } }>(c.diagnostics, 'CollectMetrics', {});
    const text = r.metrics.prometheus.toString();
    expect(text).toMatch(/# TYPE logqlsql_grafana_queries_total counter/);
    expect(text).toMatch(/logqlsql_grafana_queries_total\{status="200",kind="logs"\} 1/);
  });

  it('CallResource streams status, headers and body', async () => {
    const get = async (url: string, method = 'GET', body?: unknown) => {
      const [m, ...rest] = await collect<{ code: number; headers: Record<string, { values: string[] }>; body: Buffer }>(
        c.resource,
        'CallResource',
        {
          pluginContext: settings(),
          path: url.split('?')[0],
          method,
          url,
          body: body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)),
        },
      );
      expect(rest).toHaveLength(0);
      return { code: m!.code, headers: m!.headers, json: JSON.parse(m!.body.toString()) };
    };
    const labels = await get(`labels?start=${T0 / 1000}&end=${T0 / 1000 + 3600}`);
    expect(labels.code).toBe(200);
    expect(labels.headers['Content-Type']!.values).toEqual(['application/json']);
    expect(labels.json).toEqual({ status: 'success', data: ['app', 'level'] });
    expect((await get('label/level/values')).json.data).toEqual(['error', 'info']);
    expect((await get('series?match[]={app="api"}')).json.data).toHaveLength(2);
    expect((await get('translate?query={app="api"}')).json.data.sql[0].text).toBe('SELECT fake');
    expect((await get('validate', 'POST', { query: 'sum(' })).json).toMatchObject({
      valid: false,
      error: { kind: 'parse', line: 1, column: 1 },
    });
    expect((await get('validate?query={a="b"}')).json).toMatchObject({ valid: true });
    expect((await get('nope')).code).toBe(404);
    const pushed = await get('push', 'POST', {
      streams: [{ stream: { app: 'new' }, values: [[String(ns(T0)), 'hello']] }],
    });
    expect(pushed).toMatchObject({ code: 200, json: { data: { entries: 1 } } });
  });

  it('rebuilds the engine when lastUpdatedMS changes and closes the old one', async () => {
    const before = engines.length;
    await call(c.diagnostics, 'CheckHealth', { pluginContext: settings({}, 1) });
    expect(engines.length).toBe(before);
    await call(c.diagnostics, 'CheckHealth', { pluginContext: settings({}, 2) });
    expect(engines.length).toBe(before + 1);
  });

  it('Stream: subscribe, run (live tail frames as JSON), publish denied', async () => {
    const sub = await call<{ status: number }>(c.stream, 'SubscribeStream', {
      pluginContext: settings({}, 2),
      path: 'tail/abc',
      data: Buffer.from(JSON.stringify({ expr: '{app="api"}' })),
    });
    expect(sub.status).toBe(0);
    const bad = await call<{ status: number }>(c.stream, 'SubscribeStream', {
      pluginContext: settings({}, 2),
      path: 'other',
      data: Buffer.alloc(0),
    });
    expect(bad.status).toBe(1);
    const pub = await call<{ status: number }>(c.stream, 'PublishStream', {
      pluginContext: settings({}, 2),
      path: 'tail/abc',
      data: Buffer.from('{}'),
    });
    expect(pub.status).toBe(2);

    const now = Date.now();
    const eng = engines[engines.length - 1]!;
    await eng.push([{ labels: { app: 'live' }, entries: [{ ts: ns(now - 1000), line: 'old' }] }]);
    const packets: Buffer[] = [];
    const stream = (
      c.stream.RunStream as (r: unknown) => import('@grpc/grpc-js').ClientReadableStream<{ data: Buffer }>
    )({
      pluginContext: settings({}, 2),
      path: 'tail/live',
      data: Buffer.from(JSON.stringify({ expr: '{app="live"}', intervalMs: 100 })),
    });
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (p: { data: Buffer }) => {
        packets.push(p.data);
        if (packets.length === 1)
          void eng.push([{ labels: { app: 'live' }, entries: [{ ts: ns(Date.now()), line: 'new' }] }]);
        if (packets.length === 2) {
          stream.cancel();
          resolve();
        }
      });
      stream.on('error', (e: { code?: number }) => (e.code === 1 ? resolve() : reject(e)));
    });
    const frames = packets.map((p) => JSON.parse(p.toString()));
    expect(frames[0].schema.meta.type).toBe('log-lines');
    expect(frames[0].data.values[1]).toEqual(['old']);
    expect(frames[1].data.values[1]).toEqual(['new']);
  });
});
