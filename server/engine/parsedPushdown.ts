// Counting under `sum by (…)` over a pipeline with parsers, in SQL (sql/pipeline/compile.ts): the database extracts
// just the labels the filters and the grouping read, filters and counts per (output labels, step). Without such a sum,
// a pipeline whose label set the query fixes (pattern, regexp, json with parameters) is counted per every label. Loki reduces a
// `sum`'s range aggregation to the summed labels at the source (pkg/logql/evaluator.go), so errors and other labels
// never reach the result either way. Rows SQL is unsure of run through the TypeScript pipeline and are added in.
import type { RangeAggregation } from '../logql/ast';
import type { Consumer } from '../eval/metric';
import type { StepGrid } from '../eval/steps';
import type { StreamInfo } from './streams';
import type { PipelineSplit } from '../plan/pushdown';
import { NotInSql } from '../sql/pipeline/compile';
import { fixedLabelNames, sqlPipelineFor } from '../sql/pipeline/plan';
import { compileParsedCount } from '../sql/rangeAggregate';
import { compilePipeline } from '../eval/pipeline';
import { StepAggregator } from '../eval/stepAggregator';
import { rangeGroupLabels } from '../eval/grouping';
import { rangeParserHints } from '../eval/pipeline/hints';
import { labelsKey, SeriesCells, type SeriesData } from '../eval/value';
import { runSql, type ExecContext } from './context';
import { windowsOf } from './metricQuery';
import type { Labels } from './types';

const COUNTING = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);

/** A SQL row's label set from its output columns `${prefix}0…` (NULL or '': no such label) and that set's key,
 *  remembered per distinct values: rows repeat a group once per step. */
export function outputGroups(
  names: string[],
  prefix: string,
): (r: Record<string, unknown>) => { labels: Labels; key: string } {
  const seen = new Map<string, { labels: Labels; key: string }>();
  return (r) => {
    const values = names.map((_, i) => {
      const v = r[`${prefix}${i}`];
      return typeof v === 'string' ? v : '';
    });
    const raw = JSON.stringify(values);
    let g = seen.get(raw);
    if (!g) {
      const labels: Labels = {};
      names.forEach((name, i) => {
        if (values[i] !== '') labels[name] = values[i]!;
      });
      g = { labels, key: labelsKey(labels) };
      seen.set(raw, g);
    }
    return g;
  };
}

export async function pushParsedCount(
  ctx: ExecContext,
  node: RangeAggregation,
  grid: StepGrid,
  consumer: Consumer | undefined,
  split: PipelineSplit,
  streams: StreamInfo[],
): Promise<SeriesData[] | undefined> {
  if (!COUNTING.has(node.op) || node.grouping) return undefined;
  if (ctx.pushdown === false || split.rest.length === 0) return undefined;
  // under `sum by (…)`: counted per those labels. Otherwise every series is its own, which SQL can group when the
  // query fixes the label set (fixedLabelNames): counted per every label
  let outputs: string[];
  const full = consumer?.op !== 'sum' || !!consumer.grouping?.without;
  if (!full) outputs = consumer.grouping?.labels ?? [];
  else {
    const names = fixedLabelNames(split.rest, streams);
    if (!names) return undefined;
    outputs = names;
  }
  const bytes = node.op === 'bytes_over_time' || node.op === 'bytes_rate';
  // (the hints decide whether the first parser runs, and whether its errors fail the query: compile.ts errorsInSql)
  const hints = rangeParserHints(node, consumer);
  const pipeline = sqlPipelineFor(ctx.dialect, split.rest, streams, outputs, {
    readsLine: bytes,
    allLabels: full,
    // (a parser runs where the hints require a label; naming `__error__` marks its errors preserved)
    parserErrorsWanted: !!hints && !hints.noLabels && hints.required.has('__error__'),
  });
  if (pipeline instanceof NotInSql) {
    ctx.stats.tsStages.push(pipeline.reason);
    return undefined;
  }
  const windows = windowsOf(node, grid);
  const agg = {
    streamIds: streams.map((s) => s.id),
    filters: split.pushed,
    ...windows,
    bytes,
  };
  const q = compileParsedCount(ctx.dialect, agg, pipeline);
  type Row = { k: bigint | number | null; n: bigint | number; b: bigint | number | null } & Record<string, unknown>;
  const rows = await runSql<Row>(ctx, q.text, q.params);
  const seconds = Number(node.range) / 1e9;
  const out = new SeriesCells('sum');
  const add = (labels: Labels, k: number, v: number) => out.add(labels, k, v);
  const countsLines = node.op === 'count_over_time' || node.op === 'rate';
  // a row's output values → its label set and key, made once per distinct values (a row per group and step)
  const groupOf = outputGroups(outputs, 'o');
  const unsure: Row[] = [];
  for (const r of rows) {
    if (r.k === null) {
      unsure.push(r);
      continue;
    }
    const { labels, key } = groupOf(r);
    out.add(labels, Number(r.k), Number(countsLines ? r.n : r.b), key);
  }
  if (unsure.length > 0) {
    // the rows SQL could not be sure of: Loki's pipeline in TypeScript, folded into the same steps as raw counts
    // (rates are divided once, after the sum, as Loki divides the reduced series)
    ctx.stats.tsStages.push(`${unsure.length} lines SQL could not parse exactly as Loki ran in TypeScript`);
    const byId = new Map(streams.map((s) => [s.id, s.labels]));
    // as Loki: parser hints decide what (and whether) the parsers extract; a sample with an error keeps every label
    // (LabelsBuilder.GroupedLabels), so the query fails as a pipeline error exactly as the TypeScript path does
    const run = compilePipeline(split.rest, hints);
    const counting = { ...node, op: countsLines ? 'count_over_time' : 'bytes_over_time' } as RangeAggregation;
    const folding = new StepAggregator(counting, grid);
    const utf8 = new TextEncoder();
    for (const r of unsure) {
      const ts = BigInt(r.ts as bigint);
      const metadata = r.metadata ? (JSON.parse(r.metadata as string) as Labels) : undefined;
      const res = run({ ts, line: r.line as string, stream: byId.get(BigInt(r.stream_id as bigint))!, metadata });
      if (res) folding.add(res.labels, ts, countsLines ? 1 : utf8.encode(res.line).length);
    }
    for (const s of folding.result()) {
      const labels = full ? s.labels : rangeGroupLabels(s.labels, false, outputs);
      const first = s.first ?? 0; // a windowed series (eval/value.ts)
      for (let k = 0; k < s.values.length; k++) if (s.present[k]) add(labels, first + k, s.values[k]);
    }
  }
  const series = out.result();
  if (node.op === 'rate' || node.op === 'bytes_rate')
    for (const s of series) for (let k = 0; k < s.values.length; k++) s.values[k] /= seconds;
  return series;
}
