// Removing entries, per engine, the cheapest way each layout allows (docs/storage.md "Retention and deletes"):
//
// - DuckDB: `DELETE … WHERE ts < cutoff [AND stream in …]`; rows are written in (time chunk, stream, ts) order, so
//   zone maps confine the delete to the row groups of the expired time range.
// - PostgreSQL: the same DELETE, found through the (stream_id, ts) B-tree or the BRIN index on ts.
// - ClickHouse: whole expired days are dropped (`ALTER TABLE … DROP PARTITION`, entries are partitioned by day);
//   what remains is a lightweight `DELETE FROM` (a row mask, rewritten by later merges), issued only when a primary-key
//   probe finds rows to delete.
//
// Writes are serialised with the ingester (DuckDB: its per-driver write lock; PostgreSQL: its advisory lock), so an
// ingest's duplicate check never sees a row that a concurrent delete is removing. Afterwards the streams' first/last
// bounds are narrowed to what remains (DuckDB, PostgreSQL); a stream left without entries keeps its row with an empty
// interval (first > last), which the next push widens again (the ingesters widen with least/greatest). ClickHouse's
// streams table folds bounds with min/max and cannot narrow them: its bounds stay as wide as ever (queries stay exact,
// the label APIs may list a stream whose entries are all gone).
import type { Stage } from '../logql/ast';
import { ENTRIES_TABLE, STREAMS_TABLE } from '../schema/tables';
import { SqlWriter } from '../sql/dialect';
import type { Row, SqlParam } from '../sql/driver';
import { DuckDBDriver } from '../sql/dialects/duckdb/driver';
import { PostgresDriver } from '../sql/dialects/postgres/driver';
import { entriesWhere } from '../sql/rowSelect';
import { splitPipeline } from '../plan/pushdown';
import { compilePipeline } from '../eval/pipeline';
import { withDuckDBWriteLock } from '../ingest/duckdb';
import { recountMinutes } from '../schema/minuteCounts';
import { POSTGRES_WRITE_LOCK } from '../schema/postgres';
import type { Labels } from '../engine/types';
import type { MaintenanceTarget } from './target';

const MAX_I64 = 9_223_372_036_854_775_807n;
const MIN_I64 = -9_223_372_036_854_775_808n;
const DAY_NS = 86_400_000_000_000n;
/** rows per tuple-delete statement (rows chosen by a TypeScript pipeline) */
const TUPLE_BATCH = 5000;

type Run = (sql: string, params?: SqlParam[]) => Promise<Row[]>;

/** Run `fn` holding the engine's write lock (and, on DuckDB and PostgreSQL, inside one transaction). */
function withWriteLock<T>(t: MaintenanceTarget, fn: (run: Run) => Promise<T>): Promise<T> {
  const d = t.driver;
  if (d instanceof DuckDBDriver) {
    // one transaction: the minute counts recounted after a delete commit with it (schema/minuteCounts.ts)
    return withDuckDBWriteLock(d, () =>
      d.withSession(async (s) => {
        await s.exec('BEGIN TRANSACTION');
        const out = await fn((sql, p) => s.query(sql, p));
        await s.exec('COMMIT');
        return out;
      }),
    );
  }
  if (d instanceof PostgresDriver) {
    return d.transaction(async (s) => {
      await s.query(`SELECT pg_advisory_xact_lock(${POSTGRES_WRITE_LOCK})`);
      return fn((sql, p) => s.query(sql, p));
    });
  }
  return fn((sql, p) => d.query(sql, p));
}

function checkWritable(t: MaintenanceTarget): void {
  if (t.mapped) throw new Error('this server reads an existing table: retention and deletes are not available');
}

/** `DELETE … WHERE conds`, answering the number of rows removed (undefined when the engine does not say). */
async function deleteWhere(
  t: MaintenanceTarget,
  run: Run,
  conds: string[],
  params: SqlParam[],
): Promise<number | undefined> {
  const where = conds.join(' AND ');
  switch (t.driver.engine) {
    case 'duckdb': {
      const rows = await run(`DELETE FROM ${ENTRIES_TABLE} WHERE ${where}`, params);
      return Number(rows[0]?.Count ?? 0);
    }
    case 'postgres': {
      const rows = await run(
        `WITH d AS (DELETE FROM ${ENTRIES_TABLE} WHERE ${where} RETURNING 1) SELECT count(*) AS n FROM d`,
        params,
      );
      return Number(rows[0]?.n ?? 0);
    }
    case 'clickhouse': {
      // a lightweight DELETE is a mutation even when nothing matches: probe with the primary key first
      const n = Number((await run(`SELECT count() AS n FROM ${ENTRIES_TABLE} WHERE ${where}`, params))[0]?.n ?? 0);
      if (n > 0) await run(`DELETE FROM ${ENTRIES_TABLE} WHERE ${where}`, params);
      return n;
    }
  }
}

