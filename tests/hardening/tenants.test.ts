// Issue 10 item 6 (tenants): `serve --tenants` starts, every route (Loki API, /api/v1/*, the gRPC port) serves the
// X-Scope-OrgID tenant's own database, long tenant IDs work or get a 400 (never a 500 with a path), and tenant
// databases nobody uses are closed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import type { EngineApi } from '../../server/engine/types';
import { tenantEngines } from '../../server/http/access';
import { call, clients } from '../../server/grafana/testing';

const T0 = 1795168800n * 1_000_000_000n;
const sec = (s: number) => (T0 + BigInt(s) * 1_000_000_000n).toString();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('tenantEngines: idle handles close, at most maxOpen stay open', () => {
  it('closes an idle tenant database and reopens it on the next call', async () => {
    const opened: string[] = [];
    let closed = 0;
    const open = async (url: string): Promise<EngineApi> => {
      opened.push(url);
      const e = await Engine.open(url);
      const close = e.close.bind(e);
      e.close = async () => {
        closed++;
        await close();
      };
      return e;
    };
    const t = tenantEngines('duckdb::memory:', open, { idleMs: 50, maxOpen: 3 });
    const a = await t.engineFor('a');
    await a.push([{ labels: { app: 'x' }, entries: [{ ts: T0, line: 'l' }] }]);
    expect(t.openCount()).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.openCount()).toBe(0);
    expect(closed).toBe(1);
    expect(await a.labelNames(0n, T0 * 2n)).toEqual([]); // in-memory: reopened empty, but it answers
    for (const id of ['b', 'c', 'd', 'e']) await (await t.engineFor(id)).labelNames(0n, 1n);
    expect(t.openCount()).toBeLessThanOrEqual(3);
    await t.close();
    expect(t.openCount()).toBe(0);
    expect(opened.length).toBe(6);
  });
  it('never closes a database while a call runs on it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let closedWhileBusy = false;
    let busy = false;
    const open = async (): Promise<EngineApi> =>
      ({
        query: async () => {
          busy = true;
          await gate;
          busy = false;
          return { data: { resultType: 'streams', result: [] }, stats: {} };
        },
        close: async () => {
          if (busy) closedWhileBusy = true;
        },
      }) as unknown as EngineApi;
    const t = tenantEngines('duckdb::memory:', open, { idleMs: 10, maxOpen: 1 });
    const q = (await t.engineFor('a')).query({} as never);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.openCount()).toBe(1);
    release();
    await q;
    await t.close();
    expect(closedWhileBusy).toBe(false);
  });
  it('refuses at start-up what cannot hold one database per tenant (chDB: one data directory per process)', () => {
    const open = () => Promise.reject(new Error('not opened'));
    expect(() => tenantEngines('chdb:/tmp/x', open)).toThrow(/not available on chdb/);
    expect(() => tenantEngines('postgres://u:p@h/db', open)).toThrow(/\{tenant\}/);
    expect(() => tenantEngines('postgres://u:p@h/logs_{tenant}', open)).not.toThrow();
  });

  it('long tenant IDs get a short file name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    try {
      const t = tenantEngines(`duckdb:${dir}/logs.duckdb`, (url) => Engine.open(url));
      const long = "!*'()".repeat(30);
      await (await t.engineFor(long)).push([{ labels: { app: 'x' }, entries: [{ ts: T0, line: 'l' }] }]);
      await t.close();
      const files = readdirSync(dir).filter((f) => f.endsWith('.duckdb'));
      expect(files).toHaveLength(1);
      expect(files[0]!.length).toBeLessThan(120);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve --tenants (the built CLI)', () => {
  const cli = join(process.cwd(), 'build', 'logqlsql.cjs');
  let child: ChildProcess | undefined;
  let base = '';
  let grpcAddr = '';
  let dir = '';
  let output = '';

  beforeAll(async () => {
    if (!existsSync(cli)) return;
    dir = mkdtempSync(join(tmpdir(), 'serve-tenants-'));
    const port = await freePort();
    const gport = await freePort();
    base = `http://127.0.0.1:${port}`;
    grpcAddr = `127.0.0.1:${gport}`;
    child = spawn(
      process.execPath,
      [
        cli,
        'serve',
        '--tenants',
        '--db',
        `duckdb:${dir}/logs.duckdb`,
        '--listen',
        `127.0.0.1:${port}`,
        '--grpc',
        grpcAddr,
      ],
      // without VITEST in its environment (the CLI bundle does not run its main under vitest)
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VITEST: '' } },
    );
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`serve --tenants did not start (exit ${child.exitCode} ${child.signalCode}):\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const req = (path: string, tenant: string | undefined, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { ...(tenant ? { 'X-Scope-OrgID': tenant } : {}), ...(init.headers as Record<string, string>) },
    });
  const push = (tenant: string, app: string) =>
    req('/loki/api/v1/push', tenant, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { app }, values: [[sec(10), `${app} line`]] }] }),
    });

  it('starts, and each tenant sees its own data on every route', async () => {
    if (!child) return expect.fail(`no ${cli}: run npm run build`);
    expect((await push('alpha', 'a-app')).status).toBe(204);
    expect((await push('beta', 'b-app')).status).toBe(204);
    const range = `start=${sec(0)}&end=${sec(60)}`;
    const labels = async (path: string, t: string) => (await (await req(path, t)).json()) as { data: unknown };
    expect((await labels(`/loki/api/v1/label/app/values?${range}`, 'alpha')).data).toEqual(['a-app']);
    expect((await labels(`/loki/api/v1/label/app/values?${range}`, 'beta')).data).toEqual(['b-app']);
    // the editor resource routes
    expect((await labels(`/api/v1/label/app/values?${range}`, 'alpha')).data).toEqual(['a-app']);
    expect((await labels(`/api/v1/label/app/values?${range}`, 'beta')).data).toEqual(['b-app']);
    const noOrg = await req(`/api/v1/labels?${range}`, undefined);
    expect(noOrg.status).toBe(401);
    expect(await noOrg.text()).toBe('no org id');
  });

  it('long tenant IDs: 150 characters work, 151 are a 400, never a 500 naming a path', async () => {
    if (!child) return expect.fail(`no ${cli}: run npm run build`);
    expect((await push("(!*'.)".repeat(25), 'long')).status).toBe(204);
    const tooLong = await push('x'.repeat(151), 'long');
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).not.toContain(dir);
  });

  it('the gRPC port reads the tenant named in the data source settings', async () => {
    if (!child) return expect.fail(`no ${cli}: run npm run build`);
    const c = clients(grpcAddr);
    try {
      const q = (tenant?: string) =>
        call<{ responses: Record<string, { status: number; error?: string; frames: Buffer[] }> }>(c.data, 'QueryData', {
          pluginContext: {
            dataSourceInstanceSettings: {
              id: 1,
              uid: `ds-${tenant ?? 'none'}`,
              name: 'x',
              jsonData: Buffer.from(JSON.stringify(tenant ? { tenant } : {})),
              decryptedSecureJsonData: {},
              lastUpdatedMS: 1,
            },
          },
          queries: [
            {
              refId: 'A',
              json: Buffer.from(JSON.stringify({ expr: 'count_over_time({app=~".+"}[1m])', queryType: 'instant' })),
              timeRange: { fromEpochMS: Number(T0 / 1_000_000n), toEpochMS: Number(T0 / 1_000_000n) + 60_000 },
              maxDataPoints: 10,
              intervalMS: 1000,
            },
          ],
        });
      const alpha = await q('alpha');
      expect(alpha.responses.A!.status).toBe(200);
      expect(Buffer.concat(alpha.responses.A!.frames).toString('latin1')).toContain('a-app');
      expect(Buffer.concat(alpha.responses.A!.frames).toString('latin1')).not.toContain('b-app');
      const none = await q(undefined);
      expect(none.responses.A!.status).toBe(400);
      expect(none.responses.A!.error).toMatch(/multi-tenant/);
    } finally {
      c.close();
    }
  });
});
