// Streaming range aggregation: each sample is folded into the steps whose windows hold it as it arrives, so memory
// is O(series × steps they touch) however many lines a query reads (each series keeps arrays over the span of steps
// its samples reached, grown by doubling: eval/value.ts, windowed series) — the TypeScript twin of the SQL aggregation
// (sql/stepWindows.ts), with the same window arithmetic: v = ts − from, step k holds v iff
// k·step < v ≤ k·step + range (an instant query has the single window from < ts).
// Functions that need every sample of a window at once (quantile_over_time, rate_counter, absent_over_time) use the
// buffering path in range.ts instead.
import type { Grouping, RangeAggregation, RangeOp, VectorOp } from '../logql/ast';
import type { Labels } from '../engine/types';
import { groupLabels, rangeGroupLabels } from './grouping';
import { GROUP_ONLY } from './vector';
import { ERROR_LABEL } from './pipeline/builder';
import { labelsJson } from '../util/labels';
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

/**
 * One series' accumulators over the steps [first, first + len): `d` holds three arrays of `len` — counts, then running
 * sums (means for stddev/stdvar, Welford), then min/max/first/last (Welford's M2). One typed array and no labels
 * object per series (the key is the labels' JSON, parsed back for the result): a query over a parser without `by`
 * can hold a series per line, and the garbage collector's time grew with the objects each kept alive.
 */
interface State {
  first: number;
  len: number;
  d: Float64Array;
  /** the labels the series is handed over with, when projected (see StepAggregator's `project`) */
  shown?: Labels;
}

/**
 * The labels a series may be handed over with when all that reads it is a vector aggregation that keeps only some
 * labels of its members: `sum by (host) (avg_over_time(… | logfmt | unwrap x [5m]))` groups by `host` alone, so its
 * members need not carry the (per line) label sets they were told apart by. Undefined: the full labels.
 */
export function memberProjection(consumer: { op: VectorOp; grouping?: Grouping } | undefined): string[] | undefined {
  if (!consumer || !GROUP_ONLY.has(consumer.op)) return undefined;
  if (!consumer.grouping) return [];
  return consumer.grouping.without ? undefined : consumer.grouping.labels;
}

export class StepAggregator {
  private readonly series = new Map<string, State>();
  private readonly keyer = new LabelsKeyer();
  private readonly steps: number;
  private readonly from: bigint;
  private readonly step: number;
  private readonly range: number;
  private readonly instant: boolean;

  /** projected label sets, shared by the series that show the same */
  private readonly shownSets = new Map<string, Labels>();

  /** `project`: hand series over with only these labels (memberProjection); still one series per full label set,
   *  in the same order, so the aggregation above sums the same values in the same order. A series carrying
   *  `__error__` keeps all its labels: the query fails on it, naming them. */
  constructor(
    private readonly node: RangeAggregation,
    grid: StepGrid,
    private readonly project?: string[],
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
      s = { first: lo, len, d: new Float64Array(3 * len) };
      if (this.project && !l[ERROR_LABEL]) s.shown = this.shown(l, this.project);
      this.series.set(key, s);
    } else if (lo < s.first || hi >= s.first + s.len) this.grow(s, lo, hi);
    for (let k = lo - s.first, end = hi - s.first; k <= end; k++) this.fold(s.d, s.len, k, value);
  }

  private shown(l: Labels, names: string[]): Labels {
    const g = groupLabels(l, false, names);
    const key = labelsJson(g);
    let shared = this.shownSets.get(key);
    if (!shared) this.shownSets.set(key, (shared = g));
    return shared;
  }

  /** Widens a series' arrays to cover the steps [lo, hi], at least doubling them (samples mostly come in time order,
   *  so a series' span grows forward a window at a time). */
  private grow(s: State, lo: number, hi: number): void {
    const want = 2 * s.len;
    let first = Math.min(s.first, lo);
    let end = Math.max(s.first + s.len, hi + 1);
    if (end - first < want) {
      if (lo < s.first) first = Math.max(0, end - want);
      else end = Math.min(this.steps, first + want);
    }
    const len = end - first;
    const at = s.first - first;
    const d = new Float64Array(3 * len);
    for (let part = 0; part < 3; part++) d.set(s.d.subarray(part * s.len, (part + 1) * s.len), part * len + at);
    s.d = d;
    s.len = len;
    s.first = first;
  }

  /** x into step k of a series' accumulators `d` (three arrays of `len`: see State) */
  private fold(d: Float64Array, len: number, k: number, x: number): void {
    const n = ++d[k];
    const acc = len + k;
    const aux = 2 * len + k;
    switch (this.node.op) {
      case 'min_over_time':
        if (n === 1 || x < d[aux] || Number.isNaN(d[aux])) d[aux] = x;
        break;
      case 'max_over_time':
        if (n === 1 || x > d[aux] || Number.isNaN(d[aux])) d[aux] = x;
        break;
      case 'first_over_time':
        if (n === 1) d[aux] = x;
        break;
      case 'last_over_time':
        d[aux] = x;
        break;
      case 'avg_over_time':
        d[acc] = avgStep(d[acc], n, x);
        break;
      case 'stddev_over_time':
      case 'stdvar_over_time': {
        const dx = x - d[acc];
        d[acc] += dx / n;
        d[aux] += dx * (x - d[acc]);
        break;
      }
      default:
        d[acc] += x;
    }
  }

  /** Windowed series (eval/value.ts): each over the span of steps its samples reached. */
  result(): SeriesData[] {
    const seconds = this.range / 1e9;
    const out: SeriesData[] = [];
    for (const [key, s] of this.series) {
      const { d, len } = s;
      const res = windowedSeries(s.shown ?? (JSON.parse(key) as Labels), s.first, len);
      for (let k = 0; k < len; k++) {
        const n = d[k];
        if (n === 0) continue;
        const acc = d[len + k];
        const aux = d[2 * len + k];
        res.present[k] = 1;
        switch (this.node.op) {
          case 'count_over_time':
            res.values[k] = n;
            break;
          case 'rate':
            res.values[k] = (this.node.unwrap ? acc : n) / seconds;
            break;
          case 'bytes_rate':
            res.values[k] = acc / seconds;
            break;
          case 'avg_over_time':
            res.values[k] = acc;
            break;
          case 'min_over_time':
          case 'max_over_time':
          case 'first_over_time':
          case 'last_over_time':
            res.values[k] = aux;
            break;
          case 'stddev_over_time':
            res.values[k] = Math.sqrt(aux / n);
            break;
          case 'stdvar_over_time':
            res.values[k] = aux / n;
            break;
          default: // bytes_over_time, sum_over_time
            res.values[k] = acc;
        }
      }
      out.push(res);
    }
    return out;
  }
}
