// Loki's delete API on every engine, through HTTP: requests are listed with their status, cancelled while pending,
// applied once their cancel period is over — and then exactly the selected lines in [start, end] are gone (lines one
// nanosecond outside the range, in other streams, or not matching the filter stay). Bad input changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine';
import { enginesToTest } from '../../tests/engines';
import { buildServer } from './server';
import { parseDeleteTime } from './deleteRoutes';

const engines = await enginesToTest();
const MS = 1_000_000n;
// [START_MS, END_MS] is the deletion range; entries sit on and around its edges
const START_MS = 1_760_000_000_000n; // 2025-10-09T08:53:20Z
const END_MS = START_MS + 3_600_000n;
const CANCEL_PERIOD_MS = 400;

const edges = (tag: string) => [
  { ts: START_MS * MS - 1n, line: `${tag} before user=bob` },
  { ts: START_MS * MS, line: `${tag} at-start user=bob` },
  { ts: START_MS * MS + 5n * 60_000n * MS, line: `${tag} inside user=alice` },
  { ts: END_MS * MS, line: `${tag} at-end user=bob` },
  { ts: END_MS * MS + 1n, line: `${tag} after user=bob` },
];

describe('delete API time parameters', () => {
  it("parses Loki's formats: RFC3339 (ms kept) or ten-digit Unix seconds", () => {
    expect(parseDeleteTime('1760000000')).toBe(1_760_000_000_000n);
    expect(parseDeleteTime('2025-10-09T08:53:20Z')).toBe(1_760_000_000_000n);
    expect(parseDeleteTime('2025-10-09T10:53:20.25+02:00')).toBe(1_760_000_000_250n);
    expect(parseDeleteTime('1760000000000')).toBeUndefined(); // ms are not accepted, as in Loki
    expect(parseDeleteTime('yesterday')).toBeUndefined();
  });
});

describe.each(engines)('delete API on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push([
      { labels: { app: 'a', env: 'prod' }, entries: edges('secret') },
      { labels: { app: 'a', env: 'dev' }, entries: edges('plain') },
      { labels: { app: 'b', env: 'prod' }, entries: edges('secret') },
    ]);
    app = buildServer(engine, { compactor: { cancelPeriodMs: CANCEL_PERIOD_MS } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  const lines = async (selector: string): Promise<string[]> => {
    const res = await engine.query({
      query: selector,
      start: START_MS * MS - 60_000n * MS,
      end: END_MS * MS + 60_000n * MS,
      limit: 1000,
      direction: 'forward',
      instant: false,
    });
    if (res.data.resultType !== 'streams') throw new Error('expected streams');
    return res.data.result.flatMap((s) => s.entries.map((e) => `${s.labels.app}/${s.labels.env} ${e.line}`)).sort();
  };
  const everything = () => lines('{app=~".+"}');
  const post = (query: string, start = `${START_MS / 1000n}`, end = `${END_MS / 1000n}`) =>
    app.inject({
      method: 'POST',
      url: `/loki/api/v1/delete?${new URLSearchParams({ query, start, end })}`,
    });
  const list = async () =>
    (await app.inject({ url: '/loki/api/v1/delete' })).json() as {
      request_id: string;
      status: string;
      query: string;
      start_time: number;
      end_time: number;
    }[];
  const processed = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      if ((await list()).find((r) => r.request_id === id)?.status === 'processed') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`delete request ${id} was not processed`);
  };

  it.skipIf(!!skip)('refuses bad requests and leaves the data alone', async () => {
    const before = await everything();
    expect(before).toHaveLength(15);
    for (const [res, msg] of [
      [await post('{app="a"'), 'invalid query expression'],
      [await post('sum(count_over_time({app="a"}[1m]))'), 'invalid query expression'],
      [await post('{app=~".*"}'), 'invalid query expression'],
      [await post(''), 'query not set'],
      [await post('{app="a"}', ''), 'start time not set'],
      [await post('{app="a"}', 'soon'), 'invalid start time: require unix seconds or RFC3339 format'],
      [await post('{app="a"}', `${START_MS / 1000n}`, '9999999999'), 'deletes in the future are not allowed'],
      [await post('{app="a"}', `${END_MS / 1000n}`, `${START_MS / 1000n}`), "start time can't be greater"],
    ] as const) {
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(msg);
    }
    await new Promise((r) => setTimeout(r, CANCEL_PERIOD_MS + 100));
    expect(await list()).toEqual([]);
    expect(await everything()).toEqual(before);
  });

  it.skipIf(!!skip)('cancels a pending request: nothing is deleted', async () => {
    const before = await everything();
    const res = await post('{app="a"}');
    expect(res.statusCode).toBe(204);
    const id = String(res.headers['x-delete-request-id']);
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(await list()).toEqual([
      {
        request_id: id,
        start_time: Number(START_MS / 1000n),
        end_time: Number(END_MS / 1000n),
        query: '{app="a"}',
        status: 'received',
        created_at: expect.any(Number),
        user_id: '',
      },
    ]);
    const cancel = await app.inject({ method: 'DELETE', url: `/loki/api/v1/delete?request_id=${id}` });
    expect(cancel.statusCode).toBe(204);
    expect(await list()).toEqual([]);
    const again = await app.inject({ method: 'DELETE', url: `/loki/api/v1/delete?request_id=${id}` });
    expect(again.statusCode).toBe(404);
    await new Promise((r) => setTimeout(r, CANCEL_PERIOD_MS + 200));
    expect(await everything()).toEqual(before);
  });

  it.skipIf(!!skip)('deletes the selected lines in [start, end] and nothing else', async () => {
    const before = await everything();
    const res = await post('{env="prod"} |= "secret" != "alice"');
    expect(res.statusCode).toBe(204);
    const id = String(res.headers['x-delete-request-id']);
    await processed(id);
    const gone = ['a/prod', 'b/prod'].flatMap((s) => [`${s} secret at-start user=bob`, `${s} secret at-end user=bob`]);
    expect(await everything()).toEqual(before.filter((l) => !gone.includes(l)));
    // a processed request can no longer be cancelled
    const cancel = await app.inject({ method: 'DELETE', url: `/loki/api/v1/delete?request_id=${id}` });
    expect(cancel.statusCode).toBe(400);
  });

  it.skipIf(!!skip)('applies pipelines SQL cannot run (parsers, label filters, regexes) exactly', async () => {
    const before = await everything();
    const res = await post('{app="a", env="dev"} |~ "pl.in" | logfmt | user="bob"');
    expect(res.statusCode).toBe(204);
    await processed(String(res.headers['x-delete-request-id']));
    const gone = ['a/dev plain at-start user=bob', 'a/dev plain at-end user=bob'];
    expect(await everything()).toEqual(before.filter((l) => !gone.includes(l)));
    expect((await list()).map((r) => r.status)).toEqual(['processed', 'processed']);
  });
});

