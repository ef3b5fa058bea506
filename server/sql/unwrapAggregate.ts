// Unwrapped range aggregations over `| json | unwrap field` computed in the database. Each row's value is the
// top-level JSON field; a row whose answer SQL cannot give exactly as Loki would (invalid JSON, a missing or
// non-numeric field, structured metadata that could shadow labels) is counted as "unsure" instead of aggregated, and
// the caller falls back to the TypeScript pipeline when any exists — a pushed-down answer is Loki's answer or none.
//
// Each row lands in every step whose window covers it (sql/stepWindows.ts, unbucketed: quantiles need every value).
import type { LineFilter, RangeOp } from '../logql/ast';
import { SqlWriter, type Dialect } from './dialect';
import { offsetInRange, stepSpan } from './stepWindows';
import { entriesWhere, type CompiledSql } from './rowSelect';
import { ENTRIES_TABLE } from '../schema/native';
import { pipelineRows } from './pipelineSelect';
import { isPlainDecimal } from './numerals';
import { lenientJsonRow } from './jsonQuirks';
import { JsonSpellings, keyLookalikes } from './jsonSpellings';
import type { SqlPipeline } from './rangeAggregate';
import { durationNanos } from './pipeline/compile';

export type UnwrapAggOp = Extract<
  RangeOp,
  | 'sum_over_time'
  | 'avg_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'rate'
>;

export interface UnwrapAggregate {
  op: UnwrapAggOp;
  param?: number;
  /** stream ids and, for each, the index of the output group it belongs to */
  streamIds: bigint[];
  groupOf: bigint[];
  /** instead of groups of streams: rows grouped by the pipeline's first `groupOutputs` outputs (labels it extracts),
   *  as columns g0… ('' for an absent label) */
  groupOutputs?: number;
  filters: LineFilter[];
  field: string;
  /** label names structured metadata must not hold for a row to be sure: the field's, the streams' (grouping) */
  watched?: string[];
  /** streams that may hold JSON lines only the engine's reader accepts (sql/jsonQuirks.ts): such lines are unsure */
  quirky?: bigint[];
  /** which streams may spell the field another way (sql/jsonSpellings.ts); absent: unknown for all */
  spellings?: JsonSpellings;
  /** use the dialect's optimistic JSON access (may raise on invalid JSON: see Dialect.jsonFieldFast) */
  fast?: boolean;
  /** instead of `| json` reading `field`: a pipeline computed in SQL whose last output is the unwrapped label */
  pipeline?: SqlPipeline;
  /** `unwrap duration(field)`: the text is a Go duration, the value its seconds; `unwrap bytes(field)`: a
   *  go-humanize byte size, the value its bytes (dialects with parsers only) */
  conversion?: 'duration' | 'bytes';
  from: bigint;
  to: bigint;
  firstStep: bigint;
  step: bigint;
  steps: number;
  range: bigint;
  offset: bigint;
}

/** Each row of the aggregation's scan with its value `v` (NULL: unsure) and its group (`grp`, or the pipeline's
 *  outputs g0…); with the line and its metadata too when `withLine` (the unsure rows' statement). */
