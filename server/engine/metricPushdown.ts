// Decides whether a range aggregation runs entirely in SQL and, if so, runs it. A pushdown is taken only when the
// database's answer is exactly Loki's:
// - line-counting and byte-counting functions over pipelines made only of line filters the dialect can express
//   (series = streams: no parser can add labels or errors);
// - unwrapped aggregations over `| json | unwrap field` or a pipeline SQL computes, grouped `by` stream labels or by
//   labels the pipeline extracts, when every row's value is certain (sql/unwrapAggregate.ts reports rows it cannot be
//   sure of: the TypeScript pipeline runs on those alone and merges where the function allows, else answers whole);
// - both of the above under a decomposable vector aggregation (`sum by (stream labels)` over counts, sums and rates,
//   `max` over max_over_time, `min` over min_over_time): parser stages cannot change what such an aggregation reads
//   (parsers never drop lines, and an extracted label that clashes with a stream label becomes `<name>_extracted`),
//   so the database aggregates per stream or per group and the parsed label sets are never materialised.
import type { RangeAggregation, Stage } from '../logql/ast';
import type { Consumer } from '../eval/metric';
import type { StreamInfo } from './streams';
import type { StepGrid } from '../eval/steps';
import { newSeries, SeriesCells, type SeriesData } from '../eval/value';
import { splitPipeline } from '../plan/pushdown';
import { compileCountingAggregate, compileMetadataProbe } from '../sql/rangeAggregate';
import {
  compileUnwrapAggregate,
  compileUnwrapUnsureRows,
  compileUnwrapValues,
  type UnwrapAggOp,
} from '../sql/unwrapAggregate';
import { evalRangeAggregation, SampleCollector } from '../eval/range';
import { groupLabels } from '../eval/grouping';
import { compilePipeline, compileUnwrap } from '../eval/pipeline';
import type { Labels } from './types';
import { labelsKey } from '../eval/value';
import { runSql, type ExecContext } from './context';
import { sampleBounds, windowsOf } from './metricQuery';
import { outputGroups, pushParsedCount } from './parsedPushdown';
import { keepsUnwrappedLabel, rangeParserHints } from '../eval/pipeline/hints';
import { StepAggregator } from '../eval/stepAggregator';
import { fixedLabelNames, sqlPipelineFor } from '../sql/pipeline/plan';
import { NotInSql, type SqlPipeline } from '../sql/pipeline/compile';
import type { SqlWriter } from '../sql/dialect';
import { JsonSpellings } from '../sql/jsonSpellings';

/** range functions whose counts aggregate in SQL (explain reads these rules too) */
export const COUNTING = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);

