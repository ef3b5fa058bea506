// Numeric, duration and bytes label filters exactly on their threshold: `>` against `>=`, `<` against `<=`, `==`
// against `!=` — each pair differs only on the lines whose value equals the threshold (also when written another
// way: 5.0, 1000ms, 1024B). On every engine, through the SQL path (pushdown: parsers and filters in the database where
// it can) and the TypeScript path, for metric and log queries, after logfmt and json. Flipping one comparison in any
// of those paths fails a case here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { runLogQuery } from '../../server/engine/logQuery';
import { parse } from '../../server/logql/check';
import type { LogExpr, MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { seriesByLabels } from './sameSeries';
import { enginesToTest } from '../engines';

const engines = await enginesToTest();
const SEC = 1_000_000_000n;
const START = 1_795_168_800_000_000_000n;
const END = START + 600n * SEC;

// per line: a number, a duration and a size just below, on (twice, written two ways) and just above the threshold
const VALUES: { n: string; d: string; b: string }[] = [
  { n: '4.999', d: '999ms', b: '1023B' },
  { n: '5', d: '1s', b: '1KiB' },
  { n: '5.001', d: '1001ms', b: '1025B' },
  { n: '5.0', d: '1000ms', b: '1024B' },
];

const FILTERS: { label: string; threshold: string }[] = [
  { label: 'n', threshold: '5' },
  { label: 'd', threshold: '1s' },
  { label: 'b', threshold: '1KiB' },
];

/** op → how many of VALUES' lines pass (one below, two equal, one above) */
const PASSING: Record<string, number> = { '>': 1, '>=': 3, '<': 1, '<=': 3, '==': 2, '!=': 2 };

const PARSERS = [
  { app: 'lf', parser: 'logfmt', line: (v: (typeof VALUES)[number]) => `n=${v.n} d=${v.d} b=${v.b} msg="x"` },
  {
    app: 'js',
    parser: 'json',
    // numbers as JSON numbers where they can be; durations and sizes are strings in JSON
    line: (v: (typeof VALUES)[number]) => `{"n":${v.n},"d":"${v.d}","b":"${v.b}"}`,
  },
];

const REPEAT = 3; // each line a few times, 10 s apart: a miscount shows as a multiple of 3

describe.each(engines)('label filters on their threshold on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push(
      PARSERS.map((p) => ({
        labels: { app: p.app },
        entries: Array.from({ length: VALUES.length * REPEAT }, (_, i) => ({
          ts: START + BigInt(i + 1) * 10n * SEC,
          line: p.line(VALUES[i % VALUES.length]!),
        })),
      })),
    );
  });
  afterAll(async () => engine?.close());

  const count = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const value = await runMetricQuery(ctx, parse(query) as MetricExpr, stepGrid(END, END, SEC, false));
    const series = [...seriesByLabels(value).values()];
    return { n: series.length === 0 ? 0 : series[0]![0], sql: ctx.stats.sql };
  };
  const lines = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const res = await runLogQuery(ctx, {
      expr: parse(query) as LogExpr,
      from: START,
      to: END,
      limit: 1000,
      direction: 'forward',
    });
    return res.streams.reduce((k, s) => k + s.entries.length, 0);
  };

  for (const p of PARSERS)
    for (const f of FILTERS)
      for (const [op, passing] of Object.entries(PASSING)) {
        const pipeline = `{app="${p.app}"} | ${p.parser} | ${f.label} ${op} ${f.threshold}`;
        it.skipIf(!!skip)(pipeline, async () => {
          const want = passing * REPEAT;
          const metric = `sum(count_over_time(${pipeline} [10m]))`;
          for (const pushdown of [true, false]) {
            const got = await count(metric, pushdown);
            expect(got.n, `${metric} (pushdown ${pushdown})`).toBe(want);
            expect(await lines(pipeline, pushdown), `${pipeline} (pushdown ${pushdown})`).toBe(want);
          }
        });
      }

  it.skipIf(!!skip)(
    'numeric and duration filters after logfmt are counted in the database where it has parsers',
    async () => {
      if (!engine.dialect.parsers) return expect(te.name).toBe('postgres');
      for (const f of FILTERS.filter((x) => x.label !== 'b')) {
        const got = await count(`sum(count_over_time({app="lf"} | logfmt | ${f.label} >= ${f.threshold} [10m]))`, true);
        expect(
          got.sql.filter((s) => s.includes('ORDER BY')),
          f.label,
        ).toEqual([]);
      }
    },
  );
});
