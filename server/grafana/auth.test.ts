// Issue 10 item 5: `serve --auth-token T --grpc …` must not answer data calls on the gRPC port without T.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type GrpcPluginServer } from './server';
import { call, clients, collect, FakeEngine } from './testing';

const TOKEN = 's3cret-token';
const T0 = 1_795_168_800_000;

function ctx(secure: Record<string, string> = {}) {
  return {
    dataSourceInstanceSettings: {
      id: 7,
      uid: 'ds1',
      name: 'test',
      jsonData: Buffer.from(JSON.stringify({ engine: 'duckdb', url: 'duckdb::memory:' })),
      decryptedSecureJsonData: secure,
      lastUpdatedMS: 1,
    },
  };
}

const query = (secure: Record<string, string> = {}) => ({
  pluginContext: ctx(secure),
  queries: [
    {
      refId: 'A',
      queryType: '',
      json: Buffer.from(JSON.stringify({ expr: '{app="api"}', queryType: 'range' })),
      timeRange: { fromEpochMS: T0, toEpochMS: T0 + 3600_000 },
      maxDataPoints: 100,
      intervalMS: 1000,
    },
  ],
});

function withMetadata<T>(
  client: grpc.Client & Record<string, unknown>,
  method: string,
  req: unknown,
  md: grpc.Metadata,
) {
  return new Promise<T>((resolve, reject) =>
    (client[method] as (r: unknown, m: grpc.Metadata, cb: (e: Error | null, v: T) => void) => void)(req, md, (e, v) =>
      e ? reject(e) : resolve(v),
    ),
  );
}

describe('gRPC port with --auth-token (server mode)', () => {
  let srv: GrpcPluginServer;
  let open: GrpcPluginServer;
  let c: ReturnType<typeof clients>;
  let co: ReturnType<typeof clients>;
  const engine = new FakeEngine();

  beforeAll(async () => {
    await engine.push([{ labels: { app: 'api' }, entries: [{ ts: BigInt(T0 + 1000) * 1_000_000n, line: 'a' }] }]);
    srv = await startGrpcServer(async () => engine, '127.0.0.1', 0, { closeEngines: false, authToken: TOKEN });
    open = await startGrpcServer(async () => engine, '127.0.0.1', 0, { closeEngines: false });
    c = clients(srv.address);
    co = clients(open.address);
  });
  afterAll(async () => {
    c.close();
    co.close();
    await srv.stop();
    await open.stop();
  });

  it('refuses QueryData, CheckHealth, CallResource (push) and streams without the token', async () => {
    const unauth = expect.objectContaining({ code: grpc.status.UNAUTHENTICATED });
    await expect(call(c.data, 'QueryData', query())).rejects.toEqual(unauth);
    await expect(call(c.data, 'QueryData', query({ authToken: 'wrong' }))).rejects.toEqual(unauth);
    await expect(call(c.diagnostics, 'CheckHealth', { pluginContext: ctx() })).rejects.toEqual(unauth);
    const push = {
      pluginContext: ctx(),
      path: 'push',
      method: 'POST',
      url: 'push',
      body: Buffer.from(JSON.stringify({ streams: [{ stream: { app: 'x' }, values: [[String(T0 * 1e6), 'evil']] }] })),
    };
    await expect(collect(c.resource, 'CallResource', push)).rejects.toEqual(unauth);
    expect(engine.streams.some((s) => s.labels.app === 'x')).toBe(false);
    await expect(
      call(c.stream, 'SubscribeStream', { pluginContext: ctx(), path: 'tail/a', data: Buffer.from('{}') }),
    ).rejects.toEqual(unauth);
    await expect(
      collect(c.stream, 'RunStream', {
        pluginContext: ctx(),
        path: 'tail/a',
        data: Buffer.from('{"expr":"{app=\\"api\\"}"}'),
      }),
    ).rejects.toEqual(unauth);
    const e = await call(c.data, 'QueryData', query()).catch((x: grpc.ServiceError) => x);
    expect((e as grpc.ServiceError).details).toMatch(/--auth-token.*secureJsonData\.authToken/);
  });

  it("accepts the data source's secure authToken (how Grafana sends it) or the Password field", async () => {
    const r = await call<{ responses: Record<string, { status: number; frames: Buffer[] }> }>(
      c.data,
      'QueryData',
      query({ authToken: TOKEN }),
    );
    expect(r.responses.A!.status).toBe(200);
    const h = await call<{ status: number }>(c.diagnostics, 'CheckHealth', { pluginContext: ctx({ password: TOKEN }) });
    expect(h.status).toBe(1);
  });

  it('accepts gRPC metadata authorization: Bearer <token>', async () => {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKEN}`);
    const r = await withMetadata<{ responses: Record<string, { status: number }> }>(c.data, 'QueryData', query(), md);
    expect(r.responses.A!.status).toBe(200);
  });

  it('leaves the health check, Shutdown and metrics open (go-plugin needs them; they carry no data)', async () => {
    expect(await call(c.health, 'Check', { service: 'plugin' })).toEqual({ status: 1 });
    await expect(call(c.diagnostics, 'CollectMetrics', {})).resolves.toBeTruthy();
  });

  it('without a token (plugin mode) nothing is checked', async () => {
    const r = await call<{ responses: Record<string, { status: number }> }>(co.data, 'QueryData', query());
    expect(r.responses.A!.status).toBe(200);
  });
});
