// Per-minute line counts (the DuckDB and PostgreSQL native schemas): `minute_counts` holds, per stream and minute, how many entries were
// stored and their bytes, so that count_over_time, rate, bytes_over_time and bytes_rate over a bare stream selector
// read a few rows per stream and minute instead of every line (sql/rangeAggregate.ts). These are the queries of
// dashboards' volume panels and of Grafana's logs volume, and the ones whose cost otherwise grows with the lines
// stored.
//
// minute_counts.ts     the minute's right edge: ceil(entry ts / 60 s) · 60 s. Loki's windows are left-open,
//                      right-closed, (t − range, t]; when t and range are whole minutes, an entry lies in a window
//                      exactly when its edge does, so the table answers such windows exactly. Other windows (an
//                      instant query at "now", steps or ranges in seconds) read `entries`.
// minute_counts.n      entries; .bytes their lines' UTF-8 bytes.
//
// The table is append-only: a minute may have several rows (one per write that touched it) and readers sum them.
// Writes keep it exact in the same transaction as the entries (ingest/duckdb.ts and ingest/postgres.ts add what each
// write stored; deletes and retention recount the minutes they touched, retention/purge.ts). A database made before
// the table existed is counted once when opened; a DuckDB one whose counts no longer add up to its entries (written
// by an older version of this server) is counted again.
import type { Driver } from '../sql/driver';
import { ENTRIES_TABLE } from './tables';

export const MINUTE_COUNTS_TABLE = 'minute_counts';
export const MINUTE_NS = 60_000_000_000n;

const MAX_I64 = 9_223_372_036_854_775_807n;
const MIN_I64 = -9_223_372_036_854_775_808n;
/** the last whole minute a BIGINT holds: later entries (up to the largest BIGINT) get that largest BIGINT as their
 *  edge, which no whole-minute window reaches */
const LAST_EDGE = (MAX_I64 / MINUTE_NS) * MINUTE_NS;

/** What the SQL below needs of a dialect (DuckDB's and PostgreSQL's satisfy it). */
export interface MinuteSql {
  /** exact integer division of BIGINTs (both engines truncate toward zero) */
  exactDiv(a: string, b: string): string;
  /** a line's UTF-8 bytes */
  byteLength(col: string): string;
}

/** The minute edge of a timestamp, as SQL over the BIGINT column `col` (the same value as `minuteEdge`). For
 *  ts ≤ 0 the edge is ≤ 0; readers only use the table for windows starting at 0 or later (rangeAggregate.ts). No
 *  branch can overflow, whichever the engine evaluates. */
export const minuteEdgeSql = (d: MinuteSql, col: string) =>
  `CASE WHEN ${col} > ${LAST_EDGE} THEN ${MAX_I64} WHEN ${col} > ${LAST_EDGE - MINUTE_NS} THEN ${LAST_EDGE} ` +
  `ELSE ${d.exactDiv(`(least(${col}, ${LAST_EDGE - MINUTE_NS}) + ${MINUTE_NS - 1n})`, `${MINUTE_NS}`)} * ${MINUTE_NS} END`;

/** ceil(ts / 1 min) · 1 min for ts > 0 (≤ 0 otherwise, equal to minuteEdgeSql's; the largest BIGINT after LAST_EDGE). */
export function minuteEdge(ts: bigint): bigint {
  if (ts > LAST_EDGE) return MAX_I64;
  if (ts > LAST_EDGE - MINUTE_NS) return LAST_EDGE;
  // (BigInt division truncates, as DuckDB's // on BIGINT: the same edges for ts ≤ 0 too)
  return ((ts + MINUTE_NS - 1n) / MINUTE_NS) * MINUTE_NS;
}

export const MINUTE_COUNTS_DDL = `CREATE TABLE ${MINUTE_COUNTS_TABLE} (
    stream_id BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    n BIGINT NOT NULL,
    bytes BIGINT NOT NULL
  )`;

/** `SELECT stream_id, ts, n, bytes` per stream and minute of the rows of `from` (a table or a parenthesised
 *  SELECT with stream_id, ts and line) that match `where`. */
export function countMinutesSql(d: MinuteSql, from: string, where = 'TRUE'): string {
  return (
    `SELECT stream_id, ${minuteEdgeSql(d, 'ts')} AS ts, count(*) AS n, sum(${d.byteLength('line')}) AS bytes ` +
    `FROM ${from} WHERE ${where} GROUP BY 1, 2`
  );
}

