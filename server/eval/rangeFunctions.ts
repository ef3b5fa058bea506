// The range-vector functions of LogQL over one window of samples [lo, hi) of a series (timestamps ascending).
// Semantics follow Loki (pkg/logql/range_vector.go), which follows Prometheus where they overlap:
// no extrapolation for rate/bytes_rate, population stddev/stdvar, Prometheus' quantile interpolation, and
// Loki's own variant of Prometheus' extrapolatedRate for rate_counter (see lokiCounterRate).
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

/** Loki's avgOverTime: an incremental mean (its rounding, not sum ÷ n), infinities kept. */
export function avgStep(mean: number, count: number, x: number): number {
  if (Number.isFinite(mean) || Number.isNaN(mean)) return mean + x / count - mean / count;
  if (!Number.isFinite(x) && !Number.isNaN(x) && mean > 0 === x > 0) return mean;
  if (Number.isFinite(x)) return mean;
  return mean + x / count - mean / count;
}

function avg(v: number[], lo: number, hi: number): number {
  let mean = 0;
  for (let i = lo; i < hi; i++) mean = avgStep(mean, i - lo + 1, v[i]!);
  return mean;
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

/**
 * rate_counter as Loki 3.7.6 computes it (range_vector.go extrapolatedRate on nanosecond sample times, with the range
 * subtracted in milliseconds): the window starts `range` *milliseconds-as-nanoseconds* before the first sample and
 * ends at the last one, and durations are nanoseconds ÷ 1000. So extrapolation at the end never happens and the start
 * is extended by at most `range seconds` on a microsecond scale: the counter increase (resets added back) over the
 * window, scaled by a factor barely above 1, per second of range — not Prometheus' extrapolation.
 */
function lokiCounterRate(ts: bigint[], v: number[], lo: number, hi: number, ctx: WindowCtx): number {
  const n = hi - lo;
  if (n < 2) return 0; // Loki reports a window with fewer than two samples as 0, not as absent
  const rangeNs = ctx.end - ctx.start;
  const first = ts[lo]!;
  const last = ts[hi - 1]!;
  const rangeStart = first - rangeNs / 1_000_000n; // samples[0].T - durationMilliseconds(selRange)
  let result = v[hi - 1]! - v[lo]!;
  let lastValue = 0;
  for (let i = lo; i < hi; i++) {
    if (v[i]! < lastValue) result += lastValue;
    lastValue = v[i]!;
  }
  let durationToStart = Number(first - rangeStart) / 1000;
  const durationToEnd = 0; // rangeEnd is the last sample's time
  const sampled = Number(last - first) / 1000;
  const avgBetween = sampled / (n - 1);
  if (result > 0 && v[lo]! >= 0) {
    const durationToZero = sampled * (v[lo]! / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = avgBetween * 1.1;
  let interval = sampled;
  interval += durationToStart < threshold ? durationToStart : avgBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  result = result * (interval / sampled);
  return result / (Number(rangeNs) / 1e9);
}

/** One entry per range op. `minSamples`: fewer samples in the window → no point at that step. */
export const RANGE_FUNCTIONS: Record<RangeOp, { fn: RangeFn; minSamples: number }> = {
  count_over_time: { fn: (_t, _v, lo, hi) => hi - lo, minSamples: 1 },
  rate: { fn: (_t, v, lo, hi, c) => sum(v, lo, hi) / c.rangeSeconds, minSamples: 1 },
  bytes_over_time: { fn: (_t, v, lo, hi) => sum(v, lo, hi), minSamples: 1 },
  bytes_rate: { fn: (_t, v, lo, hi, c) => sum(v, lo, hi) / c.rangeSeconds, minSamples: 1 },
  // absent_over_time is evaluated over the whole selection (see range.ts); this entry is never called per series
  absent_over_time: { fn: () => 1, minSamples: 1 },
  rate_counter: { fn: lokiCounterRate, minSamples: 1 },
  sum_over_time: { fn: (_t, v, lo, hi) => sum(v, lo, hi), minSamples: 1 },
  avg_over_time: { fn: (_t, v, lo, hi) => avg(v, lo, hi), minSamples: 1 },
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
