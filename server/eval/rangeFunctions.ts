// The range-vector functions of LogQL over one window of samples [lo, hi) of a series (timestamps ascending).
// Semantics follow Loki (pkg/logql/range_vector.go), which follows Prometheus where they overlap:
// no extrapolation for rate/bytes_rate, population stddev/stdvar, Prometheus' quantile interpolation, and
// Prometheus' extrapolatedRate for rate_counter.
import type { RangeOp } from '../logql/ast';

export interface WindowCtx {
  /** window (start, end] in ns */
  start: bigint;
  end: bigint;
  rangeSeconds: number;
  param?: number;
}

export type RangeFn = (ts: bigint[], v: number[], lo: number, hi: number, ctx: WindowCtx) => number;

function sum(v: number[], lo: number, hi: number): number {
  let s = 0;
  for (let i = lo; i < hi; i++) s += v[i];
  return s;
}

function variance(v: number[], lo: number, hi: number): number {
  // Welford-style running mean, as Prometheus does, for numerical stability
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = lo; i < hi; i++) {
    count++;
    const delta = v[i] - mean;
    mean += delta / count;
    m2 += delta * (v[i] - mean);
  }
  return m2 / count;
}

/** Prometheus' quantile: φ-rank with linear interpolation between the closest ranks. */
export function quantile(phi: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (phi < 0) return -Infinity;
  if (phi > 1) return Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const rank = phi * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

function extrapolatedCounterRate(ts: bigint[], v: number[], lo: number, hi: number, ctx: WindowCtx): number {
  const n = hi - lo;
  if (n < 2) return 0; // Loki reports a window with fewer than two samples as 0, not as absent
  let result = v[hi - 1] - v[lo];
  for (let i = lo + 1; i < hi; i++) if (v[i] < v[i - 1]) result += v[i - 1];
  const first = Number(ts[lo]) / 1e9;
  const last = Number(ts[hi - 1]) / 1e9;
  const rangeStart = Number(ctx.start) / 1e9;
  const rangeEnd = Number(ctx.end) / 1e9;
  let durationToStart = first - rangeStart;
  const durationToEnd = rangeEnd - last;
  const sampled = last - first;
  const avgBetween = sampled / (n - 1);
  if (result > 0 && v[lo] >= 0) {
    const durationToZero = sampled * (v[lo] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = avgBetween * 1.1;
  let interval = sampled;
  interval += durationToStart < threshold ? durationToStart : avgBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  result = result * (interval / sampled);
  return result / ctx.rangeSeconds;
}

/** One entry per range op. `minSamples`: fewer samples in the window → no point at that step. */
export const RANGE_FUNCTIONS: Record<RangeOp, { fn: RangeFn; minSamples: number }> = {
  count_over_time: { fn: (_t, _v, lo, hi) => hi - lo, minSamples: 1 },
  rate: { fn: (_t, v, lo, hi, c) => sum(v, lo, hi) / c.rangeSeconds, minSamples: 1 },
  bytes_over_time: { fn: (_t, v, lo, hi) => sum(v, lo, hi), minSamples: 1 },
  bytes_rate: { fn: (_t, v, lo, hi, c) => sum(v, lo, hi) / c.rangeSeconds, minSamples: 1 },
  // absent_over_time is evaluated over the whole selection (see range.ts); this entry is never called per series
  absent_over_time: { fn: () => 1, minSamples: 1 },
  rate_counter: { fn: extrapolatedCounterRate, minSamples: 1 },
  sum_over_time: { fn: (_t, v, lo, hi) => sum(v, lo, hi), minSamples: 1 },
  avg_over_time: { fn: (_t, v, lo, hi) => sum(v, lo, hi) / (hi - lo), minSamples: 1 },
  min_over_time: {
    fn: (_t, v, lo, hi) => {
      let m = v[lo];
      for (let i = lo + 1; i < hi; i++) if (v[i] < m || Number.isNaN(m)) m = v[i];
      return m;
    },
    minSamples: 1,
  },
  max_over_time: {
    fn: (_t, v, lo, hi) => {
      let m = v[lo];
      for (let i = lo + 1; i < hi; i++) if (v[i] > m || Number.isNaN(m)) m = v[i];
      return m;
    },
    minSamples: 1,
  },
  stddev_over_time: { fn: (_t, v, lo, hi) => Math.sqrt(variance(v, lo, hi)), minSamples: 1 },
  stdvar_over_time: { fn: (_t, v, lo, hi) => variance(v, lo, hi), minSamples: 1 },
  quantile_over_time: { fn: (_t, v, lo, hi, c) => quantile(c.param ?? NaN, v.slice(lo, hi)), minSamples: 1 },
  first_over_time: { fn: (_t, v, lo) => v[lo], minSamples: 1 },
  last_over_time: { fn: (_t, v, _lo, hi) => v[hi - 1], minSamples: 1 },
};
