// Streaming range aggregation: each sample is folded into the steps whose windows hold it as it arrives, so memory
// is O(series × steps they touch) however many lines a query reads (each series keeps arrays over the span of steps
// its samples reached, grown by doubling: eval/value.ts, windowed series) — the TypeScript twin of the SQL aggregation
// (sql/stepWindows.ts), with the same window arithmetic: v = ts − from, step k holds v iff
// k·step < v ≤ k·step + range (an instant query has the single window from < ts).
// Functions that need every sample of a window at once (quantile_over_time, rate_counter, absent_over_time) use the
// buffering path in range.ts instead.
import type { RangeAggregation, RangeOp } from '../logql/ast';
import type { Labels } from '../engine/types';
import { rangeGroupLabels } from './grouping';
import { avgStep } from './rangeFunctions';
import type { StepGrid } from './steps';
import { LabelsKeyer, windowedSeries, type SeriesData } from './value';

const STREAMABLE = new Set<RangeOp>([
  'count_over_time',
  'rate',
  'bytes_over_time',
  'bytes_rate',
  'sum_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'first_over_time',
  'last_over_time',
]);

/** Whether `node` can be aggregated sample by sample over this grid (window arithmetic exact in doubles). */
export function streamable(node: RangeAggregation, grid: StepGrid): boolean {
  const span = grid.end - grid.times[0] + node.range;
  return STREAMABLE.has(node.op) && span < 2n ** 52n;
}

/** One series' accumulators over the steps [first, first + n.length). */
interface State {
  labels: Labels;
  first: number;
  n: Float64Array;
  /** running sum, or the mean for stddev/stdvar (Welford) */
  acc: Float64Array;
  /** min, max, first, last, or Welford's M2 */
  aux: Float64Array;
}

export class StepAggregator {
  private readonly series = new Map<string, State>();
  private readonly keyer = new LabelsKeyer();
  private readonly steps: number;
  private readonly from: bigint;
  private readonly step: number;
  private readonly range: number;
  private readonly instant: boolean;

  constructor(
    private readonly node: RangeAggregation,
    grid: StepGrid,
  ) {
    this.steps = grid.times.length;
    this.from = grid.times[0] - node.offset - node.range;
    this.step = Number(grid.step);
    this.range = Number(node.range);
    this.instant = grid.instant || this.steps === 1;
  }

  /** Samples may come from any stream in any order, but for first/last in ascending time order. */
  add(labels: Labels, ts: bigint, value: number): void {
    const v = Number(ts - this.from);
    let lo: number;
    let hi: number;
    if (this.instant) {
      if (v <= 0) return;
      lo = hi = 0;
    } else {
      lo = Math.max(Math.ceil((v - this.range) / this.step), 0);
      hi = Math.min(Math.floor((v - 1) / this.step), this.steps - 1);
      if (hi < lo) return;
    }
    const g = this.node.grouping;
    const l = g ? rangeGroupLabels(labels, g.without, g.labels) : labels;
    const key = this.keyer.key(l);
    let s = this.series.get(key);
    if (!s) {
      const len = hi - lo + 1;
      s = { labels: l, first: lo, n: new Float64Array(len), acc: new Float64Array(len), aux: new Float64Array(len) };
      this.series.set(key, s);
    } else if (lo < s.first || hi >= s.first + s.n.length) this.grow(s, lo, hi);
    for (let k = lo - s.first, end = hi - s.first; k <= end; k++) this.fold(s, k, value);
  }

  /** Widens a series' arrays to cover the steps [lo, hi], at least doubling them (samples mostly come in time order,
   *  so a series' span grows forward a window at a time). */
  private grow(s: State, lo: number, hi: number): void {
    const want = 2 * s.n.length;
    let first = Math.min(s.first, lo);
    let end = Math.max(s.first + s.n.length, hi + 1);
    if (end - first < want) {
      if (lo < s.first) first = Math.max(0, end - want);
      else end = Math.min(this.steps, first + want);
    }
    const at = s.first - first;
    const widen = (a: Float64Array) => {
      const b = new Float64Array(end - first);
      b.set(a, at);
      return b;
    };
    s.n = widen(s.n);
    s.acc = widen(s.acc);
    s.aux = widen(s.aux);
    s.first = first;
  }

  private fold(s: State, k: number, x: number): void {
    const n = ++s.n[k];
    switch (this.node.op) {
      case 'min_over_time':
        if (n === 1 || x < s.aux[k] || Number.isNaN(s.aux[k])) s.aux[k] = x;
        break;
      case 'max_over_time':
        if (n === 1 || x > s.aux[k] || Number.isNaN(s.aux[k])) s.aux[k] = x;
        break;
      case 'first_over_time':
        if (n === 1) s.aux[k] = x;
        break;
      case 'last_over_time':
        s.aux[k] = x;
        break;
      case 'avg_over_time':
        s.acc[k] = avgStep(s.acc[k], n, x);
        break;
      case 'stddev_over_time':
      case 'stdvar_over_time': {
        const d = x - s.acc[k];
        s.acc[k] += d / n;
        s.aux[k] += d * (x - s.acc[k]);
        break;
      }
      default:
        s.acc[k] += x;
    }
  }

  /** Windowed series (eval/value.ts): each over the span of steps its samples reached. */
  result(): SeriesData[] {
    const seconds = this.range / 1e9;
    const out: SeriesData[] = [];
    for (const s of this.series.values()) {
      const res = windowedSeries(s.labels, s.first, s.n.length);
      for (let k = 0; k < s.n.length; k++) {
        const n = s.n[k];
        if (n === 0) continue;
        res.present[k] = 1;
        switch (this.node.op) {
          case 'count_over_time':
            res.values[k] = n;
            break;
          case 'rate':
            res.values[k] = (this.node.unwrap ? s.acc[k] : n) / seconds;
            break;
          case 'bytes_rate':
            res.values[k] = s.acc[k] / seconds;
            break;
          case 'avg_over_time':
            res.values[k] = s.acc[k];
            break;
          case 'min_over_time':
          case 'max_over_time':
          case 'first_over_time':
          case 'last_over_time':
            res.values[k] = s.aux[k];
            break;
          case 'stddev_over_time':
            res.values[k] = Math.sqrt(s.aux[k] / n);
            break;
          case 'stdvar_over_time':
            res.values[k] = s.aux[k] / n;
            break;
          default: // bytes_over_time, sum_over_time
            res.values[k] = s.acc[k];
        }
      }
      out.push(res);
    }
    return out;
  }
}
