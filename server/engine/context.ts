import type { Dialect } from '../sql/dialect';
import type { Driver, Row, SqlParam } from '../sql/driver';
import type { StreamCatalog } from './streams';
import type { QueryStats } from './types';
import type { Stage } from '../logql/ast';
import { jsonPrefilter, type Prefilter } from '../plan/prefilter';
import type { StreamInfo } from './streams';
import { NotInSql } from '../sql/pipeline/compile';
import { pipelineRows } from '../sql/pipelineSelect';
import { sqlPipelineFor } from '../sql/pipeline/plan';
import type { ProcessedCounter, StreamSpan } from '../stats/processed';
import { inSqlSpan } from '../telemetry/tracing';
import { JsonSpellings } from '../sql/jsonSpellings';

/** What one query's execution carries: the database, the stream catalog and the stats it accumulates. */
export interface ExecContext {
  driver: Driver;
  dialect: Dialect;
  catalog: StreamCatalog;
  stats: QueryStats;
  query: string;
  signal?: AbortSignal;
  /** when false, only plan (translate): statements are recorded, not run */
  execute: boolean;
  /** every statement planned, with its bound parameters (translate shows them) */
  statements?: { text: string; params: SqlParam[] }[];
  /** false: nothing beyond selectors and line filters runs in SQL — no aggregation pushdown, no pre-filters
   *  (tests compare both paths) */
  pushdown?: boolean;
  /** false: line filters run in TypeScript too, so nothing but the selector and the time range is in SQL (the
   *  differential tests' reference path, which must not share the SQL line filters it checks) */
  lineFiltersInSql?: boolean;
  /** counts the lines and bytes each scan processes (Loki's stats); absent: not counted */
  processed?: ProcessedCounter;
  /** rows per statement of a TypeScript scan (tests make it small to exercise slicing) */
  scanPage?: number;
}

export async function runSql<T extends Row = Row>(ctx: ExecContext, text: string, params: SqlParam[]): Promise<T[]> {
  ctx.stats.sql.push(text);
  ctx.statements?.push({ text, params });
  if (!ctx.execute) return [];
  const t0 = performance.now();
  const rows = await inSqlSpan(ctx.driver.engine, text, () => ctx.driver.query<T>(text, params, ctx.signal));
  ctx.stats.sqlMs += performance.now() - t0;
  ctx.stats.rowsScanned += rows.length;
  return rows;
}

export function newStats(): QueryStats {
  return {
    sql: [],
    tsStages: [],
    rowsScanned: 0,
    sqlMs: 0,
    totalMs: 0,
    linesProcessed: 0,
    bytesProcessed: 0,
    postFilterLines: 0,
    streamsMatched: 0,
  };
}

/** Add the entries a scan of `streams` over [from, to) processes to the stats (Loki's processed lines and bytes);
 *  a metric query's lines all count as post-filter lines too, as Loki's sample iterators count them. */
export async function recordProcessed(
  ctx: ExecContext,
  streams: StreamSpan[],
  from: bigint,
  to: bigint,
  metric: boolean,
): Promise<void> {
  ctx.stats.streamsMatched = (ctx.stats.streamsMatched ?? 0) + streams.length;
  if (!ctx.execute || !ctx.processed) return;
  const p = await ctx.processed.count(streams, from, to, ctx.signal);
  ctx.stats.linesProcessed = (ctx.stats.linesProcessed ?? 0) + p.lines;
  ctx.stats.bytesProcessed = (ctx.stats.bytesProcessed ?? 0) + p.bytes;
  if (metric) ctx.stats.postFilterLines = (ctx.stats.postFilterLines ?? 0) + p.lines;
}

/** The SQL pre-filter implied by a pipeline's TypeScript stages (plan/prefilter.ts), noted in the stats when used. */
export function prefilterFor(ctx: ExecContext, rest: Stage[], streams: StreamInfo[]): Prefilter | undefined {
  if (ctx.pushdown === false) return undefined;

  const p = jsonPrefilter(
    rest,
    streams.map((s) => s.labels),
    ctx.dialect,
    streams.filter((s) => s.jsonQuirks).map((s) => s.id),
    new JsonSpellings(streams),
  );
  if (p) {
    ctx.stats.tsStages.push('label filters on json fields are pre-filtered in SQL');
    return p;
  }
  // other parsers (and json stages further in): the SQL pipeline's verdict, unsure rows included
  const sql = sqlPrefilter(ctx.dialect, rest, streams);
  if (sql) ctx.stats.tsStages.push('label filters after parsers are pre-filtered in SQL');
  return sql;
}

/** The pipeline's longest prefix with a label filter that runs in SQL (sql/pipeline), as a pre-filter: the rows it
 *  keeps, plus every row SQL is unsure of. Later stages can only drop more rows, so the prefix is implied. */
function sqlPrefilter(dialect: Dialect, rest: Stage[], streams: StreamInfo[]): Prefilter | undefined {
  if (!dialect.parsers) return undefined;
  for (let n = rest.length; n > 0; n--) {
    const prefix = rest.slice(0, n);
    if (prefix[n - 1].kind !== 'labelFilter') continue;
    const p = sqlPipelineFor(dialect, prefix, streams, []);
    if (p instanceof NotInSql) continue;
    return (w) => {
      const pl = p(w);
      return {
        rows: (where) =>
          `SELECT stream_id, ts, line, metadata FROM (${pipelineRows(dialect, where, pl)})${dialect.derivedAlias} WHERE u OR kp`,
      };
    };
  }
  return undefined;
}
