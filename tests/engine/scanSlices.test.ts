// A TypeScript scan of a range aggregation reads its range in time slices sized from the rows seen (engine/
// metricQuery.ts), not by keyset paging over the whole range. With a tiny page, on bursty data, every engine must
// give the answer of a single-statement scan, with a number of statements that follows the rows read (not their
// square), and the window edges (`(t − range, t]`) must fall exactly as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { runLogQuery } from '../../server/engine/logQuery';
import type { LogExpr } from '../../server/logql/ast';
import { parse } from '../../server/logql/check';
import type { MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { enginesToTest } from '../engines';

const engines = await enginesToTest();
const SEC = 1_000_000_000n;
const START = 1_795_168_800_000_000_000n;
const END = START + 3600n * SEC;

/** 1,800 lines: a burst of 1,200 in 40 s, a trickle elsewhere, several lines on one timestamp, a quiet half hour */
function lines(): { ts: bigint; line: string }[] {
  const out: { ts: bigint; line: string }[] = [];
  for (let i = 0; i < 1200; i++)
    out.push({ ts: START + 600n * SEC + BigInt(i) * 33_000_000n, line: `level=info n=${i}` });
  for (let i = 0; i < 500; i++) out.push({ ts: START + BigInt(i) * 3n * SEC, line: `level=warn n=${i}` });
  for (let i = 0; i < 100; i++) out.push({ ts: START + 3000n * SEC, line: `level=error n=${i}` });
  return out;
}

/** 6,000 lines, every 37th kept by the log query's filter, three on each timestamp */
const SPARSE = Array.from({ length: 6000 }, (_, i) => ({
  ts: START + BigInt(Math.floor(i / 3)) * 1_500_000_000n,
  line: `n=${i} mark=${i % 37 === 0 ? 'yes' : 'no'}`,
}));

const QUERIES = [
  'sum by (level) (count_over_time({app="sl"} | logfmt [5m]))',
  'sum by (level) (sum_over_time({app="sl"} | logfmt | unwrap n [2m]))',
  'max_over_time({app="sl"} | logfmt | unwrap n [10m]) by (level)',
];

describe.each(engines)('TypeScript scans in time slices on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push([
      { labels: { app: 'sl', host: 'a' }, entries: lines() },
      { labels: { app: 'lq', host: 'a' }, entries: SPARSE },
      { labels: { app: 'lq', host: 'b' }, entries: SPARSE.map((e) => ({ ...e, line: `${e.line} b=1` })) },
    ]);
  });
  afterAll(async () => engine?.close());

  const run = async (query: string, scanPage?: number) => {
    const ctx = { ...execContext(engine, query, false), scanPage };
    const value = await runMetricQuery(ctx, parse(query) as MetricExpr, stepGrid(START, END, 60n * SEC, false));
    return { value, statements: ctx.stats.sql.length };
  };

  for (const query of QUERIES) {
    it.skipIf(!!skip)(query, async () => {
      const whole = await run(query);
      const sliced = await run(query, 64);
      expect(expectSameSeries(sliced.value, whole.value, 12)).toBeGreaterThan(0);
      // 1,800 rows at ~48 a statement, plus slices over the quiet parts: tens of statements, not hundreds
      expect(sliced.statements).toBeGreaterThan(1800 / 64);
      expect(sliced.statements).toBeLessThan(1800 / 64 + 60);
    });
  }

  for (const direction of ['backward', 'forward'] as const) {
    it.skipIf(!!skip)(`a log query with TypeScript stages pages in slices (${direction})`, async () => {
      const query = '{app="lq"} | logfmt | mark="yes"';
      const ctx = execContext(engine, query, false);
      const res = await runLogQuery(ctx, {
        expr: parse(query) as LogExpr,
        from: START,
        to: END,
        limit: 150,
        direction,
      });
      const got = res.streams.flatMap((st) => st.entries.map((e) => `${st.labels.host} ${e.ts} ${e.line}`));
      const all = [
        ...SPARSE.filter((e) => e.line.endsWith('mark=yes')).map((e) => `a ${e.ts} ${e.line}`),
        ...SPARSE.filter((e) => e.line.endsWith('mark=yes')).map((e) => `b ${e.ts} ${e.line} b=1`),
      ];
      const ts = (x: string) => BigInt(x.split(' ')[1]);
      const ordered = all.sort((x, y) => (ts(x) < ts(y) ? -1 : ts(x) > ts(y) ? 1 : 0));
      const want = direction === 'backward' ? ordered.reverse().slice(0, 150) : ordered.slice(0, 150);
      expect(new Set(got)).toEqual(new Set(want));
      expect(res.limitReached).toBe(true);
    });
  }
});
