import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type {
  EngineApi,
  IndexStats,
  Labels,
  PushStream,
  QueryRequest,
  QueryResult,
  Translation,
} from '../engine/types';
import { LogQLError } from '../logql/errors';
import type { ServerDeps } from './deps';
import { buildServer } from './server';

const S = 1_000_000_000n;
const stats = { sql: [], tsStages: [], rowsScanned: 7, sqlMs: 1, totalMs: 2 };

/** A tiny in-memory EngineApi: records calls, answers canned data, fails on demand. */
class FakeEngine implements EngineApi {
  calls: { method: string; args: unknown[] }[] = [];
  pushed: PushStream[] = [];
  next?: (req: QueryRequest) => Promise<QueryResult>;

  async query(req: QueryRequest): Promise<QueryResult> {
    this.calls.push({ method: 'query', args: [req] });
    if (this.next) return this.next(req);
    if (req.query.startsWith('bad'))
      throw new LogQLError('parse', 'syntax error: unexpected $end', { from: 0, to: 1 }, req.query);
    if (req.query === 'boom') throw new LogQLError('database', 'disk on fire');
    if (req.query === 'crash') throw new Error('unexpected');
    if (req.query.startsWith('count_over_time')) {
      return req.instant
        ? {
            data: {
              resultType: 'vector',
              result: [{ metric: { app: 'api' }, value: [Number(req.end / 1_000_000n), 3] }],
            },
            stats,
          }
        : {
            data: {
              resultType: 'matrix',
              result: [{ metric: { app: 'api' }, values: [[Number(req.start / 1_000_000n), 1.5]] }],
            },
            stats,
          };
    }
    return {
      data: {
        resultType: 'streams',
        result: [{ labels: { app: 'api' }, entries: [{ ts: req.start, line: 'first' }] }],
      },
      stats: { ...stats, rowsScanned: 11 },
    };
  }
  async labelNames(start: bigint, end: bigint, query?: string): Promise<string[]> {
    this.calls.push({ method: 'labelNames', args: [start, end, query] });
    return ['app', 'env'];
  }
  async labelValues(name: string, start: bigint, end: bigint, query?: string): Promise<string[]> {
    this.calls.push({ method: 'labelValues', args: [name, start, end, query] });
    return name === 'none' ? [] : ['api', 'web'];
  }
  async series(match: string[], start: bigint, end: bigint): Promise<Labels[]> {
    this.calls.push({ method: 'series', args: [match, start, end] });
    if (match.some((m) => m.startsWith('bad'))) throw new LogQLError('parse', 'bad matcher');
    return [{ env: 'prod', app: 'api' }];
  }
  async indexStats(query: string, start: bigint, end: bigint): Promise<IndexStats> {
    this.calls.push({ method: 'indexStats', args: [query, start, end] });
    return { streams: 2, chunks: 3, entries: 4, bytes: 5 };
  }
  async push(streams: PushStream[]): Promise<{ entries: number }> {
    this.pushed.push(...streams);
    return { entries: streams.reduce((n, s) => n + s.entries.length, 0) };
  }
  async translate(): Promise<Translation> {
    return { sql: [], tsStages: [], explain: '' };
  }
  async close(): Promise<void> {}
}

