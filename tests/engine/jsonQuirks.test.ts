// JSON lines DuckDB's reader accepts and Loki's refuses (NaN / Infinity / inf literals, trailing commas: Loki stops
// there with JSONParserErr and has no labels after them). Every pushdown that reads JSON in SQL — json pre-filters,
// parsers in SQL, unwrapped aggregations — must answer as the TypeScript path does on them, on every engine; on
// DuckDB the ingester marks the streams holding such lines (sql/jsonQuirks.ts), and a database stored before the
// mark existed is checked once when opened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runLogQuery } from '../../server/engine/logQuery';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import type { LogExpr, MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { enginesToTest } from '../engines';
import { at, T0 } from './fixture';
import { lenientJsonLine } from '../../server/sql/jsonQuirks';

const engines = await enginesToTest();

const QUIRKY = [
  '{"a":NaN,"status":"200","level":"info","latency":5}',
  '{"status":"200","x":Infinity,"level":"info","latency":7}',
  '{"status":"500","level":"info","latency":9,}',
  '{"v": -inf, "status":"500","level":"error","latency":11}',
  '{"v":[1,2,],"status":"503","level":"info","latency":1}',
  '{"v":nAn,"status":"503","level":"warn","latency":13}',
];
const PLAIN = [
  '{"status":"200","level":"info","latency":3}',
  '{"status":"500","level":"error","latency":4}',
  '{"msg":"info: tenant finance","status":"200","level":"info","latency":2}',
];

const LOG_QUERIES = [
  '{app="q"} | json | level != "info"',
  '{app="q"} | json | level =~ "err.*|"',
  '{app="q"} | json | level = ""',
  '{app="q"} | json | status != "200"',
  '{app="q"} | json | status >= 500',
  '{app="q"} | json | __error__ = "" | level = "info"',
  '{app="q"} | json | latency > 6',
];
const METRIC_QUERIES = [
  'sum by (app) (count_over_time({app="q"} | json | __error__="" | level != "info" [1m]))',
  'sum by (app) (count_over_time({app="q"} | json | level != "info" [1m]))',
  'sum by (app) (count_over_time({app="q"} | json | status = "" [1m]))',
  'max_over_time({app="q"} | json | __error__="" | unwrap latency [1m]) by (app)',
  'sum_over_time({app="q"} | json | unwrap latency | __error__="" [1m])',
  'max_over_time({app="q"} | json | unwrap latency [1m]) by (app)',
];

describe('the ingest-time test', () => {
  it('finds the literals and commas only DuckDB reads, in object lines, and nothing in plain ones', () => {
    expect(QUIRKY.every(lenientJsonLine)).toBe(true);
    expect(PLAIN.some(lenientJsonLine)).toBe(false);
    expect(lenientJsonLine('level=info x=NaN, y=[1,]')).toBe(false); // not JSON: no pushdown reads it as JSON
  });
});

describe.each(engines)('JSON only DuckDB reads, on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    const lines = [...QUIRKY, ...PLAIN];
    await engine.push([
      { labels: { app: 'q', host: 'a' }, entries: lines.map((line, i) => ({ ts: at(i + 1), line })) },
      { labels: { app: 'q', host: 'b' }, entries: PLAIN.map((line, i) => ({ ts: at(i + 1), line })) },
    ]);
  });
  afterAll(async () => engine?.close());

  const answer = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    try {
      const expr = parse(query);
      if ('pipeline' in expr && !('op' in expr)) {
        const res = await runLogQuery(ctx, {
          expr: expr as LogExpr,
          from: T0,
          to: at(60),
          limit: 100,
          direction: 'forward',
        });
        return res.streams.flatMap((s) => s.entries.map((e) => `${JSON.stringify(s.labels)} ${e.line}`)).sort();
      }
      return await runMetricQuery(ctx, expr as MetricExpr, stepGrid(at(60), at(60), 0n, true));
    } catch (e) {
      return { error: String(e) };
    }
  };

  for (const query of [...LOG_QUERIES, ...METRIC_QUERIES]) {
    it.skipIf(!!skip)(query, async () => {
      const sql = await answer(query, true);
      const ts = await answer(query, false);
      if (Array.isArray(ts) || 'error' in ts) expect(sql).toEqual(ts);
      else expectSameSeries(sql as never, ts, 9);
    });
  }

  // only DuckDB's reader is lenient (PostgreSQL's and ClickHouse's refuse those lines as Loki does): no marks elsewhere
  if (te.name === 'duckdb')
    it.skipIf(!!skip)('marks the stream holding such lines, and only that one', async () => {
      const marks = Object.fromEntries((await engine.catalog.all()).map((s) => [s.labels.host, s.jsonQuirks]));
      expect(marks).toEqual({ a: true, b: false });
    });
});

describe('a DuckDB database stored before the mark', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logqlsql-quirks-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is checked once when opened', async () => {
    const url = `duckdb:${join(dir, 'old.duckdb')}`;
    let e = await Engine.open(url);
    await e.push([
      { labels: { app: 'q', host: 'a' }, entries: [{ ts: at(1), line: QUIRKY[0]! }] },
      { labels: { app: 'q', host: 'b' }, entries: [{ ts: at(1), line: PLAIN[0]! }] },
    ]);
    await e.driver.exec('UPDATE streams SET json_quirks = NULL');
    await e.close();
    e = await Engine.open(url);
    const marks = Object.fromEntries((await e.catalog.all()).map((s) => [s.labels.host, s.jsonQuirks]));
    expect(marks).toEqual({ a: true, b: false });
    await e.close();
  });
});
