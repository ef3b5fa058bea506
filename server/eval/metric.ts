// Evaluates a metric expression tree step by step. Range aggregations come from a RangeSource, which either pushed
// the whole aggregation into SQL or ran the pipeline in TypeScript (see engine/metricQuery.ts); everything above
// them (vector aggregation, binary operators, label_replace) works on O(series × steps) values here.
import type { Grouping, MetricExpr, RangeAggregation, VectorOp } from '../logql/ast';
import { evalBinary } from './binary';
import { evalLabelReplace } from './labelReplace';
import type { StepGrid } from './steps';
import { densify, newSeries, type EvalValue, type SeriesData } from './value';
import { evalVectorAggregation } from './vector';

/** The vector aggregation applied directly to a range aggregation's output, if any: a source may then return
 * series already collapsed to what that aggregation reads (e.g. per stream instead of per parsed label set). */
export interface Consumer {
  op: VectorOp;
  grouping?: Grouping;
}

export type RangeSource = (node: RangeAggregation, grid: StepGrid, consumer?: Consumer) => Promise<SeriesData[]>;

/** The value of `expr` at every step of the grid, each series over the whole grid. */
export async function evalMetric(
  expr: MetricExpr,
  grid: StepGrid,
  source: RangeSource,
  query: string,
): Promise<EvalValue> {
  const v = await evalWindowed(expr, grid, source, query);
  const steps = grid.times.length;
  return v.kind === 'vector' ? { kind: 'vector', series: v.series.map((s) => densify(s, steps)) } : v;
}

/** evalMetric, where range and vector aggregations may hand back windowed series (eval/value.ts): a vector
 *  aggregation reads them as they are; operators that need every step get them through evalMetric. The answer's
 *  encoding (engine/results.ts) reads them too: a result of many short series is never spread over the grid. */
export async function evalWindowed(
  expr: MetricExpr,
  grid: StepGrid,
  source: RangeSource,
  query: string,
): Promise<EvalValue> {
  const steps = grid.times.length;
  switch (expr.kind) {
    case 'literal':
      return { kind: 'scalar', values: new Float64Array(steps).fill(expr.value) };
    case 'vector': {
      const s = newSeries({}, steps);
      s.values.fill(expr.value);
      s.present.fill(1);
      return { kind: 'vector', series: [s] };
    }
    case 'rangeAgg':
      return { kind: 'vector', series: await source(withoutLineFormat(expr), grid) };
    case 'vectorAgg': {
      const inner =
        expr.expr.kind === 'rangeAgg'
          ? {
              kind: 'vector' as const,
              series: await source(withoutLineFormat(expr.expr), grid, { op: expr.op, grouping: expr.grouping }),
            }
          : await evalWindowed(expr.expr, grid, source, query);
      const series = inner.kind === 'vector' ? inner.series : scalarAsSeries(inner.values);
      return { kind: 'vector', series: evalVectorAggregation(expr, series, steps) };
    }
    case 'labelReplace': {
      const inner = await evalMetric(expr.expr, grid, source, query);
      const series = inner.kind === 'vector' ? inner.series : scalarAsSeries(inner.values);
      return { kind: 'vector', series: evalLabelReplace(expr, series, steps) };
    }
    case 'binary': {
      const [l, r] = await Promise.all([
        evalMetric(expr.left, grid, source, query),
        evalMetric(expr.right, grid, source, query),
      ]);
      return evalBinary(expr, l, r, steps, query);
    }
  }
}

const KEEPS_LINE_FORMAT = new Set(['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'lineFilter']);

/**
 * Loki's removeLineformat (pkg/logql/optimize.go): a range aggregation that does not measure the line (all but
 * bytes_over_time / bytes_rate) drops every `line_format` not followed by a parser or line filter. The answer only
 * changes through what the stage would have done besides rewriting the line: its TemplateFormatErr, and the labels
 * its template reads (which the parsers then extract, and may fail on: see pipeline/hints.ts).
 */
export function withoutLineFormat(node: RangeAggregation): RangeAggregation {
  if (node.op === 'bytes_over_time' || node.op === 'bytes_rate') return node;
  const stages = node.log.pipeline;
  const kept = stages.filter(
    (s, i) => s.kind !== 'lineFormat' || stages.slice(i).some((t) => KEEPS_LINE_FORMAT.has(t.kind)),
  );
  if (kept.length === stages.length) return node;
  return { ...node, log: { ...node.log, pipeline: kept } };
}

function scalarAsSeries(values: Float64Array): SeriesData[] {
  const s = newSeries({}, values.length);
  s.values.set(values);
  s.present.fill(1);
  return [s];
}
