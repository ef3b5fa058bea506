// Range aggregations computed inside the database. Rows are first pre-aggregated into buckets of width
// g = gcd(step, range); each bucket then lands in every step whose window covers it (sql/stepWindows.ts), so the
// database returns O(series × steps) rows however many lines match.
import type { LineFilter } from '../logql/ast';
import { SqlWriter, type Dialect } from './dialect';
import { bucketEdge, gcd, offsetInRange, stepSpan } from './stepWindows';
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
  const where = entriesWhere(w, q.streamIds, q.from + 1n, q.to, q.filters).join(' AND ');
  // Constants are numbers we computed (never user text): they go inline so the optimizer sees them.
  const g = gcd(q.step, q.range);
  const c = bucketEdge(d, offsetInRange(d, q), g);
  const { lo, hi } = stepSpan(d, 'c', g, q);
  const text =
    `WITH buckets AS (SELECT stream_id, ${c} AS c, count(*) AS n, ${bytes} AS b FROM ${source} WHERE ${where} GROUP BY 1, 2), ` +
    `spread AS (SELECT stream_id, ${d.explodeRange(lo, hi)} AS k, n, b FROM buckets) ` +
    `SELECT stream_id, k, sum(n) AS n, sum(b) AS b FROM spread GROUP BY stream_id, k`;
  return { text, params: w.params };
}
