// Seeded differential test, wide: generated log and metric queries of every shape the engine plans differently (log
// queries with limits in both directions, line filters, parsers, label filters, formatters; counting queries over
// bare selectors on the minute-counts path and off it, ranges that are whole multiples of the step and not, offsets,
// instant queries, unwrapped range functions, vector aggregations and binary operations), each answered with every
// pushdown on and by the all-TypeScript reference path (line filters included: nothing but the selector and the time
// range in SQL), on every engine. The data is the demo set plus an "edge" service whose entries sit on minute edges,
// a nanosecond either side of them, repeat, carry structured metadata and ANSI colours.
// DIFF_WIDE_SEED / DIFF_WIDE_QUERIES run other or more queries; the default run is bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { runLogQuery } from '../../server/engine/logQuery';
import { parse } from '../../server/logql/check';
import type { LogExpr, MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { labelsKey, type EvalValue } from '../../server/eval/value';
import { expectSameSeries } from './sameSeries';
import { mergeMetadata } from '../../server/http/marshal';
import { generateDemo } from '../../server/demo';
import { enginesToTest } from '../engines';
import type { Stream } from '../../server/engine/types';
import { DATA_FROM, edgeStreams, END, generateCases, MIN, S, START, type Case } from './wideCases';

const engines = await enginesToTest();

const CASES = generateCases(Number(process.env.DIFF_WIDE_QUERIES ?? 120), Number(process.env.DIFF_WIDE_SEED ?? 7));

/** the fixed cases: minimized mismatches found by this generator (each is a regression test) */
const FIXED: Case[] = [
  // a label filter that keeps or drops every line (`=~""`, `=~".*"`) on a label SQL reads per stream bound the
  // stream-label lookup's parameters without reading them: DuckDB and PostgreSQL refused the statement
  {
    kind: 'log',
    query: '{app="nginx"} | host!="GET" or pod=~""',
    from: START - 5n * MIN,
    to: START,
    limit: 20,
    direction: 'backward',
  },
  {
    kind: 'metric',
    query: 'sum by (method) (count_over_time({app="nginx"} | regexp "\\"(?P<method>[A-Z]+) " | pod=~".*" [5m]))',
    start: START,
    end: START + 30n * MIN,
    step: 5n * MIN,
    instant: false,
  },
  // ClickHouse's match() never matched a pattern with a named group whose name holds `_`: `| regexp` kept no line
  // (its match test), nor did a regex line filter
  {
    kind: 'log',
    query: '{app="worker"} | regexp "job (?P<job>\\\\S+) #(?P<job_id>\\\\d+) done in (?P<took>\\\\w+)" | took < 1.5s',
    from: START,
    to: START + 30n * MIN,
    limit: 100,
    direction: 'forward',
  },
  {
    kind: 'metric',
    query: 'sum by (pod) (count_over_time({app="worker"} |~ "#(?P<job_id>\\\\d+) done" [5m]))',
    start: START,
    end: START + 30n * MIN,
    step: MIN,
    instant: false,
  },
  // ClickHouse's pre-filter for label regexes after `| json` matched unanchored: `!~"a|b"` dropped every line whose
  // field holds an `a` or a `b`
  {
    kind: 'log',
    query: '{namespace="jobs"} | json | job!~"a|b"',
    from: START,
    to: START + 30n * MIN,
    limit: 1000,
    direction: 'forward',
  },
];

function describeCase(c: Case): string {
  const t = (x: bigint) => `${(x - START) / S}s${x % S ? `+${x % S}ns` : ''}`;
  return c.kind === 'log'
    ? `log ${c.query} [${t(c.from)}, ${t(c.to)}) limit ${c.limit} ${c.direction}`
    : `${c.query} @ ${c.instant ? `instant ${t(c.end)}` : `${t(c.start)}..${t(c.end)} step ${c.step / S}s`}`;
}

/** Entries per label set as a Loki client sees them: the TypeScript pipeline gives entries their structured metadata
 *  as labels, a scan without one leaves that to the answer's encoding (http/marshal.ts), so both go through it. */
function streamsKeyed(streams: Stream[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of mergeMetadata(streams)) {
    const k = labelsKey(s.labels);
    out[k] = [
      ...(out[k] ?? []),
      ...s.entries.map((e) => `${e.ts} ${e.line}${e.metadata ? ` ${labelsKey(e.metadata)}` : ''}`),
    ];
  }
  return out;
}

/** An answer's error, without the series a pipeline error names: Loki names the first it meets, in Go map order. */
function errorText(v: unknown): string {
  return String(v).replace(/(pipeline error: '[^']*' for series: )'\{.*?\}'/, '$1…');
}

/** Per step, the values present, sorted: topk and bottomk pick among tied series in the order Loki's range
 *  aggregation hands them over, a Go map's (random), so only the values they keep are an answer. */
function valuesPerStep(v: EvalValue): string[] {
  if (v.kind !== 'vector') throw new Error('vector expected');
  const steps = v.series[0]?.values.length ?? 0;
  return Array.from({ length: steps }, (_, i) =>
    v.series
      .filter((s) => s.present[i])
      .map((s) => s.values[i].toPrecision(9))
      .sort()
      .join(' '),
  );
}

describe.each(engines)(
  'generated queries (wide): SQL pushdown equals TypeScript on $engine.name',
  ({ engine: te, skip }) => {
    let engine: Engine;
    beforeAll(async () => {
      if (skip) return;
      engine = await te.open();
      await engine.push(generateDemo({ start: DATA_FROM, end: END, linesPerMinute: 60, seed: 11 }));
      await engine.push(edgeStreams(5));
    });
    afterAll(async () => engine?.close());

    let minuteCounts = 0;
    let aggregated = 0;
    const run = async (c: Case, pushdown: boolean): Promise<EvalValue | Record<string, unknown>> => {
      const ctx = { ...execContext(engine, c.query, pushdown), lineFiltersInSql: pushdown };
      const expr = parse(c.query);
      if (c.kind === 'log') {
        const res = await runLogQuery(ctx, {
          expr: expr as LogExpr,
          from: c.from,
          to: c.to,
          limit: c.limit,
          direction: c.direction,
        });
        return { limitReached: res.limitReached, streams: streamsKeyed(res.streams) };
      }
      const v = await runMetricQuery(ctx, expr as MetricExpr, stepGrid(c.start, c.end, c.step, c.instant));
      if (pushdown && ctx.stats.sql.some((s) => s.includes('minute_counts'))) minuteCounts++;
      if (pushdown && ctx.stats.sql.some((s) => /GROUP BY/.test(s))) aggregated++;
      return v;
    };

    for (const c of [...FIXED, ...CASES]) {
      it.skipIf(!!skip)(describeCase(c), async () => {
        parse(c.query); // (a fixed case that does not parse would compare two equal errors)
        const [a, b] = await Promise.all([run(c, true), run(c, false)].map((p) => p.catch((e: Error) => e)));
        if (a instanceof Error || b instanceof Error) {
          expect(errorText(a)).toEqual(errorText(b));
          return;
        }
        if (c.kind === 'log') expect(a).toEqual(b);
        else if (/\b(topk|bottomk)\b/.test(c.query))
          expect(valuesPerStep(a as EvalValue)).toEqual(valuesPerStep(b as EvalValue));
        else expectSameSeries(a as EvalValue, b as EvalValue, 6);
      });
    }

    // the comparison is not vacuous: aggregations ran in the database, some of them from the minute counts
    it.skipIf(!!skip)('generated queries took the pushdown paths', () => {
      if (CASES.length < 100) return;
      if (engine.dialect.minuteCounts) expect(minuteCounts).toBeGreaterThan(0);
      expect(aggregated).toBeGreaterThan(0);
    });
  },
);
