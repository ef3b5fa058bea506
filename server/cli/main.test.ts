import { describe, expect, it } from 'vitest';
import type { EngineApi, QueryRequest, QueryResult, Translation } from '../engine/types';
import { LogQLError } from '../logql/errors';
import { type CliIO, formatNs, formatTable, main, parseCliTime, parseListen, queryRequest } from './main';

const S = 1_000_000_000n;
const NOW = 1795176000n * S;

function fakeEngine(result?: QueryResult): EngineApi & { reqs: QueryRequest[]; closed: boolean } {
  const e = {
    reqs: [] as QueryRequest[],
    closed: false,
    async query(req: QueryRequest): Promise<QueryResult> {
      e.reqs.push(req);
      if (req.query === 'bad')
        throw new LogQLError('parse', 'syntax error: unexpected $end', { from: 0, to: 1 }, 'bad');
      return (
        result ?? {
          data: {
            resultType: 'streams',
            result: [
              { labels: { app: 'a' }, entries: [{ ts: 2n * S, line: 'two' }] },
              { labels: { app: 'b' }, entries: [{ ts: 1n * S + 5n, line: 'one' }] },
            ],
          },
          stats: { sql: [], tsStages: [], rowsScanned: 0, sqlMs: 0, totalMs: 0 },
        }
      );
    },
    labelNames: async () => [],
    labelValues: async () => [],
    series: async () => [],
    indexStats: async () => ({ streams: 0, chunks: 0, entries: 0, bytes: 0 }),
    push: async () => ({ entries: 0 }),
    async translate(query: string, dialect?: string): Promise<Translation> {
      if (query === 'bad') throw new LogQLError('parse', 'nope');
      return {
        sql: [{ text: `SELECT 1 -- ${query} ${dialect}`, params: [1n, 'x'] }],
        tsStages: ['line_format'],
        explain: 'dialect: duckdb\nSQL 1: SELECT 1',
      };
    },
    async close() {
      e.closed = true;
    },
  };
  return e;
}

function io(engine: EngineApi = fakeEngine()) {
  const out: string[] = [];
  const err: string[] = [];
  const dbs: string[] = [];
  const cli: CliIO = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    openEngine: async (db) => {
      dbs.push(db);
      if (db === 'bogus:') throw new Error('unknown database URL');
      return engine;
    },
  };
  return { cli, out, err, dbs, text: () => out.join(''), errText: () => err.join('') };
}

const run = (args: string[], x: ReturnType<typeof io>) => main(['node', 'logqlsql', ...args], x.cli);