export async function pushRangeAggregation(
  ctx: ExecContext,
  node: RangeAggregation,
  grid: StepGrid,
  consumer?: Consumer,
): Promise<SeriesData[] | undefined> {
  if (node.unwrap) return pushUnwrap(ctx, node, grid, consumer);
  if (!COUNTING.has(node.op) || node.grouping) return undefined;
  const split = splitPipeline(node.log.pipeline, ctx.dialect.capabilities);
  const { from, to } = sampleBounds(node, grid);
  const streams = await ctx.catalog.select(node.log.matchers, from, to);
  // Two exact ways to count in SQL when TypeScript stages remain:
  // - label-only stages (drop, keep, label filters) with no parser before them see nothing but the stream labels and
  //   structured metadata, identical for every row of a (stream, metadata) group: they run once per group here;
  // - parsers under `sum by (stream labels)` cannot change what the sum reads (see the header).
  const labelOnly = split.rest.every((st) => LABEL_ONLY.has(st.kind));
  const collapses = consumer?.op === 'sum' && !!collapsedTo(consumer, streams);
  // (a parser can fail only when Loki runs it: with no label needed (`sum` without grouping) it is skipped;
  //  under `sum by (stream labels)` json, unpack and strict logfmt still run and may fail the query)
  const parsersUnderSum =
    collapses &&
    onlyParsers(split.rest) &&
    (rangeParserHints(node, consumer)?.noLabels === true || split.rest.every(cannotFail));
  if (!labelOnly && !parsersUnderSum) {
    if (streams.length === 0 && ctx.execute) return [];
    return pushParsedCount(ctx, node, grid, consumer, split, streams);
  }
  if (streams.length === 0 && ctx.execute) return [];
  // Rows with structured metadata are series of their own (Loki gives a bare range aggregation's series the metadata
  // as labels), unless the consumer collapses series to stream labels anyway.
  const fused = parsersUnderSum || (collapses && split.rest.length === 0);
  // fused: the database counts per group of the consumer's labels (fewer rows than per stream)
  const groups = fused ? streamGroups(streams, collapsedTo(consumer!, streams)!) : undefined;
  const agg = {
    streamIds: streams.map((s) => s.id),
    filters: split.pushed,
    ...windowsOf(node, grid),
    bytes: node.op === 'bytes_over_time' || node.op === 'bytes_rate',
    byMetadata: !fused,
    groupOf: groups?.of,
  };
  if (agg.byMetadata && ctx.dialect.capabilities.probeMetadata && ctx.execute) {
    const probe = compileMetadataProbe(ctx.dialect, agg);
    agg.byMetadata = (await runSql(ctx, probe.text, probe.params)).length > 0;
  }
  const q = compileCountingAggregate(ctx.dialect, agg);
  const rows = await runSql<{
    stream_id: bigint;
    metadata: string | null;
    k: bigint | number;
    /** when present: the row counts in every step from k to k_hi */
    k_hi?: number;
    n: bigint | number;
    b: bigint | number;
  }>(ctx, q.text, q.params);
  const labels = groups
    ? new Map(groups.labels.map((l, i) => [BigInt(i), l]))
    : new Map(streams.map((s) => [s.id, s.labels]));
  const merge = compilePipeline(fused ? [] : split.rest);
  const seriesOf = new Map<string, SeriesData>(); // (stream, metadata) → its series
  const out = new Map<string, SeriesData>(); // label set → series: different metadata texts may give one label set
  const seconds = Number(node.range) / 1e9;
  const lines = node.op === 'count_over_time' || node.op === 'rate';
  for (const r of rows) {
    const id = BigInt(r.stream_id);
    const rowKey = `${id} ${r.metadata ?? ''}`;
    let s = seriesOf.get(rowKey);
    if (s === DROPPED) continue;
    if (!s) {
      const stream = labels.get(id)!;
      const metadata = r.metadata ? (JSON.parse(r.metadata) as Labels) : undefined;
      // the labels the (label-only) pipeline gives a row of this stream with this metadata (clashes get
      // `_extracted`); a group the label filters drop is skipped whole
      let l: Labels = stream;
      if (metadata || !fused) {
        const res = merge({ ts: 0n, line: '', stream, metadata });
        if (!res) {
          seriesOf.set(rowKey, DROPPED);
          continue;
        }
        l = { ...res.labels };
      }
      const key = labelsKey(l);
      s = out.get(key) ?? newSeries(l, grid.times.length);
      out.set(key, s);
      seriesOf.set(rowKey, s);
    }
    const k = Number(r.k);
    const n = Number(r.n);
    const b = Number(r.b);
    // counts and bytes add up across the rows that share a label set and step (rates divide the sum, as Loki's
    // count / seconds: integers below 2^53 add exactly, the quotients of parts would not)
    const v = lines ? n : b;
    const last = r.k_hi === undefined ? k : Number(r.k_hi);
    for (let j = k; j <= last; j++) {
      s.values[j] += v;
      s.present[j] = 1;
    }
  }
  if (node.op === 'rate' || node.op === 'bytes_rate')
    for (const s of out.values()) for (let j = 0; j < s.values.length; j++) if (s.present[j]) s.values[j] /= seconds;
  return [...out.values()];
}

/** range functions over unwrapped values that aggregate in SQL (explain reads these rules too) */
export const UNWRAP_OPS = new Set<string>([
  'sum_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'first_over_time',
  'last_over_time',
  'rate',
]);

/** Stages that read and change labels only (never the line): without a parser before them, constant per group. */
const LABEL_ONLY = new Set<Stage['kind']>(['drop', 'keep', 'labelFilter']);

/** Marks a (stream, metadata) group whose rows the label filters drop. */
const DROPPED = newSeries({}, 0);

/** Stages that never drop a line, never rewrite it and never change a stream label's value. */
const PARSERS = new Set<Stage['kind']>(['json', 'logfmt', 'regexp', 'pattern']);

