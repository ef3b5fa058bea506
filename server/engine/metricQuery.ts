// Metric queries. Each range aggregation is answered by its cheapest source: fully in SQL when the whole pipeline
// pushes down (sql/rangeAggregate.ts), otherwise by scanning the rows of its window, running the TypeScript pipeline
// and aggregating here. Everything above range aggregations is evaluated in eval/metric.ts.
import type { MetricExpr, RangeAggregation } from '../logql/ast';
import { compilePipeline, compileUnwrap } from '../eval/pipeline';
import { keepsUnwrappedLabel, rangeParserHints } from '../eval/pipeline/hints';
import { evalMetric, evalWindowed, type Consumer } from '../eval/metric';
import { evalRangeAggregation, SampleCollector } from '../eval/range';
import { memberProjection, StepAggregator, streamable } from '../eval/stepAggregator';
import type { StepGrid } from '../eval/steps';
import type { EvalValue, SeriesData } from '../eval/value';
import { splitPipeline } from '../plan/pushdown';
import { prefilterFor, recordProcessed, type ExecContext } from './context';
import { startSpan } from '../telemetry/tracing';
import type { Labels } from './types';
import { LogQLError } from '../logql/errors';
import { pushRangeAggregation } from './metricPushdown';
import { rowsInSlices } from './slices';

type EntryRow = {
  stream_id: bigint;
  ts: bigint;
  line: string;
  metadata: string | null;
};

const utf8 = new TextEncoder();

export async function runMetricQuery(ctx: ExecContext, expr: MetricExpr, grid: StepGrid): Promise<EvalValue> {
  return evalMetric(expr, grid, (node, g, consumer) => rangeSource(ctx, node, g, consumer), ctx.query);
}

/** runMetricQuery whose series may be windowed (eval/value.ts), for the answer's encoding. */
export async function runMetricQueryWindowed(ctx: ExecContext, expr: MetricExpr, grid: StepGrid): Promise<EvalValue> {
  return evalWindowed(expr, grid, (node, g, consumer) => rangeSource(ctx, node, g, consumer), ctx.query);
}

/** A range aggregation's series; Loki fails the query when one of them carries `__error__` (RangeVectorEvaluator),
 *  whatever the expression above does with it (`or`, `avg by`, …). */
async function rangeSource(
  ctx: ExecContext,
  node: RangeAggregation,
  grid: StepGrid,
  consumer?: Consumer,
): Promise<SeriesData[]> {
  // the processed-lines stats are counted alongside the aggregation (another connection): a cold count overlaps it
  const { from, to } = sampleBounds(node, grid);
  const counted = ctx.catalog
    .select(node.log.matchers, from, to)
    .then((streams) => recordProcessed(ctx, streams, from, to, true));
  counted.catch(() => undefined); // awaited below; when the aggregation fails first, its outcome does not matter
  const pushed = ctx.pushdown === false ? undefined : await pushedOrTooComplex(ctx, node, grid, consumer);
  const series = pushed ?? (await scanRangeAggregation(ctx, node, grid, consumer));
  assertNoPipelineError(ctx, series);
  await counted;
  return series;
}

/** The pushed-down answer, or undefined (the TypeScript scan answers) when the engine found the statement too deep to
 *  plan: a pipeline of hundreds of stages nests its SQL expressions as deep. */
async function pushedOrTooComplex(
  ctx: ExecContext,
  node: RangeAggregation,
  grid: StepGrid,
  consumer?: Consumer,
): Promise<SeriesData[] | undefined> {
  try {
    return await pushRangeAggregation(ctx, node, grid, consumer);
  } catch (e) {
    if (!ctx.dialect.isTooComplex?.(e)) throw e;
    ctx.stats.tsStages.push('the database found the pushed statement too deep to plan: the pipeline ran in TypeScript');
    return undefined;
  }
}

/** Everything a SQL aggregation needs to know about the windows of `node` on `grid` (sql/stepWindows.ts). */
export function windowsOf(node: RangeAggregation, grid: StepGrid) {
  return {
    ...sampleBounds(node, grid),
    firstStep: grid.times[0],
    step: grid.step,
    steps: grid.times.length,
    range: node.range,
    offset: node.offset,
  };
}