function valueRows(d: Dialect, w: SqlWriter, q: UnwrapAggregate, withLine: boolean): { ctes: string[]; rows: string } {
  const ctes: string[] = [];
  const where = entriesWhere(w, q.streamIds, q.from + 1n, q.to, q.filters).join(' AND ');
  // the stream → group lookup (bound before the pipeline's parameters, where it always was)
  const grp = q.groupOutputs
    ? ''
    : `, ${d.lookup(w.bind(q.streamIds, 'int64[]'), w.bind(q.groupOf, 'int64[]'), 'stream_id')} AS grp`;
  let carried = withLine ? ', line, metadata' : '';
  let rows: string;
  if (q.pipeline) {
    // The pipeline's rows: unsure ones (u) have no value and count as unsure. A kept row the pipeline gives no label
    // (or an empty one) yields no sample, as in Loki (labelSampleExtractor: "fine for a line not to have it"): the
    // pipeline's outputs are exact on rows it is sure of, so such rows are left out, not sent to TypeScript.
    // Its columns are computed once, in a shared (materialised) CTE: read through plain subqueries, the database
    // inlined a label's expression into each mention (u, the value, the filter) and ran its regexes up to three times
    // a row (a logfmt unwrap over 324 k lines: 460 → 210 ms on DuckDB).
    const pl = q.pipeline(w);
    const o = `o${pl.output.size - 1}`;
    const gs = q.groupOutputs ? groupKeys(q) : [];
    const keyed = gs.map((g, i) => `, coalesce(o${i}, '') AS ${g}`).join('');
    ctes.push(
      d.sharedCte(
        'piped',
        `SELECT ts, stream_id${carried}, u, kp${keyed}, ${o} AS o_v FROM (${pipelineRows(d, [where], pl)})${d.derivedAlias}`,
      ),
    );
    carried += gs.map((g) => `, ${g}`).join('');
    rows = `(SELECT ts, stream_id${carried}, CASE WHEN u THEN NULL ELSE o_v END AS v_raw FROM piped WHERE u OR (kp AND coalesce(o_v, '') <> ''))`;
  } else {
    const field = q.conversion
      ? d.jsonField(w, 'line', q.field)
      : d.jsonUnwrap
        ? d.jsonUnwrap.raw(w, 'line', q.field)
        : q.fast && d.jsonFieldFast
          ? d.jsonFieldFast(w, 'line', q.field)
          : d.jsonField(w, 'line', q.field);
    // metadata holding the field's name (or a stream label's) could change the value or the group: unsure (NULL);
    // other metadata (detected_level, say) changes nothing here. Keys are label names, unescaped in the JSON text.
    const shadow = [q.field, ...(q.watched ?? [])].map((n) =>
      d.contains('metadata', w.bind(JSON.stringify(n), 'string')),
    );
    const lenient = lenientJsonRow(w, q.quirky ?? []);
    // another spelling of the key beside it (sql/jsonSpellings.ts) may give Loki's label another value: unsure; where
    // the key is absent the value is NULL (unsure) anyway
    const spelled = (q.spellings ?? JsonSpellings.UNKNOWN).row(w, q.field, keyLookalikes(w, q.field).twice);
    const raw =
      `CASE WHEN (metadata IS NULL OR NOT (${shadow.join(' OR ')}))` +
      `${lenient === 'FALSE' ? '' : ` AND NOT ${lenient}`}${spelled === 'FALSE' ? '' : ` AND NOT ${spelled}`} THEN ${field} END`;
    rows = `(SELECT ts, stream_id${carried}, ${raw} AS v_raw FROM ${d.entries ?? ENTRIES_TABLE} WHERE ${where}${d.computeOnce ?? ''})`;
  }
  // texts Go's ParseFloat could read otherwise are "unsure" (NULL), never wrong (sql/numerals.ts)
  const plain = (text: string) => isPlainDecimal(w, d.simpleFullMatch, text);
  if (q.conversion === 'duration') {
    // the duration's nanoseconds once per row (the seconds read them three times)
    const fns = d.parsers;
    if (!fns) throw new Error('duration() in SQL needs the dialect parser functions');
    const { ok, ns } = durationNanos(fns, w, 'v_raw');
    const int64 = d.toInt64 ? d.toInt64(ns) : `CAST(${ns} AS BIGINT)`;
    rows = `(SELECT ts, stream_id${carried}, v_raw, CASE WHEN ${ok} THEN ${int64} END AS v_ns FROM ${rows}${d.derivedAlias})`;
  }
  if (q.conversion === 'bytes') {
    // the size once per row (the value reads it twice: the bound, then the value)
    rows = `(SELECT ts, stream_id${carried}, v_raw, ${byteSize(d, w, 'v_raw')} AS v_b FROM ${rows}${d.derivedAlias})`;
  }
  const value =
    q.conversion === 'bytes'
      ? `CASE WHEN v_b < ${(2 ** 64).toExponential()} THEN v_b END`
      : q.conversion === 'duration'
        ? durationSeconds(d, w, 'v_ns')
        : d.jsonUnwrap && !q.pipeline
          ? d.jsonUnwrap.number('v_raw', plain)
          : `CASE WHEN ${plain('v_raw')} THEN ${d.toDouble('v_raw')} END`;
  return {
    ctes,
    rows: `SELECT ts, stream_id${carried}${grp}, v_raw, ${value} AS v FROM ${rows}${d.derivedAlias}`,
  };
}

/** The columns rows are grouped by: `grp` (a group of streams) or the pipeline's outputs g0… */
function groupKeys(q: UnwrapAggregate): string[] {
  return q.groupOutputs ? Array.from({ length: q.groupOutputs }, (_, i) => `g${i}`) : ['grp'];
}

/** `WITH …` for the given CTEs (none: nothing) */
function withCtes(ctes: string[]): string {
  return ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : '';
}

/** The rows compileUnwrapAggregate counts as unsure (no value SQL is sure of), for the TypeScript pipeline. */
export function compileUnwrapUnsureRows(d: Dialect, q: UnwrapAggregate): CompiledSql {
  const w = new SqlWriter(d);
  const { ctes, rows } = valueRows(d, w, q, true);
  const text = `${withCtes(ctes)}SELECT stream_id, ts, line, metadata FROM (${rows})${d.derivedAlias} WHERE v IS NULL`;
  return { text, params: w.params };
}