/** After rows of [from, to) of these streams (all: undefined) were deleted: the minutes there are recounted. */
async function recountAfterDelete(
  t: MaintenanceTarget,
  run: Run,
  ids: bigint[] | undefined,
  from: bigint | undefined,
  to: bigint,
): Promise<void> {
  if (t.dialect.minuteCounts) await recountMinutes(t.dialect, (sql) => run(sql), ids, from, to);
}

/** Delete exactly these (stream_id, ts, line) rows. */
async function deleteTuples(
  t: MaintenanceTarget,
  run: Run,
  rows: { stream_id: bigint; ts: bigint; line: string }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += TUPLE_BATCH) {
    const part = rows.slice(i, i + TUPLE_BATCH);
    const w = new SqlWriter(t.dialect);
    const s = w.bind(
      part.map((r) => BigInt(r.stream_id)),
      'int64[]',
    );
    const ts = w.bind(
      part.map((r) => BigInt(r.ts)),
      'int64[]',
    );
    const l = w.bind(
      part.map((r) => r.line),
      'string[]',
    );
    switch (t.driver.engine) {
      case 'duckdb':
        await run(
          `DELETE FROM ${ENTRIES_TABLE} USING (SELECT unnest(${s}) AS s, unnest(${ts}) AS t, unnest(${l}) AS l) AS d
           WHERE ${ENTRIES_TABLE}.stream_id = d.s AND ${ENTRIES_TABLE}.ts = d.t AND ${ENTRIES_TABLE}.line = d.l`,
          w.params,
        );
        break;
      case 'postgres':
        await run(
          `DELETE FROM ${ENTRIES_TABLE} e USING unnest(${s}, ${ts}, ${l}) AS d(s, t, l)
           WHERE e.stream_id = d.s AND e.ts = d.t AND e.line = d.l`,
          w.params,
        );
        break;
      case 'clickhouse':
        await run(
          `DELETE FROM ${ENTRIES_TABLE} WHERE stream_id IN ${s} AND (stream_id, ts, line) IN
           (SELECT z.1, z.2, z.3 FROM (SELECT arrayJoin(arrayZip(${s}, ${ts}, ${l})) AS z))`,
          w.params,
        );
        break;
    }
  }
}

/** Narrow the streams' [first_ts, last_ts] to the entries that remain (DuckDB, PostgreSQL; see the header). */
async function narrowBounds(t: MaintenanceTarget, run: Run, ids: bigint[] | 'all'): Promise<void> {
  if (t.driver.engine === 'clickhouse' || (ids !== 'all' && ids.length === 0)) return;
  const w = new SqlWriter(t.dialect);
  const sel = ids === 'all' ? `SELECT id FROM ${STREAMS_TABLE}` : `SELECT unnest(${w.bind(ids, 'int64[]')}) AS id`;
  const hi = w.bind(MAX_I64, 'int64');
  const lo = w.bind(MIN_I64, 'int64');
  await run(
    `UPDATE ${STREAMS_TABLE} SET first_ts = coalesce(b.lo, ${hi}), last_ts = coalesce(b.hi, ${lo})
     FROM (SELECT s.id AS id, min(e.ts) AS lo, max(e.ts) AS hi
           FROM (${sel}) AS s LEFT JOIN ${ENTRIES_TABLE} e ON e.stream_id = s.id GROUP BY s.id) AS b
     WHERE ${STREAMS_TABLE}.id = b.id`,
    w.params,
  );
}

export interface DeleteSpec {
  /** streams the selector matched, with their labels (the TypeScript pipeline needs them) */
  streams: { id: bigint; labels: Labels }[];
  /** ns, inclusive */
  from: bigint;
  /** ns, exclusive */
  to: bigint;
  /** the delete query's pipeline: a line is deleted when the pipeline keeps it (Loki's FilterFunction) */
  stages: Stage[];
}

/** Delete the entries a delete request selects; answers how many were removed. */
export async function deleteEntries(t: MaintenanceTarget, spec: DeleteSpec): Promise<number> {
  checkWritable(t);
  if (spec.streams.length === 0 || spec.from >= spec.to) return 0;
  const { pushed, rest } = splitPipeline(spec.stages, t.dialect.capabilities);
  const ids = spec.streams.map((s) => s.id);
  const n = await withWriteLock(t, async (run) => {
    if (rest.length === 0) {
      const w = new SqlWriter(t.dialect);
      const conds = entriesWhere(w, ids, spec.from, spec.to, pushed);
      const deleted = (await deleteWhere(t, run, conds, w.params)) ?? 0;
      if (deleted > 0) await recountAfterDelete(t, run, ids, spec.from, spec.to);
      return deleted;
    }
    // Stages SQL cannot run (parsers, label filters, regexes the engine does not speak as RE2): read the
    // candidates stream by stream, keep what the pipeline keeps, delete exactly those rows.
    const pipeline = compilePipeline(rest);
    let deleted = 0;
    for (const s of spec.streams) {
      const w = new SqlWriter(t.dialect);
      const conds = entriesWhere(w, [s.id], spec.from, spec.to, pushed);
      const rows = (await run(
        `SELECT stream_id, ts, line, metadata FROM ${ENTRIES_TABLE} WHERE ${conds.join(' AND ')}`,
        w.params,
      )) as { stream_id: bigint; ts: bigint; line: string; metadata: string | null }[];
      const doomed = rows.filter(
        (r) =>
          pipeline({
            ts: BigInt(r.ts),
            line: r.line,
            stream: s.labels,
            metadata: r.metadata ? (JSON.parse(r.metadata) as Labels) : undefined,
          }) !== null,
      );
      await deleteTuples(t, run, doomed);
      if (doomed.length > 0) await recountAfterDelete(t, run, [s.id], spec.from, spec.to);
      deleted += doomed.length;
    }
    return deleted;
  });
  if (n > 0) {
    await withWriteLock(t, (run) => narrowBounds(t, run, ids));
    t.catalog.invalidate();
  }
  return n;
}

