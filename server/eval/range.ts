// Range aggregation in TypeScript: turn sample series (already extracted by the pipeline) into one value per step.
// Used when the pipeline does not push down to SQL, and as the reference the SQL path is tested against.
import type { Grouping, RangeAggregation } from '../logql/ast';
import type { Labels } from '../engine/types';
import { RANGE_FUNCTIONS } from './rangeFunctions';
import type { StepGrid } from './steps';
import { labelsKey, LabelsKeyer, newSeries, windowedSeries, type SeriesData } from './value';
import { rangeGroupLabels } from './grouping';
import { queryLimits, samplesLimitError } from './limits';

/** The samples of one series, ascending by time. */
export interface SampleSeries {
  labels: Labels;
  ts: bigint[];
  v: number[];
}

/** Collects samples into series keyed by their label set — reduced to a range aggregation's `by`/`without` grouping
 *  as they arrive when given one, as Loki's sample extractor does (a series per parsed label set first would cost a
 *  key and a series per line) — samples may arrive in any order. */
export class SampleCollector {
  private readonly series = new Map<string, SampleSeries>();
  private readonly keyer = new LabelsKeyer();
  private sorted = true;
  private samples = 0;

  constructor(private readonly grouping?: Grouping) {}

  add(labels: Labels, ts: bigint, v: number): void {
    if (++this.samples > queryLimits.maxSamples) throw samplesLimitError(queryLimits.maxSamples); // eval/limits.ts
    const g = this.grouping;
    if (g) labels = rangeGroupLabels(labels, g.without, g.labels);
    const key = this.keyer.key(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, ts: [], v: [] };
      this.series.set(key, s);
    }
    const n = s.ts.length;
    if (n > 0 && s.ts[n - 1] > ts) this.sorted = false;
    s.ts.push(ts);
    s.v.push(v);
  }

  result(): SampleSeries[] {
    const out = [...this.series.values()];
    if (!this.sorted) for (const s of out) sortSeries(s);
    return out;
  }
}

function sortSeries(s: SampleSeries): void {
  const idx = s.ts.map((_, i) => i).sort((a, b) => (s.ts[a] < s.ts[b] ? -1 : s.ts[a] > s.ts[b] ? 1 : a - b));
  s.ts = idx.map((i) => s.ts[i]);
  s.v = idx.map((i) => s.v[i]);
}

/** First index whose timestamp is > t (upper bound). */
function upperBound(ts: bigint[], t: bigint, from = 0): number {
  let lo = from;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is ≥ t (lower bound). */
function lowerBound(xs: bigint[], t: bigint): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `op(… [range] offset o) by (…)` over the given series (already reduced to the grouping when `grouped`: see
 *  SampleCollector), each windowed over the steps its samples can reach (eval/
 *  value.ts): step i's window (tᵢ − offset − range, tᵢ − offset] holds sample t iff t + offset ≤ tᵢ < t + offset + range. */
export function evalRangeAggregation(
  node: RangeAggregation,
  input: SampleSeries[],
  grid: StepGrid,
  grouped = false,
): SeriesData[] {
  const rangeSeconds = Number(node.range) / 1e9;
  if (node.op === 'absent_over_time') return absentOverTime(node, input, grid);

  let series = input;
  if (node.grouping && !grouped) series = mergeGroups(input, node.grouping.without, node.grouping.labels);

  const { fn, minSamples } = RANGE_FUNCTIONS[node.op];
  const out: SeriesData[] = [];
  for (const s of series) {
    if (s.ts.length === 0) continue;
    const first = lowerBound(grid.times, s.ts[0] + node.offset);
    const last = lowerBound(grid.times, s.ts[s.ts.length - 1] + node.offset + node.range) - 1;
    if (last < first) continue;
    const res = windowedSeries(s.labels, first, last - first + 1);
    let any = false;
    for (let i = first; i <= last; i++) {
      const end = grid.times[i] - node.offset;
      const start = end - node.range;
      const lo = upperBound(s.ts, start);
      const hi = upperBound(s.ts, end, lo);
      if (hi - lo < minSamples) continue;
      const v = fn(s.ts, s.v, lo, hi, { start, end, rangeSeconds, param: node.param });
      res.values[i - first] = v;
      res.present[i - first] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return out;
}

function mergeGroups(input: SampleSeries[], without: boolean, names: string[]): SampleSeries[] {
  const groups = new Map<string, SampleCollector>();
  const labelsOf = new Map<string, Labels>();
  for (const s of input) {
    const g = rangeGroupLabels(s.labels, without, names);
    const key = labelsKey(g);
    let c = groups.get(key);
    if (!c) {
      c = new SampleCollector();
      groups.set(key, c);
      labelsOf.set(key, g);
    }
    for (let i = 0; i < s.ts.length; i++) c.add(g, s.ts[i], s.v[i]);
  }
  const out: SampleSeries[] = [];
  for (const c of groups.values()) out.push(...c.result());
  return out;
}

/** 1 at every step where no series has a sample in the window, labelled with the selector's `=` matchers. */
function absentOverTime(node: RangeAggregation, input: SampleSeries[], grid: StepGrid): SeriesData[] {
  const labels: Labels = {};
  for (const m of node.log.matchers) if (m.op === '=') labels[m.name] = m.value;
  const res = newSeries(labels, grid.times.length);
  let any = false;
  for (let i = 0; i < grid.times.length; i++) {
    const end = grid.times[i] - node.offset;
    const start = end - node.range;
    const found = input.some((s) => upperBound(s.ts, end) > upperBound(s.ts, start));
    if (!found) {
      res.values[i] = 1;
      res.present[i] = 1;
      any = true;
    }
  }
  return any ? [res] : [];
}
