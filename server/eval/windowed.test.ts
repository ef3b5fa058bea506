// Windowed series (eval/value.ts): range aggregations hand back series over only the steps their samples reach, and
// vector aggregations read them as they are. Checked against plain per-step definitions on random data, samples
// arriving out of order (a series' window then grows backwards as well as forwards).
import { describe, expect, it } from 'vitest';
import type { RangeAggregation, RangeOp, VectorAggregation } from '../logql/ast';
import type { Labels } from '../engine/types';
import { memberProjection, StepAggregator } from './stepAggregator';
import { evalRangeAggregation, SampleCollector } from './range';
import { stepGrid, type StepGrid } from './steps';
import { densify, type SeriesData } from './value';
import { evalVectorAggregation } from './vector';
import { prng } from '../../tests/engine/prng';

const S = 1_000_000_000n;
type Sample = { labels: Labels; ts: bigint; v: number };

function rangeNode(op: RangeOp, range: bigint, offset: bigint, param?: number): RangeAggregation {
  return {
    kind: 'rangeAgg',
    op,
    range,
    offset,
    param,
    log: { matchers: [], pipeline: [] },
  } as unknown as RangeAggregation;
}

/** the value of `op` over the samples of one window, by definition */
function reference(op: RangeOp, xs: number[], rangeSeconds: number): number {
  const n = xs.length;
  const sum = xs.reduce((a, b) => a + b, 0);
  const mean = sum / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  switch (op) {
    case 'count_over_time':
      return n;
    case 'rate':
      return n / rangeSeconds;
    case 'sum_over_time':
      return sum;
    case 'avg_over_time':
      return mean;
    case 'min_over_time':
      return Math.min(...xs);
    case 'max_over_time':
      return Math.max(...xs);
    case 'first_over_time':
      return xs[0]!;
    case 'last_over_time':
      return xs[n - 1]!;
    case 'stddev_over_time':
      return Math.sqrt(variance);
    case 'stdvar_over_time':
      return variance;
    case 'quantile_over_time': {
      const s = [...xs].sort((a, b) => a - b);
      const rank = 0.9 * (n - 1);
      const lo = Math.floor(rank);
      const hi = Math.min(lo + 1, n - 1);
      return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
    }
    default:
      throw new Error(op);
  }
}

function randomCase(seed: number) {
  const r = prng(seed);
  const step = BigInt(1 + Math.floor(r() * 120)) * S;
  const steps = 1 + Math.floor(r() * 60);
  const start = 10_000n * S;
  const grid: StepGrid =
    r() < 0.1 ? stepGrid(start, start, 0n, true) : stepGrid(start, start + step * BigInt(steps - 1), step, false);
  const range = BigInt(1 + Math.floor(r() * 300)) * S;
  const offset = r() < 0.3 ? BigInt(Math.floor(r() * 100)) * S : 0n;
  const span = grid.end - grid.start + range + offset;
  const samples: Sample[] = [];
  const series = 1 + Math.floor(r() * 30);
  for (let i = 0; i < 400; i++) {
    // some series live only a little while, others the whole grid
    const sid = Math.floor(r() * series);
    const from = grid.start - range - offset - 10n * S;
    const t = from + BigInt(Math.floor(r() * Number((span + 20n * S) / (sid % 3 === 0 ? 1n : 8n))));
    samples.push({ labels: { sid: String(sid), g: String(sid % 3) }, ts: t, v: Math.round(r() * 1000) / 10 - 20 });
  }
  // out of order: a shuffled tail
  for (let i = samples.length - 1; i > samples.length - 60; i--) {
    const j = Math.floor(r() * (i + 1));
    [samples[i], samples[j]] = [samples[j]!, samples[i]!];
  }
  return { grid, range, offset, samples, r };
}

function expectClose(got: SeriesData[], want: Map<string, Map<number, number>>, steps: number): void {
  const dense = got.map((s) => densify(s, steps));
  expect(new Set(dense.map((s) => s.labels.sid))).toEqual(new Set(want.keys()));
  for (const s of dense) {
    const w = want.get(s.labels.sid!)!;
    for (let i = 0; i < steps; i++) {
      expect(s.present[i] === 1, `sid ${s.labels.sid} step ${i}`).toBe(w.has(i));
      if (w.has(i)) expect(s.values[i]).toBeCloseTo(w.get(i)!, 6);
    }
  }
}

