// `| logfmt` in SQL (server/sql/pipeline/logfmt.ts) on lines the fast path cannot take: quotes before the key,
// quoted values spanning whitespace, unterminated quotes, keys and values with stray `=` and `"`, tokens glued to a
// closing quote. The SQL tokens grammar must give exactly what Loki's decoder (the TypeScript pipeline) gives, on
// seeded random lines built from the characters that steer the decoder; and malformed lines without escapes must be
// answered in the database, not sent to TypeScript.
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
const MIN = 60_000_000_000n;
const START = 1_795_168_800_000_000_000n;
const END = START + 30n * MIN;

/** a seeded generator, so a failure replays */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const PIECES = ['status', 'status=', 'a_b=', 'a-b=', 'x', '5', '50', '=', '"', '" ', ' ', '  ', '\t', 'k=', 'v', '.'];
const RARE = ['\\', '\\"', '\ufffd', '\u00a0', '\u0000', 'é'];

function randomLine(r: () => number): string {
  const n = 1 + Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) {
    const pool = r() < 0.06 ? RARE : PIECES;
    s += pool[Math.floor(r() * pool.length)];
  }
  return s;
}

/** malformed but escape-free lines the tokens grammar covers: none of them may reach TypeScript */
const MALFORMED = [
  'broken="unterminated path=/x status=200 user_agent="kube-probe/1.30" msg="served"',
  'msg="a b" status=503',
  'a="x"status=505 status=1',
  'x"y status=404',
  '=junk status=301',
  'a=b"c status=302 status=303',
  'a=b=c status=304',
  'status="" status= status=305',
  'k="v" "quoted" status=306',
  'status="30 7"',
  'msg="unterminated status=500',
  'level=info',
];

const QUERIES = [
  'sum by (status) (count_over_time({app="fz"} | logfmt [5m]))',
  'sum by (a_b) (count_over_time({app="fz"} | logfmt [5m]))',
  'sum by (k) (count_over_time({app="fz"} | logfmt | status != "5" [5m]))',
  'sum by (status) (count_over_time({app="fz"} | logfmt | __error__="" | status >= 5 [5m]))',
];

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);

describe.each(engines)('logfmt tokens in SQL equal the decoder on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    const r = rng(SEED);
    // PostgreSQL text cannot hold NUL (the push is refused): that engine gets the lines without it
    const lines = Array.from({ length: 600 }, () => randomLine(r)).map((l) =>
      te.name === 'postgres' ? l.replaceAll('\u0000', '') : l,
    );
    await engine.push([
      {
        labels: { app: 'fz', host: 'a' },
        entries: lines.map((line, i) => ({ ts: START + BigInt(i) * 2_000_000_000n, line })),
      },
      {
        labels: { app: 'mf', host: 'a' },
        entries: Array.from({ length: 120 }, (_, i) => ({
          ts: START + BigInt(i) * 10_000_000_000n,
          line: MALFORMED[i % MALFORMED.length],
        })),
      },
    ]);
  });
  afterAll(async () => engine?.close());

  const run = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const grid = stepGrid(START, END, MIN, false);
    const value = await runMetricQuery(ctx, parse(query) as MetricExpr, grid);
    return { value, stats: ctx.stats };
  };

  for (const query of QUERIES) {
    it.skipIf(!!skip)(`${query} (seed ${SEED})`, async () => {
      const [sql, ts] = await Promise.all([run(query, true), run(query, false)].map((p) => p.catch((e: Error) => e)));
      if (sql instanceof Error || ts instanceof Error) {
        expect(String(sql)).toEqual(String(ts));
        return;
      }
      expect(expectSameSeries(sql.value, ts.value, 9)).toBeGreaterThan(0);
    });
  }

  it.skipIf(!!skip)('malformed lines without escapes are answered in the database', async () => {
    const query = 'sum by (status) (count_over_time({app="mf"} | logfmt [5m]))';
    const [sql, ts] = await Promise.all([run(query, true), run(query, false)]);
    expect(expectSameSeries(sql.value, ts.value, 9)).toBeGreaterThan(0);
    if (engine.dialect.parsers) expect(sql.stats.tsStages.join('; ')).not.toMatch(/could not parse exactly/);
  });
});
