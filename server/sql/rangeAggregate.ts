// Range aggregations computed inside the database. Rows are first pre-aggregated into buckets of width
// g = gcd(step, range) measured from the first window; each bucket then lands in every step whose window
// (t − offset − range, t − offset] covers it, so the database returns O(series × steps) rows however many lines match.
//
// With u = ts + offset − first step, a row is in the window of step k iff k·step − range < u ≤ k·step. Its bucket
// c = ceil(u / g) satisfies the same test exactly because step and range are multiples of g, giving the step span
// k ∈ [ceil(c·g / step), floor((c·g + range − g) / step)].
import type { LineFilter } from '../logql/ast';
import { ceilDiv, floorDiv, SqlWriter, type Dialect } from './dialect';
import { entriesWhere, type CompiledSql } from './rowSelect';
import { ENTRIES_TABLE } from '../schema/native';

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
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Rows (stream_id, k, n, b): per stream and step index k, the count of lines and the sum of their bytes. */
export function compileCountingAggregate(d: Dialect, q: CountingAggregate): CompiledSql {
  const w = new SqlWriter(d);
  const bytes = q.bytes ? `sum(${d.byteLength('line')})` : '0';
  const source = d.entries ?? ENTRIES_TABLE;
  if (q.steps === 1 || q.step === 0n) {
    // one window (from, to]: `from` itself is outside it
    const where = entriesWhere(w, q.streamIds, q.from + 1n, q.to, q.filters).join(' AND ');
    return {
      text: `SELECT stream_id, 0 AS k, count(*) AS n, ${bytes} AS b FROM ${source} WHERE ${where} GROUP BY stream_id`,
      params: w.params,
    };
  }
  const where = entriesWhere(w, q.streamIds, q.from, q.to, q.filters).join(' AND ');
  // Constants are numbers we computed (never user text): they go inline so the optimizer sees them.
  const g = gcd(q.step, q.range).toString();
  const step = q.step.toString();
  const u = `(ts + ${(q.offset - q.firstStep).toString()})`;
  const c = ceilDiv(d, u, g);
  const lo = `greatest(${ceilDiv(d, `c * ${g}`, step)}, 0)`;
  const hi = `least(${floorDiv(d, `c * ${g} + ${(q.range - BigInt(g)).toString()}`, step)}, ${q.steps - 1})`;
  const text =
    `WITH buckets AS (SELECT stream_id, ${c} AS c, count(*) AS n, ${bytes} AS b FROM ${source} WHERE ${where} GROUP BY 1, 2), ` +
    `spread AS (SELECT stream_id, ${d.explodeRange(lo, hi)} AS k, n, b FROM buckets) ` +
    `SELECT stream_id, k, sum(n) AS n, sum(b) AS b FROM spread GROUP BY stream_id, k`;
  return { text, params: w.params };
}
