// Vector aggregation (sum, avg, …, topk) step by step, as Prometheus/Loki define it.
import type { VectorAggregation } from '../logql/ast';
import { groupLabels } from './grouping';
import { labelsKey, newSeries, type SeriesData } from './value';

export function evalVectorAggregation(node: VectorAggregation, input: SeriesData[], steps: number): SeriesData[] {
  switch (node.op) {
    case 'topk':
    case 'bottomk':
    case 'approx_topk':
      return selectK(node, input, steps);
    case 'sort':
    case 'sort_desc':
      // order only matters for instant results; the adapter sorts (see sortInstant)
      return input;
    default:
      return aggregate(node, input, steps);
  }
}

function aggregate(node: VectorAggregation, input: SeriesData[], steps: number): SeriesData[] {
  const groups = new Map<string, { out: SeriesData; members: SeriesData[] }>();
  for (const s of input) {
    const g = node.grouping ? groupLabels(s.labels, node.grouping.without, node.grouping.labels) : {};
    const key = labelsKey(g);
    let grp = groups.get(key);
    if (!grp) {
      grp = { out: newSeries(g, steps), members: [] };
      groups.set(key, grp);
    }
    grp.members.push(s);
  }
  const result: SeriesData[] = [];
  for (const { out, members } of groups.values()) {
    let any = false;
    for (let i = 0; i < steps; i++) {
      let n = 0;
      let sum = 0;
      let min = NaN;
      let max = NaN;
      let mean = 0;
      let m2 = 0;
      let avg = 0; // Loki's running mean for avg: first value, then mean += (v − mean) / n
      for (const s of members) {
        if (!s.present[i]) continue;
        const v = s.values[i];
        n++;
        sum += v;
        avg = n === 1 ? v : avg + (v - avg) / n;
        if (n === 1 || v < min || Number.isNaN(min)) min = v;
        if (n === 1 || v > max || Number.isNaN(max)) max = v;
        const d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
      }
      if (n === 0) continue;
      let value: number;
      switch (node.op) {
        case 'sum':
          value = sum;
          break;
        case 'avg':
          value = avg;
          break;
        case 'min':
          value = min;
          break;
        case 'max':
          value = max;
          break;
        case 'count':
          value = n;
          break;
        case 'stddev':
          value = Math.sqrt(m2 / n);
          break;
        case 'stdvar':
          value = m2 / n;
          break;
        default:
          throw new Error(`unexpected aggregation ${node.op}`);
      }
      out.values[i] = value;
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
  const out = input.map((s) => newSeries(s.labels, steps));
  for (const members of groups.values()) {
    for (let i = 0; i < steps; i++) {
      const cands = members.filter((m) => input[m].present[i]);
      cands.sort((a, b) => {
        const va = input[a].values[i];
        const vb = input[b].values[i];
        if (Number.isNaN(va)) return Number.isNaN(vb) ? 0 : 1;
        if (Number.isNaN(vb)) return -1;
        return desc ? vb - va : va - vb;
      });
      for (const m of cands.slice(0, k)) {
        out[m].values[i] = input[m].values[i];
        out[m].present[i] = 1;
      }
    }
  }
  return out.filter((s) => s.present.some((p) => p === 1));
}