/** regexp, pattern and non-strict logfmt never set __error__ */
function cannotFail(s: Stage): boolean {
  return s.kind === 'regexp' || s.kind === 'pattern' || (s.kind === 'logfmt' && !s.strict);
}

function onlyParsers(stages: Stage[]): boolean {
  return stages.every((s) => PARSERS.has(s.kind));
}

/** The labels a decomposable outer aggregation groups by, when every selected stream carries them all. */
function collapsedTo(consumer: Consumer, streams: StreamInfo[]): string[] | undefined {
  if (consumer.grouping?.without) return undefined;
  const by = consumer.grouping?.labels ?? [];
  return streams.every((s) => by.every((g) => !!s.labels[g])) ? by : undefined;
}

/** Streams grouped by their values of `by`: each stream's group index and each group's labels. */
function streamGroups(streams: StreamInfo[], by: string[]): { of: bigint[]; labels: Labels[] } {
  const index = new Map<string, number>();
  const labels: Labels[] = [];
  const of = streams.map((s) => {
    const g = groupLabels(s.labels, false, by);
    const k = labelsKey(g);
    let i = index.get(k);
    if (i === undefined) {
      i = labels.length;
      index.set(k, i);
      labels.push(g);
    }
    return BigInt(i);
  });
  return { of, labels };
}

/** Which vector aggregation can absorb which unwrapped range aggregation. */
const ABSORBS: Record<string, string[]> = {
  sum: ['sum_over_time', 'rate'],
  max: ['max_over_time'],
  min: ['min_over_time'],
};

