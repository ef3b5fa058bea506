import type { Expr } from '../logql/ast';
import type { StepGrid } from '../eval/steps';
import { nsToMs } from '../eval/steps';
import { sortedLabels, type EvalValue } from '../eval/value';
import type { QueryData, Sample, Series } from './types';

/** EvalValue → Loki's result types: a range query gives a matrix, an instant query a vector (or a scalar). Series may
 *  be windowed (eval/value.ts). */
export function toQueryData(value: EvalValue, grid: StepGrid, instant: boolean, expr: Expr): QueryData {
  const times = grid.times.map(nsToMs);
  if (value.kind === 'scalar') {
    if (instant) return { resultType: 'scalar', result: [times[0], value.values[0]] };
    return { resultType: 'matrix', result: [{ metric: {}, values: times.map((t, i) => [t, value.values[i]]) }] };
  }
  if (instant) {
    const result: Sample[] = [];
    // (a windowed series of the one step starts at it)
    for (const s of value.series)
      if (!s.first && s.present[0]) result.push({ metric: sortedLabels(s.labels), value: [times[0], s.values[0]] });
    const order = topOrder(expr);
    // NaN last either way (Loki's vectorByValueHeap / vectorByReverseValueHeap); ties keep their order
    const nanLast = (x: number, y: number) => (Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : Number.isNaN(y) ? -1 : 0);
    if (order)
      result.sort(
        (a, b) =>
          nanLast(a.value[1], b.value[1]) || (order === 'asc' ? a.value[1] - b.value[1] : b.value[1] - a.value[1]),
      );
    return { resultType: 'vector', result };
  }
  const result: Series[] = [];
  for (const s of value.series) {
    const values: [number, number][] = [];
    // (series may be windowed: their arrays start at grid step `first`)
    const first = s.first ?? 0;
    for (let j = 0; j < s.values.length; j++) if (s.present[j]) values.push([times[first + j], s.values[j]]);
    if (values.length) result.push({ metric: sortedLabels(s.labels), values });
  }
  return { resultType: 'matrix', result };
}

/** `sort` / `sort_desc` at the top of the expression order an instant result by value. */
function topOrder(expr: Expr): 'asc' | 'desc' | undefined {
  if (expr.kind === 'vectorAgg') {
    if (expr.op === 'sort') return 'asc';
    if (expr.op === 'sort_desc') return 'desc';
  }
  return undefined;
}
