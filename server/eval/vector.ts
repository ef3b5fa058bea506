// Vector aggregation (sum, avg, …, topk) step by step, as Prometheus/Loki define it.
import type { VectorAggregation, VectorOp } from '../logql/ast';
import { groupLabels } from './grouping';
import type { Labels } from '../engine/types';
import { densify, labelsKey, newSeries, windowedSeries, type SeriesData } from './value';

export function evalVectorAggregation(node: VectorAggregation, input: SeriesData[], steps: number): SeriesData[] {
  switch (node.op) {
    case 'topk':
    case 'bottomk':
    case 'approx_topk':
      return selectK(node, input, steps);
    case 'sort':
    case 'sort_desc':
      // order only matters for instant results; the adapter sorts (see sortInstant)
      return input.map((s) => densify(s, steps));
    default:
      return aggregate(node, input);
  }
}

/** Vector aggregations whose answer reads only their members' values and grouping labels (aggregate, below). */
export const GROUP_ONLY: ReadonlySet<VectorOp> = new Set<VectorOp>([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'stddev',
  'stdvar',
]);

/** The steps [first, end) a series' arrays cover (windowed series: eval/value.ts). */
function spanOf(s: SeriesData): [number, number] {
  const first = s.first ?? 0;
  return [first, first + s.values.length];
}

/**
 * sum, avg, min, max, count, stddev, stdvar by group. Members are folded one after another into the group's arrays,
 * over the steps each covers: at every step the values meet in member order, as a step-by-step loop over the members
 * would take them (the same floating-point sums). The result is windowed over the steps its members cover.
 */
function aggregate(node: VectorAggregation, input: SeriesData[]): SeriesData[] {
  const op = node.op;
  if (!GROUP_ONLY.has(op)) {
    throw new Error(`unexpected aggregation ${op}`);
  }
  const groups = new Map<string, { labels: Labels; members: SeriesData[]; first: number; end: number }>();
  for (const s of input) {
    const g = node.grouping ? groupLabels(s.labels, node.grouping.without, node.grouping.labels) : {};
    const key = labelsKey(g);
    const [first, end] = spanOf(s);
    const grp = groups.get(key);
    if (!grp) groups.set(key, { labels: g, members: [s], first, end });
    else {
      grp.members.push(s);
      if (first < grp.first) grp.first = first;
      if (end > grp.end) grp.end = end;
    }
  }
  const result: SeriesData[] = [];
  for (const { labels, members, first, end } of groups.values()) {
    const len = end - first;
    if (len <= 0) continue;
    const n = new Float64Array(len);
    // sum; avg (Loki's running mean: first value, then mean += (v − mean) / n); min; max; mean (stddev, stdvar)
    const a = new Float64Array(len);
    // M2 (stddev, stdvar)
    const m2 = op === 'stddev' || op === 'stdvar' ? new Float64Array(len) : a;
    for (const s of members) {
      const at = (s.first ?? 0) - first;
      const values = s.values;
      const present = s.present;
      for (let j = 0; j < values.length; j++) {
        if (!present[j]) continue;
        const i = at + j;
        const v = values[j];
        const c = ++n[i];
        switch (op) {
          case 'sum':
            a[i] += v;
            break;
          case 'avg':
            a[i] = c === 1 ? v : a[i] + (v - a[i]) / c;
            break;
          case 'min':
            if (c === 1 || v < a[i] || Number.isNaN(a[i])) a[i] = v;
            break;
          case 'max':
            if (c === 1 || v > a[i] || Number.isNaN(a[i])) a[i] = v;
            break;
          case 'stddev':
          case 'stdvar': {
            const d = v - a[i];
            a[i] += d / c;
            m2[i] += d * (v - a[i]);
            break;
          }
        }
      }
    }
    const out = windowedSeries(labels, first, len);
    let any = false;
    for (let i = 0; i < len; i++) {
      const c = n[i];
      if (c === 0) continue;
      out.values[i] = op === 'count' ? c : op === 'stddev' ? Math.sqrt(m2[i] / c) : op === 'stdvar' ? m2[i] / c : a[i];
      out.present[i] = 1;
      any = true;
    }
    if (any) result.push(out);
  }
  return result;
}

/** topk / bottomk: per group and per step, keep the k largest (smallest) series with their own labels. */
function selectK(node: VectorAggregation, input: SeriesData[], steps: number): SeriesData[] {
  const k = Math.floor(node.param ?? 0);
  const desc = node.op !== 'bottomk';
  const groups = new Map<string, number[]>();
  input.forEach((s, idx) => {
    const g = node.grouping ? groupLabels(s.labels, node.grouping.without, node.grouping.labels) : {};
    const key = labelsKey(g);
    const list = groups.get(key);
    if (list) list.push(idx);
    else groups.set(key, [idx]);
  });
  // a member's value at grid step i (windowed series: eval/value.ts)
  const valueAt = (m: number, i: number): number => input[m].values[i - (input[m].first ?? 0)];
  const out = new Map<number, SeriesData>();
  for (const members of groups.values()) {
    // each step's candidates, in member order
    const at = new Map<number, number[]>();
    for (const m of members) {
      const s = input[m];
      const first = s.first ?? 0;
      for (let j = 0; j < s.values.length; j++) {
        if (!s.present[j]) continue;
        const list = at.get(first + j);
        if (list) list.push(m);
        else at.set(first + j, [m]);
      }
    }
    for (const [i, cands] of at) {
      cands.sort((a, b) => {
        const va = valueAt(a, i);
        const vb = valueAt(b, i);
        if (Number.isNaN(va)) return Number.isNaN(vb) ? 0 : 1;
        if (Number.isNaN(vb)) return -1;
        return desc ? vb - va : va - vb;
      });
      for (const m of cands.slice(0, k)) {
        let o = out.get(m);
        if (!o) out.set(m, (o = newSeries(input[m].labels, steps)));
        o.values[i] = valueAt(m, i);
        o.present[i] = 1;
      }
    }
  }
  return [...out.keys()].sort((a, b) => a - b).map((m) => out.get(m)!);
}