/** Every row of the scan with its group and its value; for the rows SQL is unsure of (v NULL) their line and metadata
 *  too (`u_line`, `u_metadata`), for the TypeScript pipeline: functions whose partial answers do not merge (quantiles,
 *  deviations) then run in TypeScript over every value, the sure ones read from here. */
export function compileUnwrapValues(d: Dialect, q: UnwrapAggregate): CompiledSql {
  const w = new SqlWriter(d);
  const { ctes, rows } = valueRows(d, w, q, true);
  const text =
    `${withCtes(ctes)}SELECT stream_id, ts, ${groupKeys(q).join(', ')}, v, ` +
    `CASE WHEN v IS NULL THEN line END AS u_line, CASE WHEN v IS NULL THEN metadata END AS u_metadata ` +
    `FROM (${rows})${d.derivedAlias}`;
  return { text, params: w.params };
}

/** Per group and step: the aggregate (`value`) of the rows SQL is sure of, their count (`n`) and sum (`total`, for
 *  merging with the unsure rows' when the caller runs those in TypeScript), and the count of unsure rows. */
export function compileUnwrapAggregate(d: Dialect, q: UnwrapAggregate): CompiledSql {
  const w = new SqlWriter(d);
  const single = q.steps === 1 || q.step === 0n;
  const { ctes, rows: base } = valueRows(d, w, q, false);
  let lo = '0';
  let hi = '0';
  if (!single) {
    ({ lo, hi } = stepSpan(d, offsetInRange(d, q), 1n, q));
  }
  const agg = aggregateSql(q, w);
  const ties = tiesSql(q);
  // (the timestamp travels with each row, exploded per step, only where ties are counted)
  const ts = ties === '0' ? '' : 'ts, ';
  const keys = groupKeys(q);
  const key = keys.join(', ');
  // windows no longer than the step hold a row in at most one step: no row multiplication needed
  const atMostOne = !single && q.range <= q.step;
  let text: string;
  if (single || atMostOne) {
    // one pass: each row's step is a plain expression. Unreadable rows (v NULL) stay whatever their step and are
    // counted in their group's row (the aggregates skip NULLs; a group of them alone has no value)
    // a window exactly a step long holds every row read in exactly one step (the scan starts a range before the
    // first step and ends at the last): no per-row window test then
    const exact = q.range === q.step && q.to - 1n - q.from <= BigInt(q.steps) * q.step;
    const inWindow = single || exact ? '' : ` WHERE v IS NULL OR ${lo} <= ${hi}`;
    text =
      withCtes(ctes) +
      `SELECT ${key}, k, ${agg} AS value, count(v) AS n, sum(v) AS total, count(*) - count(v) AS unsure, ` +
      `${ties} AS ties FROM (SELECT ${key}, ${single ? '0' : hi} AS k, ${ts}v FROM (${base}${d.computeOnce ?? ''})${d.derivedAlias}` +
      `${inWindow})${d.derivedAlias} GROUP BY ${key}, k`;
  } else if (d.explodeRangeOrMinusOne) {
    // one pass: unreadable rows land in step -1 of their group and are counted there
    const kk = d.explodeRangeOrMinusOne(lo, hi, 'v');
    text =
      `WITH ${[...ctes, d.sharedCte('base', base)].join(', ')} ` +
      // (keys renamed inside: ClickHouse resolves a name to a same-level alias first)
      `SELECT ${keys.map((g, i) => `if(kk = -1, NULL, x${i}) AS ${g}`).join(', ')}, if(kk = -1, NULL, kk) AS k, ` +
      `if(kk = -1, NULL, ${agg}) AS value, ` +
      `if(kk = -1, NULL, count(v)) AS n, if(kk = -1, NULL, sum(v)) AS total, ` +
      `if(kk = -1, count(*), NULL) AS unsure, if(kk = -1, NULL, ${ties}) AS ties FROM (SELECT ` +
      `${keys.map((g, i) => `${g} AS x${i}`).join(', ')}, ${kk} AS kk, ${ts}v FROM base)${d.derivedAlias} ` +
      `GROUP BY ${keys.map((_, i) => `x${i}`).join(', ')}, kk`;
  } else {
    text =
      `WITH ${[...ctes, d.sharedCte('base', base)].join(', ')}, ` +
      `spread AS (SELECT ${key}, ${d.explodeRange(lo, hi)} AS k, ${ts}v FROM base WHERE v IS NOT NULL) ` +
      `SELECT ${key}, k, ${agg} AS value, count(v) AS n, sum(v) AS total, NULL AS unsure, ${ties} AS ties ` +
      `FROM spread GROUP BY ${key}, k ` +
      `UNION ALL SELECT ${keys.map(() => 'NULL').join(', ')}, NULL, NULL, NULL, NULL, count(*), NULL FROM base WHERE v IS NULL`;
  }
  return { text, params: w.params };
}