describe('argument helpers', () => {
  it('parses --listen', () => {
    expect(parseListen('127.0.0.1:3100')).toEqual({ host: '127.0.0.1', port: 3100 });
    expect(parseListen(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListen('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:3100')).toEqual({ host: '::1', port: 3100 });
    expect(() => parseListen('host:abc')).toThrow(/HOST:PORT/);
  });
  it('parses CLI times', () => {
    expect(parseCliTime('now', NOW)).toBe(NOW);
    expect(parseCliTime('now-1h', NOW)).toBe(NOW - 3600n * S);
    expect(parseCliTime('15m', NOW)).toBe(NOW - 900n * S);
    expect(parseCliTime('1795168800', NOW)).toBe(1795168800n * S);
    expect(parseCliTime('2026-11-20T10:00:00Z', NOW)).toBe(1795168800n * S);
    expect(parseCliTime('1795168800.5', NOW)).toBe(1795168800500000000n);
  });
  it('formats ns as RFC3339Nano', () => {
    expect(formatNs(1795168800n * S)).toBe('2026-11-20T10:00:00Z');
    expect(formatNs(1795168800123456789n)).toBe('2026-11-20T10:00:00.123456789Z');
    expect(formatNs(1795168800100000000n)).toBe('2026-11-20T10:00:00.1Z');
  });
  it('builds query requests', () => {
    const r = queryRequest('{a="1"}', { limit: '10', direction: 'forward', from: 'now-2h' }, NOW);
    expect(r).toEqual({
      query: '{a="1"}',
      start: NOW - 7200n * S,
      end: NOW,
      step: 28n * S,
      instant: false,
      limit: 10,
      direction: 'forward',
    });
    const i = queryRequest('x', { limit: '100', direction: 'backward', time: '1795168800' }, NOW);
    expect(i).toMatchObject({ instant: true, start: 1795168800n * S, end: 1795168800n * S });
    expect(() => queryRequest('x', { limit: '0', direction: 'backward' }, NOW)).toThrow(/--limit/);
    expect(() => queryRequest('x', { limit: '1', direction: 'backward', from: 'now', to: 'now-1h' }, NOW)).toThrow(
      /before --from/,
    );
  });
  it('formats tables', () => {
    const t = formatTable(
      {
        data: { resultType: 'matrix', result: [{ metric: { app: 'a' }, values: [[1795168800000, 2]] }] },
        stats: { sql: [], tsStages: [], rowsScanned: 0, sqlMs: 0, totalMs: 0 },
      },
      'backward',
    );
    expect(t).toBe('{app="a"}\n  2026-11-20T10:00:00.000Z  2\n');
  });
});

describe('query command', () => {
  it('prints log lines as a table in direction order', async () => {
    const x = io();
    expect(await run(['query', '{app=~"a|b"}', '--db', 'duckdb::memory:', '--from', '0', '--to', '10'], x)).toBe(0);
    expect(x.dbs).toEqual(['duckdb::memory:']);
    expect(x.text()).toBe('1970-01-01T00:00:02Z {app="a"} two\n1970-01-01T00:00:01.000000005Z {app="b"} one\n');
  });
  it('prints Loki JSON with --output json', async () => {
    const engine = fakeEngine();
    const x = io(engine);
    expect(
      await run(
        ['query', '{app="a"}', '--output', 'json', '--limit', '5', '--direction', 'forward', '--step', '30s'],
        x,
      ),
    ).toBe(0);
    const j = JSON.parse(x.text());
    expect(j.status).toBe('success');
    expect(j.data.result[0].values[0]).toEqual(['2000000000', 'two']);
    expect(engine.reqs[0]).toMatchObject({ limit: 5, direction: 'forward', step: 30n * S, instant: false });
    expect(engine.closed).toBe(true);
  });
  it('fails clearly on query errors, bad options and bad databases', async () => {
    const x = io();
    expect(await run(['query', 'bad'], x)).toBe(2);
    expect(x.errText()).toBe('error: parse error at line 1, col 1: syntax error: unexpected $end\n');
    const y = io();
    expect(await run(['query', 'x', '--limit', 'abc'], y)).toBe(2);
    expect(y.errText()).toContain('invalid --limit');
    const z = io();
    expect(await run(['query', 'x', '--db', 'bogus:'], z)).toBe(1);
    expect(z.errText()).toBe('error: cannot open database bogus:: unknown database URL\n');
    const w = io();
    expect(await run(['query', 'x', '--output', 'xml'], w)).not.toBe(0);
    expect(w.errText()).toMatch(/--output/);
    const v = io();
    expect(await run(['query'], v)).not.toBe(0);
    expect(v.errText()).toMatch(/missing required argument/);
  });
});

describe('translate command', () => {
  it('prints SQL with params and TS stages', async () => {
    const x = io();
    expect(await run(['translate', '{a="1"}'], x)).toBe(0);
    expect(x.text()).toBe(
      'SELECT 1 -- {a="1"} duckdb;\n-- params: ["1","x"]\n-- in TypeScript after the database: line_format\n',
    );
  });
  it('prints the plan with --explain', async () => {
    const x = io();
    expect(await run(['translate', '{a="1"}', '--explain'], x)).toBe(0);
    expect(x.text()).toBe('dialect: duckdb\nSQL 1: SELECT 1\n');
  });
  it('fails on bad queries', async () => {
    const x = io();
    expect(await run(['translate', 'bad'], x)).toBe(2);
    expect(x.errText()).toBe('error: nope\n');
  });
});

describe('help and version', () => {
  it('prints help and version with exit 0, unknown commands fail', async () => {
    const x = io();
    expect(await run(['--help'], x)).toBe(0);
    expect(x.text()).toContain('serve');
    expect(x.text()).toContain('translate');
    const y = io();
    expect(await run(['--version'], y)).toBe(0);
    expect(y.text()).toMatch(/^\d+\.\d+\.\d+/);
    const z = io();
    expect(await run(['frobnicate'], z)).not.toBe(0);
    expect(z.errText()).toMatch(/unknown command/);
  });
});