/** Create the table if missing, counting the entries already stored (one scan, the first time a database made
 *  before it is opened); recount it whole when it no longer adds up to the entries stored (an older version of this
 *  server wrote or deleted entries without it). Callers hold the database's write lock. */
export async function ensureMinuteCounts(driver: Driver, d: MinuteSql): Promise<void> {
  const rows = await driver.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1`,
    [MINUTE_COUNTS_TABLE],
  );
  const fill = `INSERT INTO ${MINUTE_COUNTS_TABLE} ${countMinutesSql(d, ENTRIES_TABLE)} ORDER BY ts, stream_id`;
  // one transaction: the table exists only with every stored entry counted
  if (Number(rows[0]?.n ?? 0) === 0) {
    await driver.exec(`BEGIN TRANSACTION; ${MINUTE_COUNTS_DDL}; ${fill}; COMMIT`);
    return;
  }
  // (a count of `entries` reads row group headers; the sum reads the small table)
  const check = await driver.query<{ same: boolean }>(
    `SELECT (SELECT count(*) FROM ${ENTRIES_TABLE}) = (SELECT coalesce(sum(n), 0) FROM ${MINUTE_COUNTS_TABLE}) AS same`,
  );
  if (check[0]?.same) return;
  await driver.exec(`BEGIN TRANSACTION; DELETE FROM ${MINUTE_COUNTS_TABLE}; ${fill}; COMMIT`);
}

/**
 * Recount the minutes that hold [from, to) for the given streams (all when `ids` is undefined), after entries there
 * were deleted: their rows are replaced by counts of what remains. Only bigints computed by the caller reach the
 * SQL text. Run inside the delete's transaction.
 */
export async function recountMinutes(
  d: MinuteSql,
  run: (sql: string) => Promise<unknown>,
  ids: bigint[] | undefined,
  from: bigint | undefined,
  to: bigint,
): Promise<void> {
  if (ids && ids.length === 0) return;
  // the minutes [lo, hi] (edges) hold every entry of [from, to); they hold the entries of (lo − 1 min, hi]
  const hi = minuteEdge(to - 1n);
  const lo = from === undefined ? undefined : minuteEdge(from);
  const conds: string[] = [`ts <= ${hi}`];
  const entryConds = [`ts <= ${hi}`];
  if (lo !== undefined) {
    conds.push(`ts >= ${lo}`);
    // (the edge before lo: entries after LAST_EDGE all have the largest BIGINT as theirs)
    const before = lo === MAX_I64 ? LAST_EDGE : lo - MINUTE_NS;
    if (before >= MIN_I64) entryConds.push(`ts > ${before}`);
  }
  if (ids) {
    conds.push(`stream_id IN (${ids.join(', ')})`);
    entryConds.push(`stream_id IN (${ids.join(', ')})`);
  }
  await run(`DELETE FROM ${MINUTE_COUNTS_TABLE} WHERE ${conds.join(' AND ')}`);
  await run(`INSERT INTO ${MINUTE_COUNTS_TABLE} ${countMinutesSql(d, ENTRIES_TABLE, entryConds.join(' AND '))}`);
}

/**
 * Minute counts of rows appended in the table's layout order: one row per run of consecutive entries of one
 * stream in one minute (a minute written by several runs gets several rows, which readers sum).
 */
export class MinuteCounter {
  readonly ids: bigint[] = [];
  readonly edges: bigint[] = [];
  readonly counts: number[] = [];
  readonly bytes: number[] = [];
  private id = 0n;
  private edge = 0n;
  /** the current minute holds (start, edge] (start kept: no bigint arithmetic per entry) */
  private start = 0n;
  private n = 0;
  private b = 0;

  /** the next appended entry; `ts` ascends within a stream's consecutive entries */
  add(id: bigint, ts: bigint, line: string): void {
    // (ts ascends: the same minute while ts ≤ its edge, and two compares decide it)
    if (this.n === 0 || id !== this.id || ts > this.edge || ts <= this.start) {
      this.end();
      this.id = id;
      this.edge = minuteEdge(ts);
      this.start = this.edge === MAX_I64 ? LAST_EDGE : this.edge - MINUTE_NS;
    }
    this.n++;
    this.b += Buffer.byteLength(line, 'utf8');
  }

  private end(): void {
    if (this.n === 0) return;
    this.ids.push(this.id);
    this.edges.push(this.edge);
    this.counts.push(this.n);
    this.bytes.push(this.b);
    this.n = 0;
    this.b = 0;
  }

  /** the rows counted so far (closes the current one) */
  rows(): number {
    this.end();
    return this.ids.length;
  }
}