function aggregateSql(q: UnwrapAggregate, w: SqlWriter): string {
  const d = w.dialect;
  const seconds = Number(q.range) / 1e9;
  switch (q.op) {
    case 'sum_over_time':
      return 'sum(v)';
    case 'avg_over_time':
      return 'avg(v)';
    case 'min_over_time':
      return 'min(v)';
    case 'max_over_time':
      return 'max(v)';
    case 'stddev_over_time':
      return d.aggregate('stddev_pop', 'v', w);
    case 'stdvar_over_time':
      return d.aggregate('var_pop', 'v', w);
    case 'quantile_over_time':
      return d.aggregate('quantile', 'v', w, q.param ?? 0);
    case 'rate':
      return `sum(v) / ${w.bind(seconds, 'float64')}`;
    case 'first_over_time':
      return d.valueAtTs('first', 'v', 'ts');
    case 'last_over_time':
      return d.valueAtTs('last', 'v', 'ts');
  }
}

/** first/last_over_time: the sure rows sharing a timestamp within a group and step (the value at the least or greatest
 *  one then turns on the order TypeScript reads them in: the caller answers in TypeScript); 0 for other functions */
function tiesSql(q: UnwrapAggregate): string {
  return q.op === 'first_over_time' || q.op === 'last_over_time'
    ? 'count(v) - count(DISTINCT CASE WHEN v IS NOT NULL THEN ts END)'
    : '0';
}

/** Go's Duration.Seconds() of a whole number of nanoseconds (NULL stays NULL: unsure): float64(whole seconds) +
 *  float64(remaining nanoseconds) / 1e9, the same two roundings as Go's. */
function durationSeconds(d: Dialect, w: SqlWriter, ns: string): string {
  const sec = d.exactDiv(`(${ns} - (${ns} % 1000000000))`, '1000000000');
  return `${d.toDouble(sec)} + ${d.toDouble(`(${ns} % 1000000000)`)} / ${w.bind(1e9, 'float64')}`;
}

/** go-humanize's byte-size units (ParseBytes, lower-cased), each a multiplier */
const BYTE_UNITS: [string[], number][] = [
  [['', 'b'], 1],
  [['k', 'kb'], 1e3],
  [['ki', 'kib'], 1024],
  [['m', 'mb'], 1e6],
  [['mi', 'mib'], 1024 ** 2],
  [['g', 'gb'], 1e9],
  [['gi', 'gib'], 1024 ** 3],
  [['t', 'tb'], 1e12],
  [['ti', 'tib'], 1024 ** 4],
  [['p', 'pb'], 1e15],
  [['pi', 'pib'], 1024 ** 5],
  [['e', 'eb'], 1e18],
  [['ei', 'eib'], 1024 ** 6],
];

/**
 * go-humanize ParseBytes as Loki's `unwrap bytes()` reads it — float64(digits) × float64(unit), truncated to uint64 —
 * for the texts SQL reads exactly: up to 15 plain digits (a double holds them exactly, and the one multiplication
 * rounds as Go's does), optional spaces, a known unit in any case; NULL (unsure) otherwise, or from 2⁶⁴ up (Go
 * answers "too large": the caller's bound). The product of integers is integral, so the truncation changes nothing.
 */
function byteSize(d: Dialect, w: SqlWriter, text: string): string {
  const fns = d.parsers;
  if (!fns) throw new Error('bytes() in SQL needs the dialect parser functions');
  const ok = fns.fullMatch(text, w.bind('[0-9]{1,15} *(?i:b|[kmgtpe]i?b?)? *', 'string'));
  const digits = fns.regexExtract(text, w.bind('^([0-9]+)', 'string'), 1);
  const unit = `lower(${fns.regexExtract(text, w.bind('^[0-9]+ *([A-Za-z]*)', 'string'), 1)})`;
  const mult =
    'CASE ' +
    BYTE_UNITS.map(
      ([names, m]) =>
        `WHEN ${unit} IN (${names.map((n) => w.bind(n, 'string')).join(', ')}) THEN ${m.toExponential()} `,
    ).join('') +
    'END';
  // (a conversion that cannot raise: some engines compute it on rows the condition rejects)
  return `CASE WHEN ${ok} THEN ${fns.toDoubleOrNull(digits)} * ${mult} END`;
}