describe('windowed range aggregation', () => {
  const ops: RangeOp[] = [
    'count_over_time',
    'sum_over_time',
    'avg_over_time',
    'min_over_time',
    'max_over_time',
    'first_over_time',
    'last_over_time',
    'stddev_over_time',
    'stdvar_over_time',
  ];
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}: streaming and buffered aggregations equal the per-window definition`, () => {
      const { grid, range, offset, samples } = randomCase(seed);
      const steps = grid.times.length;
      for (const op of [...ops, 'quantile_over_time' as RangeOp]) {
        const node = rangeNode(op, range, offset, op === 'quantile_over_time' ? 0.9 : undefined);
        // by definition: every window's samples in time order
        const want = new Map<string, Map<number, number>>();
        const sorted = [...samples].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
        for (let i = 0; i < steps; i++) {
          const end = grid.times[i]! - offset;
          const bySid = new Map<string, number[]>();
          for (const x of sorted)
            if (x.ts > end - range && x.ts <= end) bySid.set(x.labels.sid!, [...(bySid.get(x.labels.sid!) ?? []), x.v]);
          for (const [sid, xs] of bySid) {
            if (!want.has(sid)) want.set(sid, new Map());
            want.get(sid)!.set(i, reference(op, xs, Number(range) / 1e9));
          }
        }
        const collector = new SampleCollector();
        for (const x of samples) collector.add(x.labels, x.ts, x.v);
        expectClose(evalRangeAggregation(node, collector.result(), grid), want, steps);
        if (op !== 'quantile_over_time') {
          // first/last need time order: the streaming path is fed sorted samples for those
          const agg = new StepAggregator(node, grid);
          // as its callers read them: the samples of [first window's start, last window's end] (sampleBounds)
          const feed = (op === 'first_over_time' || op === 'last_over_time' ? sorted : samples).filter(
            (x) => x.ts > grid.times[0]! - offset - range && x.ts <= grid.end - offset,
          );
          for (const x of feed) agg.add(x.labels, x.ts, x.v);
          expectClose(agg.result(), want, steps);
        }
      }
    });
  }
});

describe('vector aggregation of windowed series', () => {
  const ops = ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk'] as const;
  for (let seed = 1; seed <= 30; seed++) {
    it(`seed ${seed}: the same answer as over the series spread on the whole grid`, () => {
      const { grid, range, offset, samples, r } = randomCase(seed);
      const steps = grid.times.length;
      const agg = new StepAggregator(rangeNode('sum_over_time', range, offset), grid);
      for (const x of samples)
        if (x.ts > grid.times[0]! - offset - range && x.ts <= grid.end - offset)
          agg.add(x.labels, x.ts, r() < 0.05 ? NaN : x.v);
      const windowed = agg.result();
      const dense = windowed.map((s) => densify(s, steps));
      for (const op of ops) {
        const node = {
          kind: 'vectorAgg',
          op,
          param: op === 'topk' || op === 'bottomk' ? 2 : undefined,
          grouping: seed % 2 ? { without: false, labels: ['g'] } : undefined,
        } as unknown as VectorAggregation;
        const a = evalVectorAggregation(node, windowed, steps).map((s) => densify(s, steps));
        const b = evalVectorAggregation(node, dense, steps).map((s) => densify(s, steps));
        expect(a.map((s) => s.labels)).toEqual(b.map((s) => s.labels));
        a.forEach((s, i) => {
          expect(Array.from(s.present)).toEqual(Array.from(b[i]!.present));
          expect(Array.from(s.values)).toEqual(Array.from(b[i]!.values));
        });
      }
    });
  }
});

describe('range aggregation members projected for a grouping-only vector aggregation', () => {
  const ops = ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar'] as const;
  for (let seed = 1; seed <= 20; seed++) {
    it(`seed ${seed}: the same answer as with each member's full labels`, () => {
      const { grid, range, offset, samples, r } = randomCase(seed);
      const steps = grid.times.length;
      const inWindows = samples.filter((x) => x.ts > grid.times[0]! - offset - range && x.ts <= grid.end - offset);
      const values = inWindows.map(() => (r() < 0.05 ? NaN : r() * 100 - 30));
      for (const op of ops) {
        for (const grouping of [
          { without: false, labels: ['g'] },
          { without: false, labels: ['g', 'nope'] },
          undefined,
        ]) {
          const consumer = { op, grouping: grouping && { ...grouping, span: undefined } } as never;
          const node = { kind: 'vectorAgg', op, grouping } as unknown as VectorAggregation;
          const full = new StepAggregator(rangeNode('avg_over_time', range, offset), grid);
          const projected = new StepAggregator(
            rangeNode('avg_over_time', range, offset),
            grid,
            memberProjection(consumer),
          );
          inWindows.forEach((x, i) => {
            full.add(x.labels, x.ts, values[i]!);
            projected.add(x.labels, x.ts, values[i]!);
          });
          const a = evalVectorAggregation(node, projected.result(), steps).map((s) => densify(s, steps));
          const b = evalVectorAggregation(node, full.result(), steps).map((s) => densify(s, steps));
          expect(a.map((s) => s.labels)).toEqual(b.map((s) => s.labels));
          a.forEach((s, i) => {
            expect(Array.from(s.present)).toEqual(Array.from(b[i]!.present));
            expect(Array.from(s.values)).toEqual(Array.from(b[i]!.values));
          });
        }
      }
    });
  }

  it('keeps the full labels of a series carrying __error__ (the query fails naming them), and projects nothing for topk', () => {
    const grid = stepGrid(100n * S, 100n * S, 0n, true);
    const agg = new StepAggregator(rangeNode('sum_over_time', 60n * S, 0n), grid, ['host']);
    agg.add({ host: 'a', path: '/x' }, 90n * S, 1);
    agg.add({ host: 'a', path: '/y', __error__: 'SampleExtractionErr' }, 91n * S, 2);
    expect(agg.result().map((s) => s.labels)).toEqual([
      { host: 'a' },
      { host: 'a', path: '/y', __error__: 'SampleExtractionErr' },
    ]);
    expect(memberProjection({ op: 'topk', grouping: undefined })).toBeUndefined();
    expect(memberProjection({ op: 'sum', grouping: { without: true, labels: ['x'] } as never })).toBeUndefined();
    expect(memberProjection({ op: 'sum' })).toEqual([]);
  });
});
