// Range aggregations computed inside the database. Rows are first pre-aggregated into buckets of width
// g = gcd(step, range); each bucket then lands in every step whose window covers it (sql/stepWindows.ts), so the
// database returns O(series × steps) rows however many lines match.
import type { LineFilter } from '../logql/ast';
import { SqlWriter, type Dialect } from './dialect';
import { bucketEdge, gcd, offsetInRange, stepSpan } from './stepWindows';
import { entriesWhere, type CompiledSql } from './rowSelect';
import { ENTRIES_TABLE } from '../schema/native';
import { MINUTE_NS } from '../schema/minuteCounts';
import { pipelineRows } from './pipelineSelect';
import type { SqlPipeline as CompiledPipeline } from './pipeline/compile';

/** a pipeline compiled against the statement's parameter writer */
export type SqlPipeline = (w: SqlWriter) => CompiledPipeline;

export interface CountingAggregate {
  streamIds: bigint[];
  filters: LineFilter[];
  /** rows read: [from, to) */
  from: bigint;
  to: bigint;
  firstStep: bigint;
  step: bigint; // 0 for instant queries
  steps: number;
  range: bigint;
  offset: bigint;
  /** sum line bytes too (bytes_over_time, bytes_rate); reading the line column costs a lot when not needed */
  bytes?: boolean;
  /** also group by structured metadata: without a grouping, a range aggregation's series carry it as labels */
  byMetadata?: boolean;
  /** count per group of streams instead of per stream: `of[i]` is the group of stream `streamIds[i]` (rows then
   *  carry the group index as stream_id) */
  groupOf?: bigint[];
}

/** The minute-counts table when it answers `q` exactly (schema/minuteCounts.ts): no line filter, no metadata
 *  grouping, and every window edge on a whole minute — rows are read from `from` (exclusive) to `to − 1`, and
 *  buckets of width g = gcd(step, range) start at `from`. */
export function minuteCountsFor(d: Dialect, q: CountingAggregate): string | undefined {
  if (!d.minuteCounts || q.filters.length > 0 || q.byMetadata) return undefined;
  if (q.from < 0n || q.from % MINUTE_NS !== 0n || (q.to - 1n) % MINUTE_NS !== 0n) return undefined;
  if (q.steps > 1 && q.step !== 0n && gcd(q.step, q.range) % MINUTE_NS !== 0n) return undefined;
  return d.minuteCounts;
}

/** Rows (stream_id, metadata, k, n, b): per stream and step index k, the count of lines and the sum of their bytes;
 *  with a column k_hi, the row's count belongs to every step from k to k_hi. */
export function compileCountingAggregate(d: Dialect, q: CountingAggregate): CompiledSql {
  const w = new SqlWriter(d);
  // per-minute counts stand for the lines when they answer exactly: each row is n entries at its minute's edge
  const minutes = minuteCountsFor(d, q);
  const count = minutes ? 'CAST(sum(n) AS BIGINT)' : 'count(*)';
  const bytes = !q.bytes ? '0' : minutes ? 'CAST(sum(bytes) AS BIGINT)' : `sum(${d.byteLength('line')})`;
  const cols = minutes ? 'ts, n, bytes' : 'ts, line, metadata';
  const key = q.byMetadata ? 'stream_id, metadata' : 'stream_id';
  const md = q.byMetadata ? 'metadata' : 'NULL AS metadata';
  const cond = entriesWhere(w, q.streamIds, q.from + 1n, q.to, q.filters).join(' AND ');
  const table = minutes ?? d.entries ?? ENTRIES_TABLE;
  // (grouped: the stream's group index replaces its id, so the database returns one row per group and step)
  // (the filter reads the stored stream_id in a level of its own: ClickHouse would resolve it to the alias)
  const source = q.groupOf
    ? `(SELECT ${d.lookup(w.bind(q.streamIds, 'int64[]'), w.bind(q.groupOf, 'int64[]'), 'sid')} AS stream_id, ${cols} ` +
      `FROM (SELECT stream_id AS sid, ${cols} FROM ${table} WHERE ${cond})${d.derivedAlias})${d.derivedAlias}`
    : table;
  const where = q.groupOf ? 'TRUE' : cond;
  if (q.steps === 1 || q.step === 0n) {
    // one window (from, to]: `from` itself is outside it
    return {
      text: `SELECT stream_id, ${md}, 0 AS k, ${count} AS n, ${bytes} AS b FROM ${source} WHERE ${where} GROUP BY ${key}`,
      params: w.params,
    };
  }
  // Constants are numbers we computed (never user text): they go inline so the optimizer sees them.
  const g = gcd(q.step, q.range);
  const c = bucketEdge(d, offsetInRange(d, q), g);
  const { lo, hi } = stepSpan(d, 'c', g, q);
  const buckets = `WITH buckets AS (SELECT ${key}, ${c} AS c, ${count} AS n, ${bytes} AS b FROM ${source} WHERE ${where} GROUP BY ${key}, c)`;
  if (q.range > q.step && g === q.step) {
    // windows a whole number of steps long (`[5m]` at a 1m step): one bucket per step and key, each landing in the
    // steps [k, k_hi]. The caller adds it to each, which costs less than exploding every bucket into rows in SQL
    // and grouping them again (the same number of rows comes back).
    const text =
      `${buckets} SELECT ${key}${q.byMetadata ? '' : ', NULL AS metadata'}, ${d.toDouble(lo)} AS k, ` +
      `${d.toDouble(hi)} AS k_hi, ${d.toDouble('n')} AS n, ${d.toDouble('b')} AS b FROM buckets WHERE ${lo} <= ${hi}`;
    return { text, params: w.params };
  }
  const text =
    `${buckets}, ` +
    `spread AS (SELECT ${key}, ${steps(d, lo, hi, q)} AS k, n, b FROM buckets${inSomeStep(lo, hi, q)}) ` +
    // (doubles: exact for any count below 2^53, and read without a BigInt per value)
    `SELECT ${key}${q.byMetadata ? '' : ', NULL AS metadata'}, ${d.toDouble('k')} AS k, ${d.toDouble('sum(n)')} AS n, ` +
    `${d.toDouble('sum(b)')} AS b FROM spread GROUP BY ${key}, k`;
  return { text, params: w.params };
}

