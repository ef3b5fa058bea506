// `| json | unwrap field` computed in SQL reads the field's value as Loki does: strconv.ParseFloat of the label the
// json parser extracts (a number's text as written, a string unescaped). Plain numerals — JSON numbers in any
// notation, strings holding decimals — must be decided in SQL; everything ParseFloat reads otherwise or refuses
// (whitespace, digit separators, hex, overflow, booleans, objects, NaN) must leave the answer to TypeScript, never
// give a different one. Each value sits in a stream of its own, so a wrong reading shows as a wrong series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import type { MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { enginesToTest } from '../engines';

const engines = await enginesToTest();
const MIN = 60_000_000_000n;
const START = 1_795_168_800_000_000_000n;

/** JSON texts of `v` decided in SQL */
const PLAIN = [
  '150',
  '-3',
  '1.50E+2',
  '2e-3',
  '0.1',
  '12345678901234567890',
  '"12.5"',
  '"-3"',
  '".5"',
  '"5."',
  '"+7"',
  '"1e-99"',
];
/** JSON texts of `v` (or whole lines) SQL must not decide */
const ODD = [
  '" 5"',
  '"5 "',
  '"1_000"',
  '"0x10"',
  '"inf"',
  '"NaN"',
  '1e400',
  '-1e400',
  '"1e400"',
  '"1e-400"',
  '"1e100"',
  '"9999999999999999999999999999999"',
  'true',
  'null',
  '{"a":1}',
  '[1]',
  'NaN',
  '"12ms"',
];

describe.each(engines)('unwrap numerals in SQL on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    const stream = (app: string, v: string, i: number) => ({
      labels: { app, case: String(i) },
      entries: [0n, 1n, 2n].map((m) => ({ ts: START + m * MIN + 1n, line: `{"v":${v},"n":${i}}` })),
    });
    await engine.push([...PLAIN.map((v, i) => stream('plain', v, i)), ...ODD.map((v, i) => stream('odd', v, i))]);
  });
  afterAll(async () => engine?.close());

  const grid = stepGrid(START + MIN, START + 3n * MIN, MIN, false);
  const run = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    try {
      return { value: await runMetricQuery(ctx, parse(query) as MetricExpr, grid), stats: ctx.stats };
    } catch (e) {
      return { error: String(e), stats: ctx.stats };
    }
  };

  for (const op of ['avg_over_time', 'max_over_time', 'quantile_over_time(0.5,']) {
    const call = (app: string) =>
      op.endsWith(',')
        ? `${op} {app="${app}"} | json | unwrap v [1m]) by (case)`
        : `${op}({app="${app}"} | json | unwrap v [1m]) by (case)`;

    it.skipIf(!!skip)(`${call('plain')}: decided in SQL, as TypeScript decides`, async () => {
      const sql = await run(call('plain'), true);
      const ts = await run(call('plain'), false);
      expect(sql.stats.tsStages.filter((s) => s.includes('TypeScript'))).toEqual([]);
      expect('value' in sql && 'value' in ts).toBe(true);
      expect(expectSameSeries(sql.value!, ts.value!, 9)).toBe(PLAIN.length);
    });

    for (let i = 0; i < ODD.length; i++) {
      it.skipIf(!!skip)(`${call('odd')} with v = ${ODD[i]}: as TypeScript answers`, async () => {
        const q = call('odd').replace('{app="odd"}', `{app="odd", case="${i}"}`);
        const sql = await run(q, true);
        const ts = await run(q, false);
        if ('error' in ts) expect(sql).toMatchObject({ error: ts.error });
        else expect(expectSameSeries(sql.value!, ts.value!, 9)).toBeGreaterThanOrEqual(0);
      });
    }
  }
});