/** One cutoff (ns): entries with ts < cutoff expire; `ids` undefined means every stream. */
export interface ExpiryGroup {
  cutoff: bigint;
  ids?: bigint[];
  /** the oldest entry the catalog knows of in the group: DuckDB and PostgreSQL delete from there in slices */
  oldest?: bigint;
}

/** DuckDB / PostgreSQL delete expired rows this much time at a time, each slice in its own transaction, so that a
 *  first pass over months of expired data never holds the ingester's lock (and PostgreSQL's row locks) for long */
const SLICE_NS = 6n * 3_600_000_000_000n;
const MAX_SLICES = 64n;

/** [from, to) slices covering everything below `cutoff`: the first has no lower bound (rows older than the catalog
 *  knows of go too). ClickHouse gets one statement: each lightweight DELETE is a mutation over every part. */
function slices(t: MaintenanceTarget, g: ExpiryGroup): { from?: bigint; to: bigint }[] {
  if (t.driver.engine === 'clickhouse' || g.oldest === undefined || g.oldest >= g.cutoff) return [{ to: g.cutoff }];
  const out: { from?: bigint; to: bigint }[] = [];
  let from: bigint | undefined;
  // at most MAX_SLICES statements however old the data (a first pass over a year of history)
  const step = (g.cutoff - g.oldest) / MAX_SLICES > SLICE_NS ? (g.cutoff - g.oldest) / MAX_SLICES + 1n : SLICE_NS;
  for (let to = g.oldest + step; ; to += step) {
    const end = to < g.cutoff ? to : g.cutoff;
    out.push({ from, to: end });
    if (end === g.cutoff) return out;
    from = end;
  }
}

export interface RetentionResult {
  /** rows deleted (ClickHouse: rows of partially expired days only) */
  deleted: number;
  /** whole day partitions dropped (ClickHouse) */
  droppedPartitions: number;
}

/**
 * Remove expired entries. `groups` come from the policy (apply.ts); `dropBefore` is the cutoff below which every
 * stream, known or not, has expired (the longest period of all rules): whole partitions entirely below it go at once.
 */
export async function expireEntries(
  t: MaintenanceTarget,
  groups: ExpiryGroup[],
  dropBefore: bigint | undefined,
): Promise<RetentionResult> {
  checkWritable(t);
  let droppedPartitions = 0;
  if (t.driver.engine === 'clickhouse' && dropBefore !== undefined) {
    const parts = await t.driver.query<{ partition: string }>(
      `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = '${ENTRIES_TABLE}' AND active`,
    );
    for (const { partition } of parts) {
      // partition values come from the database (intDiv(ts, day)), checked to be integers before use as literals
      if (!/^-?\d+$/.test(partition)) continue;
      if ((BigInt(partition) + 1n) * DAY_NS <= dropBefore) {
        await t.driver.exec(`ALTER TABLE ${ENTRIES_TABLE} DROP PARTITION ${partition}`);
        droppedPartitions++;
      }
    }
  }
  let deleted = 0;
  const touched: bigint[] = [];
  let all = false;
  for (const g of groups) {
    if (g.ids && g.ids.length === 0) continue;
    for (const slice of slices(t, g)) {
      const n = await withWriteLock(t, async (run) => {
        const w = new SqlWriter(t.dialect);
        const conds = [`ts < ${w.bind(slice.to, 'int64')}`];
        if (slice.from !== undefined) conds.unshift(`ts >= ${w.bind(slice.from, 'int64')}`);
        if (g.ids) conds.unshift(t.dialect.inArray('stream_id', w.bind(g.ids, 'int64[]')));
        const deleted = (await deleteWhere(t, run, conds, w.params)) ?? 0;
        if (deleted > 0) await recountAfterDelete(t, run, g.ids, slice.from, slice.to);
        return deleted;
      });
      deleted += n;
      if (n > 0) {
        if (g.ids) touched.push(...g.ids);
        else all = true;
      }
    }
  }
  if (deleted > 0 || droppedPartitions > 0) {
    await withWriteLock(t, (run) => narrowBounds(t, run, all || droppedPartitions > 0 ? 'all' : touched));
    t.catalog.invalidate();
  }
  return { deleted, droppedPartitions };
}
