import type { Dialect } from '../sql/dialect';
import type { Driver, Row, SqlParam } from '../sql/driver';
import type { StreamCatalog } from './streams';
import type { Labels, QueryStats } from './types';
import type { Stage } from '../logql/ast';
import { jsonPrefilter, type Prefilter } from '../plan/prefilter';

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
}

export async function runSql<T extends Row = Row>(ctx: ExecContext, text: string, params: SqlParam[]): Promise<T[]> {
  ctx.stats.sql.push(text);
  ctx.statements?.push({ text, params });
  if (!ctx.execute) return [];
  const t0 = performance.now();
  const rows = await ctx.driver.query<T>(text, params, ctx.signal);
  ctx.stats.sqlMs += performance.now() - t0;
  ctx.stats.rowsScanned += rows.length;
  return rows;
}

export function newStats(): QueryStats {
  return { sql: [], tsStages: [], rowsScanned: 0, sqlMs: 0, totalMs: 0 };
}

/** The SQL pre-filter implied by a pipeline's TypeScript stages (plan/prefilter.ts), noted in the stats when used. */
export function prefilterFor(ctx: ExecContext, rest: Stage[], streams: { labels: Labels }[]): Prefilter | undefined {
  if (ctx.pushdown === false) return undefined;
  const p = jsonPrefilter(
    rest,
    streams.map((s) => s.labels),
    ctx.dialect,
  );
  if (p) ctx.stats.tsStages.push('label filters on json fields are pre-filtered in SQL');
  return p;
}
