// Decides whether a range aggregation runs entirely in SQL and, if so, runs it. A pushdown is taken only when the
// database's answer is exactly Loki's: today, line-counting and byte-counting functions over pipelines made only of
// line filters the dialect can express (series = streams, no parser can add labels or errors).
import type { RangeAggregation } from '../logql/ast';
import type { StepGrid } from '../eval/steps';
import { newSeries, type SeriesData } from '../eval/value';
import { splitPipeline } from '../plan/pushdown';
import { compileCountingAggregate } from '../sql/rangeAggregate';
import { runSql, type ExecContext } from './context';
import { sampleBounds } from './metricQuery';

const COUNTING = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);

export async function pushRangeAggregation(ctx: ExecContext, node: RangeAggregation, grid: StepGrid): Promise<SeriesData[] | undefined> {
  if (!COUNTING.has(node.op) || node.unwrap || node.grouping) return undefined;
  const split = splitPipeline(node.log.pipeline, ctx.dialect.capabilities);
  if (split.rest.length > 0) return undefined;
  const { from, to } = sampleBounds(node, grid);
  const streams = await ctx.catalog.select(node.log.matchers, from, to);
  if (streams.length === 0) return [];
  const q = compileCountingAggregate(ctx.dialect, {
    streamIds: streams.map((s) => s.id),
    filters: split.pushed,
    from,
    to,
    firstStep: grid.times[0],
    step: grid.step,
    steps: grid.times.length,
    range: node.range,
    offset: node.offset,
  });
  const rows = await runSql<{ stream_id: bigint; k: bigint | number; n: bigint | number; b: bigint | number }>(ctx, q.text, q.params);
  const labels = new Map(streams.map((s) => [s.id, s.labels]));
  const out = new Map<bigint, SeriesData>();
  const seconds = Number(node.range) / 1e9;
  for (const r of rows) {
    const id = BigInt(r.stream_id);
    let s = out.get(id);
    if (!s) {
      s = newSeries(labels.get(id)!, grid.times.length);
      out.set(id, s);
    }
    const k = Number(r.k);
    const n = Number(r.n);
    const b = Number(r.b);
    s.values[k] = node.op === 'count_over_time' ? n : node.op === 'rate' ? n / seconds : node.op === 'bytes_over_time' ? b : b / seconds;
    s.present[k] = 1;
  }
  return [...out.values()];
}
