// `| pattern` in SQL must capture what Loki's matcher captures (the TypeScript path is the reference): random
// patterns over random lines made of the patterns' own literals, counted by the captured labels, on every engine.
// Early captures are read by the substring walk on DuckDB (sql/pipeline/pattern.ts walkCapture), later ones and other
// engines by the regex; both must agree with the TypeScript matcher, including empty captures, literals not found,
// leading literals, empty lines and non-ASCII text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import type { MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { enginesToTest } from '../engines';
import { Rng } from '../hardening/fuzz/random';

const engines = await enginesToTest();
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const START = 1_795_168_800_000_000_000n;
const SEC = 1_000_000_000n;

const rng = new Rng(SEED);
const rnd = () => rng.next();
const pick = <T>(xs: T[]): T => rng.pick(xs);

const LITERALS = [' ', '"', ' "', '" ', '-', ':', 'a', 'ab', 'é', ' - '];
const TEXT = ['a', 'b', ' ', '"', '-', ':', 'x', 'é', '😀', 'ab', ' "', '" '];

function pattern(): { src: string; names: string[] } {
  const names: string[] = [];
  let src = rnd() < 0.3 ? pick(LITERALS) : '';
  const caps = 1 + Math.floor(rnd() * 5);
  for (let i = 0; i < caps; i++) {
    const named = i === 0 || rnd() < 0.6;
    if (named) names.push(`c${i}`);
    src += named ? `<c${i}>` : '<_>';
    if (i < caps - 1 || rnd() < 0.4) src += pick(LITERALS);
  }
  return { src, names };
}

const LINES = Array.from({ length: 240 }, (_, i) =>
  i % 40 === 0 ? '' : Array.from({ length: Math.floor(rnd() * 14) }, () => pick(TEXT)).join(''),
);
const PATTERNS = Array.from({ length: 60 }, pattern);

describe.each(engines)('pattern captures in SQL on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push([
      { labels: { app: 'pw' }, entries: LINES.map((line, i) => ({ ts: START + BigInt(i) * SEC, line })) },
    ]);
  });
  afterAll(async () => engine?.close());

  const grid = stepGrid(START + 300n * SEC, START + 300n * SEC, 0n, true);
  const run = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    return { value: await runMetricQuery(ctx, parse(query) as MetricExpr, grid), stats: ctx.stats };
  };

  it.skipIf(!!skip)(
    `${PATTERNS.length} random patterns (FUZZ_SEED=${SEED}) count as the TypeScript matcher`,
    async () => {
      let pushed = 0;
      for (const p of PATTERNS) {
        const query = `sum by (${p.names.join(', ')}) (count_over_time({app="pw"} | pattern \`${p.src}\` [5m]))`;
        const sql = await run(query, true);
        const ts = await run(query, false);
        if (!sql.stats.tsStages.some((s) => s.includes('TypeScript'))) pushed++;
        expect([query, expectSameSeries(sql.value, ts.value, 9)]).toEqual([query, expect.any(Number)]);
      }
      // the engines with parsers in SQL ran them there
      if (engine.dialect.parsers) expect(pushed).toBe(PATTERNS.length);
    },
  );
});