async function pushUnwrap(
  ctx: ExecContext,
  node: RangeAggregation,
  grid: StepGrid,
  consumer?: Consumer,
): Promise<SeriesData[] | undefined> {
  const u = node.unwrap!;
  // conversions: duration() and bytes() in SQL where the dialect runs parsers (texts SQL reads exactly, else unsure).
  // Post filters: only `__error__=""`, which keeps every row SQL is sure of (those carry no error)
  const duration = u.conversion === 'duration' || u.conversion === 'duration_seconds';
  const conversion = duration ? ('duration' as const) : u.conversion === 'bytes' ? ('bytes' as const) : undefined;
  const convertible = !u.conversion || (!!conversion && !!ctx.dialect.parsers);
  const noErrorOnly = u.postFilters.every(
    (f) => f.expr.kind === 'string' && f.expr.name === '__error__' && f.expr.op === '=' && f.expr.value === '',
  );
  if (!ctx.dialect.capabilities.jsonExtract || !UNWRAP_OPS.has(node.op) || !convertible || !noErrorOnly)
    return undefined;
  let by: string[] | undefined = node.grouping && !node.grouping.without ? node.grouping.labels : undefined;
  const fused = !node.grouping && consumer && ABSORBS[consumer.op]?.includes(node.op);
  // no grouping: every series is its own, which SQL can group when the query fixes the label set (fixedLabelNames)
  const full = !node.grouping && !fused;
  if (node.grouping && !by) return undefined;
  if (node.op === 'quantile_over_time' && !(node.param !== undefined && node.param >= 0 && node.param <= 1))
    return undefined;
  const split = splitPipeline(node.log.pipeline, ctx.dialect.capabilities);
  const [json, ...more] = split.rest;
  // (with post filters: the pipeline path, whose json labels also check for keys that sanitise to the same name)
  const plainJson =
    !!json && json.kind === 'json' && json.params.length === 0 && more.length === 0 && u.postFilters.length === 0;
  const { from, to } = sampleBounds(node, grid);
  const streams = await ctx.catalog.select(node.log.matchers, from, to);
  if (streams.length === 0 && ctx.execute) return [];
  if (fused) by = consumer!.grouping?.without ? undefined : (consumer!.grouping?.labels ?? []);
  // (without grouping the sample extractor removes the unwrapped label)
  if (full) by = fixedLabelNames(split.rest, streams)?.filter((n) => n !== u.label);
  if (!by) return undefined;
  // the unwrapped field must come from the line (a stream label of that name would shadow it)
  if (streams.some((s) => s.labels[u.label] !== undefined)) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(u.label)) return undefined;
  // grouping labels every stream carries: SQL groups streams. Others (labels the parsers extract): SQL groups rows
  // by the pipeline's outputs for them, which are Loki's label values (a stream label where one exists, a parsed
  // one's clash renamed `<name>_extracted`), so plain json takes the pipeline too
  const byStreams = !full && streams.every((s) => by!.every((g) => !!s.labels[g]));
  if (!byStreams && by.includes(u.label)) return undefined;
  const outputs = byStreams ? [] : by;
  // other pipelines: computed in SQL (sql/pipeline) when the dialect can, the unwrapped label as its last output
  let pipeline: ((w: SqlWriter) => SqlPipeline) | undefined;
  if (!plainJson || !byStreams) {
    const p = sqlPipelineFor(ctx.dialect, split.rest, streams, outputs, {
      numericOutputs: [u.label],
      allLabels: full,
    });
    if (p instanceof NotInSql) {
      ctx.stats.tsStages.push(p.reason);
      return undefined;
    }
    pipeline = p;
  }
  const { of: groupOf, labels: groupLabelsOf } = byStreams ? streamGroups(streams, by) : { of: [], labels: [] };
  const outputGroup = outputGroups(by, 'g');
  /** a SQL row's group labels: its group of streams', or the pipeline's output values (empty: no such label) */
  const labelsOf = (r: Record<string, unknown>): Labels =>
    byStreams ? groupLabelsOf[Number(r.grp)]! : outputGroup(r).labels;
  type UnwrapRow = {
    [g: `g${number}`]: string | null;
    grp: bigint | null;
    k: bigint | null;
    value: number | null;
    n: bigint | number | null;
    total: number | null;
    unsure: bigint | null;
    ties: bigint | number | null;
  };
  const spec = (fast: boolean) => ({
    op: node.op as UnwrapAggOp,
    param: node.param,
    streamIds: streams.map((s) => s.id),
    groupOf,
    groupOutputs: outputs.length,
    filters: split.pushed,
    field: u.label,
    watched: [...new Set(streams.flatMap((s) => Object.keys(s.labels)))],
    quirky: streams.filter((s) => s.jsonQuirks).map((s) => s.id),
    spellings: new JsonSpellings(streams),
    fast: fast && !pipeline && !conversion,
    pipeline,
    conversion,
    ...windowsOf(node, grid),
  });
  const run = (fast: boolean) => {
    const q = compileUnwrapAggregate(ctx.dialect, spec(fast));
    return runSql<UnwrapRow>(ctx, q.text, q.params);
  };
  let rows: UnwrapRow[];
  try {
    rows = await run(!!ctx.dialect.jsonFieldFast);
  } catch (e) {
    // an invalid JSON line stopped the optimistic statement: the safe one counts such rows as unsure
    if (!ctx.dialect.isInvalidJson?.(e)) throw e;
    rows = await run(false);
  }
  if (!ctx.execute) return []; // translate: the pushed statement is the plan (TypeScript answers only if rows are unsure)
  const out = new SeriesCells('set');
  // unreadable rows are counted in a row of their own (grp and k NULL) or in their group's; a group of them alone
  // has no value
  const unsure = rows.reduce((n, r) => n + Number(r.unsure ?? 0), 0);
  if (node.op === 'first_over_time' || node.op === 'last_over_time') {
    // which sample is first or last at a shared timestamp, and where unsure rows fall among sure ones, is decided by
    // the order the scan path reads rows in (ts, stream, line): TypeScript answers
    if (unsure > 0 || rows.some((r) => Number(r.ties ?? 0) > 0)) {
      ctx.stats.tsStages.push(`${node.op} over samples sharing a timestamp, or lines SQL could not read: TypeScript`);
      return undefined;
    }
  }
  if (unsure > 0) {
    const unsureCtx: UnsureRows = {
      ctx,
      node,
      grid,
      consumer,
      rest: split.rest,
      streams,
      by: full ? undefined : by,
      labelsOf,
    };
    // functions whose partial answers add up: the unsure rows run through the TypeScript pipeline and are merged in
    if (MERGEABLE.has(node.op)) {
      const merged = await mergeUnsure(unsureCtx, rows, () => compileUnwrapUnsureRows(ctx.dialect, spec(false)));
      if (merged) {
        ctx.stats.tsStages.push(`${unsure} lines SQL could not parse exactly as Loki ran in TypeScript`);
        return merged;
      }
    } else {
      // the others (quantiles, deviations): TypeScript over every value, the sure ones as SQL read them
      const all = await overAllValues(unsureCtx, () => compileUnwrapValues(ctx.dialect, spec(false)));
      if (all) {
        ctx.stats.tsStages.push(
          `${unsure} lines SQL could not parse exactly as Loki ran in TypeScript; ${node.op} over every value in TypeScript`,
        );
        return all;
      }
    }
    ctx.stats.tsStages.push(
      `${unsure} rows the database could not parse exactly as Loki: the pipeline ran in TypeScript`,
    );
    return undefined;
  }
  for (const r of rows) {
    if (r.k === null || r.value === null || (byStreams && r.grp === null)) continue;
    // (a group of streams is keyed by its index: no labels key per row)
    if (byStreams) out.add(labelsOf(r), Number(r.k), Number(r.value), `#${r.grp}`);
    else {
      const { labels, key } = outputGroup(r);
      out.add(labels, Number(r.k), Number(r.value), key);
    }
  }
  return out.result();
}