describe('delete API with multi-tenancy', () => {
  it("keeps each tenant's requests in the tenant's database; X-Scope-OrgID is required", async () => {
    const { Engine } = await import('../engine/engine');
    const { tenantEngines } = await import('./access');
    const tenants = tenantEngines('duckdb::memory:', (url) => Engine.open(url));
    const main = await tenants.engineFor('fake');
    const app = buildServer(main, { tenants, compactor: { cancelPeriodMs: 60_000 } });
    try {
      const as = (org: string) => ({ 'x-scope-orgid': org });
      expect((await app.inject({ url: '/loki/api/v1/delete' })).statusCode).toBe(401);
      const add = await app.inject({
        method: 'POST',
        url: `/loki/api/v1/delete?${new URLSearchParams({ query: '{app="a"}', start: '1760000000' })}`,
        headers: as('team-a'),
      });
      expect(add.statusCode).toBe(204);
      const list = async (org: string) =>
        ((await app.inject({ url: '/loki/api/v1/delete', headers: as(org) })).json() as { request_id: string }[]).map(
          (r) => r.request_id,
        );
      expect(await list('team-a')).toEqual([add.headers['x-delete-request-id']]);
      expect(await list('team-b')).toEqual([]);
      const cancel = (org: string) =>
        app.inject({
          method: 'DELETE',
          url: `/loki/api/v1/delete?request_id=${String(add.headers['x-delete-request-id'])}`,
          headers: as(org),
        });
      expect((await cancel('team-b')).statusCode).toBe(404);
      expect((await cancel('team-a')).statusCode).toBe(204);
    } finally {
      await app.close();
    }
  });
});

describe('retention in the server', () => {
  it('runs once when the server starts, then every interval', async () => {
    const { Engine } = await import('../engine/engine');
    const engine = await Engine.open('duckdb::memory:');
    const now = BigInt(Date.now()) * MS;
    const day = 86_400_000n * MS;
    const push = (line: string, ts: bigint) => engine.push([{ labels: { app: 'r' }, entries: [{ ts, line }] }]);
    await push('old', now - 2n * day);
    await push('new', now - 1000n * MS);
    const app = buildServer(engine, { compactor: { retention: { period: day, streams: [] }, intervalMs: 200 } });
    const lines = async () => {
      const res = await engine.query({
        query: '{app="r"}',
        start: now - 3n * day,
        end: now + 1000n * MS,
        limit: 10,
        direction: 'forward',
        instant: false,
      });
      return res.data.resultType === 'streams' ? res.data.result.flatMap((s) => s.entries.map((e) => e.line)) : [];
    };
    const until = async (want: string[]) => {
      for (let i = 0; i < 100 && JSON.stringify(await lines()) !== JSON.stringify(want); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await lines()).toEqual(want);
    };
    try {
      await app.ready();
      await until(['new']);
      await push('late', now - 3n * day + day / 2n); // expired on arrival: the next pass removes it
      await until(['new']);
    } finally {
      await app.close();
      await engine.close();
    }
  });
});