/** Minimal decoder with the ingest module's contract, for tests independent of that module. */
const fakeDeps: ServerDeps = {
  decodePushJson(body, enc) {
    let text: string;
    try {
      text = (enc === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    } catch {
      throw Object.assign(new Error('gzip: invalid header'), { status: 400 });
    }
    let j: { streams?: { stream: Labels; values: [string, string][] }[] };
    try {
      j = JSON.parse(text);
    } catch (e) {
      throw Object.assign(new Error(`loghttp.PushRequest: ${(e as Error).message}`), { status: 400 });
    }
    if (!Array.isArray(j.streams)) throw Object.assign(new Error('missing streams'), { status: 400 });
    return j.streams.map((s) => ({
      labels: s.stream,
      entries: s.values.map(([ts, line]) => ({ ts: BigInt(ts), line })),
    }));
  },
  formatQuery(q) {
    if (q.includes('(')) throw new LogQLError('parse', 'syntax error: unexpected (', { from: 0, to: 1 }, q);
    return q.replace(/\s+/g, ' ').trim();
  },
};

let engine: FakeEngine;
let app: FastifyInstance;
beforeEach(async () => {
  engine = new FakeEngine();
  app = buildServer(engine, { deps: fakeDeps });
  await app.ready();
});
afterEach(async () => {
  await app.close();
});

const lastQuery = () => engine.calls.filter((c) => c.method === 'query').at(-1)!.args[0] as QueryRequest;

describe('query_range', () => {
  it('answers a log query with streams and passes parsed parameters', async () => {
    const res = await app.inject({
      url: '/loki/api/v1/query_range?query=%7Bapp%3D%22api%22%7D&start=1795168800000000000&end=1795176000&limit=50&direction=forward&step=30s',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const j = res.json();
    expect(j.status).toBe('success');
    expect(j.data.resultType).toBe('streams');
    expect(j.data.result[0]).toEqual({ stream: { app: 'api' }, values: [['1795168800000000000', 'first']] });
    const q = lastQuery();
    expect(q).toMatchObject({
      query: '{app="api"}',
      start: 1795168800n * S,
      end: 1795176000n * S,
      step: 30n * S,
      instant: false,
      limit: 50,
      direction: 'forward',
    });
    expect(q.signal).toBeInstanceOf(AbortSignal);
  });

  it('applies defaults (1h back from now, limit 100, backward, default step)', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const res = await app.inject({ url: '/loki/api/v1/query_range?query=x' });
    expect(res.statusCode).toBe(200);
    const q = lastQuery();
    expect(q.end - q.start).toBe(3600n * S);
    expect(q.end >= before).toBe(true);
    expect(q.limit).toBe(100);
    expect(q.direction).toBe('backward');
    expect(q.step).toBe(14n * S);
  });

  it('answers a metric query with a matrix at ms precision', async () => {
    const res = await app.inject({
      url: '/loki/api/v1/query_range',
      query: { query: 'count_over_time({app="api"}[5m])', start: '1795168800.5', end: '1795176000', step: '300' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('"values":[[1795168800.5,"1.5"]]');
  });

  it('accepts POST form bodies', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/query_range',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'query=%7Bapp%3D%22api%22%7D&start=1000&end=2000&limit=7',
    });
    expect(res.statusCode).toBe(200);
    expect(lastQuery()).toMatchObject({ query: '{app="api"}', start: 1000n * S, end: 2000n * S, limit: 7 });
  });

  it('rejects bad parameters with 400 and a plain-text Loki message', async () => {
    const cases: [string, string][] = [
      ['start=abc', `could not parse 'start' parameter: strconv.ParseInt: parsing "abc": invalid syntax`],
      ['start=2000&end=1000', 'end timestamp must not be before or equal to start time'],
      ['limit=0', 'limit must be a positive value'],
      ['direction=sideways', "invalid direction 'sideways'"],
      ['step=0', 'zero or negative query resolution step widths are not accepted. Try a positive integer'],
      ['step=abc', 'cannot parse "abc" to a valid duration'],
    ];
    for (const [qs, message] of cases) {
      const res = await app.inject({ url: `/loki/api/v1/query_range?query=x&${qs}` });
      expect(res.statusCode, qs).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body).toBe(message);
    }
  });

  it('maps LogQL errors: user errors 400, others 500', async () => {
    const bad = await app.inject({ url: '/loki/api/v1/query_range?query=bad%20query' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toBe('parse error at line 1, col 1: syntax error: unexpected $end');
    const boom = await app.inject({ url: '/loki/api/v1/query_range?query=boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).toBe('disk on fire');
    const crash = await app.inject({ url: '/loki/api/v1/query_range?query=crash' });
    expect(crash.statusCode).toBe(500);
  });

  it('honours categorize-labels', async () => {
    engine.next = async () => ({
      data: {
        resultType: 'streams',
        result: [{ labels: { a: '1' }, entries: [{ ts: 5n, line: 'l', metadata: { t: 'x' } }] }],
      },
      stats,
    });
    const res = await app.inject({
      url: '/loki/api/v1/query_range?query=x',
      headers: { 'x-loki-response-encoding-flags': 'categorize-labels' },
    });
    expect(res.json().data.result[0].values).toEqual([['5', 'l', { structuredMetadata: { t: 'x' } }]]);
    const plain = await app.inject({ url: '/loki/api/v1/query_range?query=x' });
    expect(plain.json().data.result[0]).toEqual({ stream: { a: '1', t: 'x' }, values: [['5', 'l']] });
  });

  it('streams and gzips large responses', async () => {
    const entries = Array.from({ length: 20000 }, (_, i) => ({ ts: BigInt(i), line: `line number ${i}` }));
    engine.next = async () => ({ data: { resultType: 'streams', result: [{ labels: { a: '1' }, entries }] }, stats });
    const res = await app.inject({ url: '/loki/api/v1/query_range?query=x' });
    expect(res.json().data.result[0].values).toHaveLength(20000);
    const gz = await app.inject({ url: '/loki/api/v1/query_range?query=x', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(gz.rawPayload).toString());
    expect(body.data.result[0].values).toHaveLength(20000);
  });
});

describe('query (instant)', () => {
  it('evaluates at time and returns a vector', async () => {
    const res = await app.inject({ url: '/loki/api/v1/query?query=count_over_time(x)&time=1795169100.25' });
    expect(res.statusCode).toBe(200);
    const q = lastQuery();
    expect(q.instant).toBe(true);
    expect(q.start).toBe(1795169100250000000n);
    expect(q.end).toBe(q.start);
    expect(res.body).toContain('"resultType":"vector","result":[{"metric":{"app":"api"},"value":[1795169100.25,"3"]}]');
  });
  it('defaults time to now', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const res = await app.inject({ url: '/loki/api/v1/query?query=count_over_time(x)&limit=5' });
    expect(res.statusCode).toBe(200);
    expect(lastQuery().end >= before).toBe(true);
    expect(lastQuery().limit).toBe(5);
  });
  it('refuses log queries, as Loki 3.7.6 does', async () => {
    const res = await app.inject({ url: '/loki/api/v1/query?query=%7Bapp%3D%22api%22%7D&limit=5' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe(
      'log queries are not supported as an instant query type, please change your query to a range query type',
    );
  });
  it('rejects a bad time', async () => {
    const res = await app.inject({ url: '/loki/api/v1/query?query=x&time=yesterday' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('strconv.ParseInt: parsing "yesterday": invalid syntax');
  });
});

describe('client disconnect', () => {
  it('aborts the engine query', async () => {
    let seen: AbortSignal | undefined;
    let resolveAbort!: () => void;
    const aborted = new Promise<void>((r) => (resolveAbort = r));
    engine.next = (req) =>
      new Promise((_resolve, reject) => {
        seen = req.signal;
        req.signal!.addEventListener('abort', () => {
          resolveAbort();
          reject(new Error('aborted'));
        });
      });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const ac = new AbortController();
    const p = fetch(`${address}/loki/api/v1/query_range?query=slow`, { signal: ac.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen?.aborted).toBe(false);
    ac.abort();
    await aborted;
    await p;
    expect(seen?.aborted).toBe(true);
  });
});

describe('labels, values, series, stats', () => {
  it('labels', async () => {
    const res = await app.inject({ url: '/loki/api/v1/labels?start=1000&end=2000' });
    expect(res.json()).toEqual({ status: 'success', data: ['app', 'env'] });
    expect(engine.calls.at(-1)).toEqual({ method: 'labelNames', args: [1000n * S, 2000n * S, undefined] });
    const alias = await app.inject({ url: '/loki/api/v1/label?query=%7Ba%3D%221%22%7D' });
    expect(alias.statusCode).toBe(200);
    expect(engine.calls.at(-1)!.args[2]).toBe('{a="1"}');
  });
  it('label values', async () => {
    const res = await app.inject({
      url: '/loki/api/v1/label/app/values?start=1000&end=2000&query=%7Benv%3D%22prod%22%7D',
    });
    expect(res.json()).toEqual({ status: 'success', data: ['api', 'web'] });
    expect(engine.calls.at(-1)).toEqual({ method: 'labelValues', args: ['app', 1000n * S, 2000n * S, '{env="prod"}'] });
    const none = await app.inject({ url: '/loki/api/v1/label/none/values' });
    expect(none.json()).toEqual({ status: 'success', data: [] });
  });
  it('series via GET and POST form, match[] repeated', async () => {
    const res = await app.inject({
      url: '/loki/api/v1/series?match[]=%7Bapp%3D%22api%22%7D&match[]=%7Benv%3D%22prod%22%7D&start=1000&end=2000',
    });
    expect(res.json()).toEqual({ status: 'success', data: [{ app: 'api', env: 'prod' }] });
    expect(engine.calls.at(-1)!.args[0]).toEqual(['{app="api"}', '{env="prod"}']);
    const post = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/series',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'match%5B%5D=%7Bapp%3D%22web%22%7D&start=1000&end=2000',
    });
    expect(post.statusCode).toBe(200);
    expect(engine.calls.at(-1)!.args[0]).toEqual(['{app="web"}']);
    const bad = await app.inject({ url: '/loki/api/v1/series?match[]=bad' });
    expect(bad.statusCode).toBe(400);
  });
  it('index stats', async () => {
    const res = await app.inject({ url: '/loki/api/v1/index/stats?query=%7Bapp%3D%22api%22%7D&start=1000&end=2000' });
    expect(res.json()).toEqual({ streams: 2, chunks: 3, bytes: 5, entries: 4 });
    expect(engine.calls.at(-1)).toEqual({ method: 'indexStats', args: ['{app="api"}', 1000n * S, 2000n * S] });
  });
  it('legacy label endpoints', async () => {
    expect((await app.inject({ url: '/api/prom/label' })).json()).toEqual({ values: ['app', 'env'] });
    expect((await app.inject({ url: '/api/prom/label/app/values' })).json()).toEqual({ values: ['api', 'web'] });
  });
});

describe('format_query', () => {
  it('formats and rejects like Loki', async () => {
    const ok = await app.inject({ url: '/loki/api/v1/format_query?query=%7Ba%3D%221%22%7D%20%20%7C%3D%20%22x%22' });
    expect(ok.json()).toEqual({ status: 'success', data: '{a="1"} |= "x"' });
    const bad = await app.inject({ method: 'POST', url: '/loki/api/v1/format_query?query=sum(' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().status).toBe('invalid-query');
    expect(bad.json().error).toContain('parse error');
  });
});

describe('push', () => {
  const payload = { streams: [{ stream: { app: 'api' }, values: [['1795168800000000000', 'hello']] }] };
  it('accepts JSON and gzip JSON with 204', async () => {
    const res = await app.inject({ method: 'POST', url: '/loki/api/v1/push', payload });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const gz = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(JSON.stringify(payload)),
    });
    expect(gz.statusCode).toBe(204);
    expect(engine.pushed).toHaveLength(2);
    expect(engine.pushed[1]).toEqual({
      labels: { app: 'api' },
      entries: [{ ts: 1795168800000000000n, line: 'hello' }],
    });
  });
  it('rejects invalid bodies with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: '{"streams": [',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('loghttp.PushRequest');
    const gz = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: 'not gzip',
    });
    expect(gz.statusCode).toBe(400);
  });
  it('answers 415 for protobuf until it is supported', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.from([1, 2, 3]),
    });
    expect(res.statusCode).toBe(415);
    expect(res.body).toContain('protobuf');
  });
});

describe('ready, buildinfo, metrics, 404', () => {
  it('ready', async () => {
    const res = await app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('ready\n');
  });
  it('buildinfo', async () => {
    const j = (await app.inject({ url: '/loki/api/v1/status/buildinfo' })).json();
    expect(j).toMatchObject({ version: expect.any(String), revision: '', branch: '', goVersion: '' });
  });
  it('404', async () => {
    const res = await app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
  });
  it('exposes request, query and ingest metrics', async () => {
    await app.inject({ url: '/loki/api/v1/query_range?query=x' });
    await app.inject({ url: '/loki/api/v1/query_range?query=bad' });
    await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      payload: {
        streams: [
          {
            stream: { a: '1' },
            values: [
              ['1', 'abc'],
              ['2', 'de'],
            ],
          },
        ],
      },
    });
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const t = res.body;
    expect(t).toContain('logqlsql_http_requests_total{route="/loki/api/v1/query_range",method="GET",status="200"} 1');
    expect(t).toContain('logqlsql_http_requests_total{route="/loki/api/v1/query_range",method="GET",status="400"} 1');
    expect(t).toMatch(/logqlsql_http_request_duration_seconds_bucket\{le="0.005",route="\/loki\/api\/v1\/query_range"/);
    expect(t).toContain('logqlsql_queries_total{type="range",status="success"} 1');
    expect(t).toContain('logqlsql_queries_total{type="range",status="user_error"} 1');
    expect(t).toContain('logqlsql_query_rows_scanned_total{type="range"} 11');
    expect(t).toContain('logqlsql_ingested_entries_total 2');
    expect(t).toContain('logqlsql_ingested_bytes_total 5');
    expect(t).toContain('logqlsql_query_sql_seconds_count{type="range"} 1');
    expect(t).toContain('logqlsql_process_cpu_seconds_total');
  });
});