/** What running the rows SQL was unsure of through the TypeScript pipeline needs. */
interface UnsureRows {
  ctx: ExecContext;
  node: RangeAggregation;
  grid: StepGrid;
  consumer: Consumer | undefined;
  rest: Stage[];
  streams: StreamInfo[];
  /** the grouping; undefined: every label (a range aggregation without grouping) */
  by: string[] | undefined;
  /** a SQL row's group labels */
  labelsOf: (r: Record<string, unknown>) => Labels;
}

/** A raw row's sample as the scan path computes it (parser hints, unwrap conversion and its errors): undefined when
 *  the line yields none, 'error' when it carries an error (the whole query then runs in TypeScript, which fails it as
 *  Loki does, or keeps the error label where asked). */
function sampler(
  u: UnsureRows,
): (r: { stream_id: bigint; ts: bigint; line: string; metadata: string | null }) => Sample | undefined | 'error' {
  const byId = new Map(u.streams.map((s) => [s.id, s.labels]));
  const pipeline = compilePipeline(u.rest, rangeParserHints(u.node, u.consumer));
  const unwrap = compileUnwrap(u.node.unwrap!, { keepLabel: keepsUnwrappedLabel(u.node, u.consumer) });
  return (r) => {
    const ts = BigInt(r.ts);
    const metadata = r.metadata ? (JSON.parse(r.metadata) as Labels) : undefined;
    const out = pipeline({ ts, line: r.line, stream: byId.get(BigInt(r.stream_id))!, metadata });
    const smp = out ? unwrap(out) : null;
    if (!smp) return undefined;
    if (smp.labels.__error__ !== undefined && smp.labels.__error__ !== '') return 'error';
    return { ts, labels: smp.labels, value: smp.value };
  };
}

type Sample = { ts: bigint; labels: Labels; value: number };

/** The unwrapped aggregation in TypeScript over every row's value: SQL's where it is sure of it, the TypeScript
 *  pipeline's for the other rows (for functions whose partial answers do not merge). Undefined on an error. */
async function overAllValues(
  u: UnsureRows,
  values: () => { text: string; params: unknown[] },
): Promise<SeriesData[] | undefined> {
  const q = values();
  type Row = {
    stream_id: bigint;
    ts: bigint;
    v: number | null;
    u_line: string | null;
    u_metadata: string | null;
  } & Record<string, unknown>;
  const rows = await runSql<Row>(u.ctx, q.text, q.params as never);
  const sample = sampler(u);
  // samples already reduced to the grouping's labels
  const samples = new SampleCollector();
  for (const r of rows) {
    if (r.v !== null) {
      samples.add(u.labelsOf(r), BigInt(r.ts), Number(r.v));
      continue;
    }
    const smp = sample({ stream_id: r.stream_id, ts: r.ts, line: r.u_line ?? '', metadata: r.u_metadata });
    if (smp === 'error') return undefined;
    if (smp) samples.add(u.by ? groupLabels(smp.labels, false, u.by) : smp.labels, smp.ts, smp.value);
  }
  return evalRangeAggregation(u.node, samples.result(), u.grid, true);
}

