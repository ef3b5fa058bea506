// Reading the rows of a time range in order, a statement at a time, for scans that run TypeScript stages.
//
// The first statement asks for the whole range with a page-sized LIMIT: most scans end there. When a page fills,
// the rest is read in time slices sized from the density seen so far to hold about three quarters of a page each,
// continuing after the last row read (keyset) only within the slice. Paging the whole rest of the range by keyset
// made the database find and sort that rest again for every page — quadratic in the pages; PostgreSQL, which
// answers every parser in TypeScript, paid it on every large scan (a 1 M-line json log query took 23 s).
import { compileRowSelect, type RowSelect } from '../sql/rowSelect';
import type { Row } from '../sql/driver';
import { runSql, type ExecContext } from './context';

export type SliceRow = Row & {
  stream_id: bigint;
  ts: bigint;
  line: string;
};

/** Pages of the rows of [from, to) in `base.order` (ts, stream id, line), each at most `page` rows. */
export async function* rowsInSlices<T extends SliceRow>(
  ctx: ExecContext,
  base: Omit<RowSelect, 'from' | 'to' | 'limit' | 'after'>,
  from: bigint,
  to: bigint,
  page: number,
): AsyncGenerator<T[]> {
  const desc = base.order === 'desc';
  let lo = from;
  let hi = to;
  let after: RowSelect['after'];
  for (;;) {
    const q = compileRowSelect(ctx.dialect, { ...base, from: lo, to: hi, limit: page, after });
    const rows = await runSql<T>(ctx, q.text, q.params);
    yield rows;
    if (!ctx.execute) return;
    if (rows.length === page) {
      // a full page: continue after its last row, in a slice sized from this page's density
      const last = rows[rows.length - 1];
      after = { ts: BigInt(last.ts), streamId: BigInt(last.stream_id), line: last.line };
      if (desc) {
        const covered = hi - after.ts;
        hi = after.ts + 1n; // rows on the last row's timestamp after it in order are still to come
        lo = maxBig(from, hi - sliceFor(covered, rows.length, page));
      } else {
        const covered = after.ts - lo + 1n;
        lo = after.ts;
        hi = minBig(to, lo + sliceFor(covered, rows.length, page));
      }
      continue;
    }
    if (desc ? lo <= from : hi >= to) return;
    const covered = hi - lo;
    after = undefined;
    if (desc) {
      hi = lo;
      lo = maxBig(from, hi - sliceFor(covered, rows.length, page));
    } else {
      lo = hi;
      hi = minBig(to, lo + sliceFor(covered, rows.length, page));
    }
  }
}

/** The span of the next slice: about three quarters of a page at the density `rows` over `covered` ns showed,
 *  growing at most 8× at once (data is bursty), never empty. */
function sliceFor(covered: bigint, rows: number, page: number): bigint {
  const grown = covered > 0n ? covered * 8n : 8n;
  if (rows === 0) return grown;
  const next = (covered * BigInt(Math.round(page * 750))) / BigInt(rows * 1000);
  return next > grown ? grown : next > 0n ? next : 1n;
}

const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