/** Samples in [first window start, last window end], `to` exclusive: see eval/steps.ts. */
export function sampleBounds(node: RangeAggregation, grid: StepGrid): { from: bigint; to: bigint } {
  return { from: grid.times[0] - node.offset - node.range, to: grid.times[grid.times.length - 1] - node.offset + 1n };
}

/** Rows per page of a TypeScript scan: memory stays bounded however many rows a window holds. */
const SCAN_PAGE = 50_000;

async function scanRangeAggregation(
  ctx: ExecContext,
  node: RangeAggregation,
  grid: StepGrid,
  consumer?: Consumer,
): Promise<SeriesData[]> {
  const { from, to } = sampleBounds(node, grid);
  const streams = await ctx.catalog.select(node.log.matchers, from, to);
  const split = splitPipeline(node.log.pipeline, ctx.dialect.capabilities, ctx.lineFiltersInSql !== false);
  ctx.stats.tsStages.push(...split.reasons, `${node.op} over the pipeline's samples runs in TypeScript`);
  // fold samples into steps as they stream by when the function allows it; otherwise keep them for the windows
  const folding = streamable(node, grid) ? new StepAggregator(node, grid, memberProjection(consumer)) : undefined;
  // absent_over_time reads the samples of every series ungrouped
  const collector = folding
    ? undefined
    : new SampleCollector(node.op === 'absent_over_time' ? undefined : node.grouping);
  const sink = (labels: Labels, ts: bigint, v: number): void =>
    folding ? folding.add(labels, ts, v) : collector!.add(labels, ts, v);
  if (streams.length > 0 || !ctx.execute) {
    const byId = new Map(streams.map((s) => [s.id, s.labels]));
    // Loki's parser hints decide whether parsers run (and so whether they can fail) on each line
    const pipeline = compilePipeline(split.rest, rangeParserHints(node, consumer));
    const unwrap = node.unwrap
      ? compileUnwrap(node.unwrap, { keepLabel: keepsUnwrappedLabel(node, consumer) })
      : undefined;
    const bytes = node.op === 'bytes_over_time' || node.op === 'bytes_rate';
    const prefilter = prefilterFor(ctx, split.rest, streams);
    const base = { prefilter, streamIds: [...byId.keys()], from, to, filters: split.pushed, order: 'asc' as const };
    // in time slices of about a page each (engine/slices.ts): one statement when the range fits a page
    for await (const rows of rowsInSlices<EntryRow>(ctx, base, from, to, ctx.scanPage ?? SCAN_PAGE)) {
      const span = startSpan('typescript pipeline', { 'logqlsql.rows.in': rows.length, 'logqlsql.op': node.op });
      for (const r of rows) {
        const ts = BigInt(r.ts);
        const metadata = r.metadata ? (JSON.parse(r.metadata) as Labels) : undefined;
        const out = pipeline({ ts, line: r.line, stream: byId.get(BigInt(r.stream_id))!, metadata });
        if (!out) continue;
        if (unwrap) {
          const s = unwrap(out);
          if (s) sink(s.labels, ts, s.value);
        } else sink(out.labels, ts, bytes ? utf8.encode(out.line).length : 1);
      }
      span?.end();
    }
  }
  return folding ? folding.result() : evalRangeAggregation(node, collector!.result(), grid, true);
}

/** Loki fails a metric query whose result series still carry `__error__` (the user must filter or drop it). */
function assertNoPipelineError(ctx: ExecContext, series: SeriesData[]): void {
  for (const s of series) {
    const err = s.labels.__error__;
    if (err !== undefined && err !== '' && s.labels.__preserve_error__ !== 'true') {
      const shown = Object.entries(s.labels)
        .filter(([k]) => k !== '__error_details__')
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ');
      throw new LogQLError(
        'execution',
        `pipeline error: '${err}' for series: '{${shown}}'. Use a label filter to intentionally skip this error ` +
          `(e.g | __error__!="${err}"). To skip all potential errors you can match empty errors (e.g __error__=""). ` +
          `The label filter can also be specified after unwrap (e.g | unwrap latency | __error__="").`,
      );
    }
  }
}