/** Unwrapped range functions whose answer over a window merges from partial answers: sums, counts, minima, maxima. */
const MERGEABLE = new Set<string>(['sum_over_time', 'rate', 'avg_over_time', 'min_over_time', 'max_over_time']);

/**
 * The unwrapped aggregation from SQL's partial answers (rows it was sure of, per group and step: count, sum, min or
 * max) and the rows it was not sure of, run through the TypeScript pipeline here as the scan path would (parser hints,
 * unwrap conversion and its errors): sums and counts add, minima and maxima compare, means divide the merged sum by
 * the merged count. Undefined when a TypeScript row carries an error (the whole query then runs in TypeScript, which
 * fails it as Loki does, or keeps the error label where asked).
 */
async function mergeUnsure(
  u: UnsureRows,
  sqlRows: {
    grp: bigint | null;
    k: bigint | null;
    value: number | null;
    n: bigint | number | null;
    total: number | null;
  }[],
  unsureRows: () => { text: string; params: unknown[] },
): Promise<SeriesData[] | undefined> {
  const { node, grid, by, labelsOf } = u;
  const q = unsureRows();
  type Row = { stream_id: bigint; ts: bigint; line: string; metadata: string | null };
  const lines = await runSql<Row>(u.ctx, q.text, q.params as never);
  const sample = sampler(u);
  const grouping = by ? { without: false, labels: by, span: node.span } : undefined;
  const fold = (op: RangeAggregation['op']) => new StepAggregator({ ...node, op, grouping }, grid);
  const sums = fold('sum_over_time');
  const counts = fold('count_over_time');
  const extreme = node.op === 'min_over_time' || node.op === 'max_over_time' ? fold(node.op) : undefined;
  for (const r of lines) {
    const smp = sample(r);
    if (smp === 'error') return undefined;
    if (!smp) continue;
    sums.add(smp.labels, smp.ts, smp.value);
    counts.add(smp.labels, smp.ts, 1);
    extreme?.add(smp.labels, smp.ts, smp.value);
  }
  // per group key and step: count, sum, min or max (sparse: a group holds only the steps it has values in)
  type Acc = { n: number; sum: number; ext: number };
  const cells = new Map<string, { labels: Labels; steps: Map<number, Acc> }>();
  const acc = (labels: Labels, k: number): Acc => {
    const key = labelsKey(labels);
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { labels, steps: new Map() }));
    let a = c.steps.get(k);
    if (!a) c.steps.set(k, (a = { n: 0, sum: 0, ext: NaN }));
    return a;
  };
  const isMin = node.op === 'min_over_time';
  const better = (a: number, b: number) =>
    Number.isNaN(a) ? b : Number.isNaN(b) ? a : isMin ? Math.min(a, b) : Math.max(a, b);
  for (const r of sqlRows) {
    if (r.k === null || r.n === null || Number(r.n) === 0) continue;
    const a = acc(labelsOf(r), Number(r.k));
    a.n += Number(r.n);
    a.sum += Number(r.total);
    if (extreme) a.ext = better(a.ext, Number(r.value));
  }
  const each = (series: SeriesData[], f: (a: Acc, v: number) => void) => {
    for (const s of series) {
      const labels = by ? groupLabels(s.labels, false, by) : s.labels;
      const first = s.first ?? 0;
      for (let j = 0; j < s.values.length; j++) if (s.present[j]) f(acc(labels, first + j), s.values[j]!);
    }
  };
  each(counts.result(), (a, v) => (a.n += v));
  each(sums.result(), (a, v) => (a.sum += v));
  if (extreme) each(extreme.result(), (a, v) => (a.ext = better(a.ext, v)));
  const seconds = Number(node.range) / 1e9;
  const result = new SeriesCells('set');
  for (const [key, c] of cells) {
    for (const [k, a] of c.steps) {
      if (a.n === 0) continue;
      const v =
        node.op === 'sum_over_time'
          ? a.sum
          : node.op === 'rate'
            ? a.sum / seconds
            : node.op === 'avg_over_time'
              ? a.sum / a.n
              : a.ext;
      result.add(c.labels, k, v, key);
    }
  }
  return result.result();
}