/** Rows for a counting aggregation over a pipeline computed in SQL: (stream_id, o0…, k, n, b) per stream, output label
 *  values and step — the count and bytes of the lines the pipeline keeps — and, with k NULL, the raw rows
 *  (stream_id, ts, line, metadata) SQL is unsure of, for the caller to run through TypeScript. One scan: the kept rows
 *  are materialised once with their few label columns (the line only for unsure rows). */
export function compileParsedCount(d: Dialect, q: CountingAggregate, p: SqlPipeline): CompiledSql {
  const w = new SqlWriter(d);
  const where = entriesWhere(w, q.streamIds, q.from + 1n, q.to, q.filters);
  const pl = p(w);
  const outs = [...pl.output.keys()].map((_, i) => `o${i}`);
  const bytes = q.bytes ? d.byteLength(pl.line !== undefined ? 'ln' : 'line') : '0';
  const kept =
    `SELECT stream_id, ts, u, CASE WHEN u THEN line END AS u_line, CASE WHEN u THEN metadata END AS u_metadata, ` +
    `${bytes} AS nb, kp${outs.map((o) => `, ${o}`).join('')} FROM (${pipelineRows(d, where, pl)})${d.derivedAlias}`;
  const key = ['stream_id', ...outs].join(', ');
  const nulls = outs.map((o) => `NULL AS ${o}`).join(', ');
  const unsure = `SELECT stream_id, ${nulls}${nulls ? ', ' : ''}NULL AS k, NULL AS n, NULL AS b, ts, u_line AS line, u_metadata AS metadata FROM kept WHERE u`;
  // (u_line, not line: ClickHouse resolves a name to a same-level alias first, and nb reads the stored line)
  // (no WHERE inside `kept`: a filter there would be pushed below the label columns and re-evaluate their
  // expressions once per mention; the materialised CTE computes each once)
  let counted: string;
  if (q.steps === 1 || q.step === 0n) {
    counted = `SELECT ${key}, 0 AS k, count(*) AS n, sum(nb) AS b, NULL AS ts, NULL AS line, NULL AS metadata FROM kept WHERE kp AND NOT u GROUP BY ${key}`;
  } else {
    const g = gcd(q.step, q.range);
    const c = bucketEdge(d, offsetInRange(d, q), g);
    const { lo, hi } = stepSpan(d, 'c', g, q);
    counted =
      `SELECT ${key}, k, sum(n) AS n, sum(b) AS b, NULL AS ts, NULL AS line, NULL AS metadata FROM (` +
      `SELECT ${key}, ${steps(d, lo, hi, q)} AS k, n, b FROM (` +
      `SELECT ${key}, ${c} AS c, count(*) AS n, sum(nb) AS b FROM kept WHERE kp AND NOT u GROUP BY ${key}, c)${d.derivedAlias}` +
      `${inSomeStep(lo, hi, q)})${d.derivedAlias} GROUP BY ${key}, k`;
  }
  return { text: `WITH ${d.sharedCte('kept', kept)} ${counted} UNION ALL ${unsure}`, params: w.params };
}

/** The steps a bucket lands in: when windows are no longer than the step, at most one (no row multiplication). */
function steps(d: Dialect, lo: string, hi: string, q: { range: bigint; step: bigint }): string {
  return q.range <= q.step ? hi : d.explodeRange(lo, hi);
}

function inSomeStep(lo: string, hi: string, q: { range: bigint; step: bigint }): string {
  return q.range <= q.step ? ` WHERE ${lo} <= ${hi}` : '';
}

/** One row when any entry in the range carries structured metadata (ProbeMetadata dialects check this first). */
export function compileMetadataProbe(d: Dialect, q: CountingAggregate): CompiledSql {
  const w = new SqlWriter(d);
  const where = entriesWhere(w, q.streamIds, q.from + 1n, q.to, q.filters).join(' AND ');
  return {
    text: `SELECT 1 AS x FROM ${d.entries ?? ENTRIES_TABLE} WHERE ${where} AND metadata IS NOT NULL LIMIT 1`,
    params: w.params,
  };
}
