import type { Dialect } from '../sql/dialect';
import type { Driver, Row, SqlParam } from '../sql/driver';
import type { StreamCatalog } from './streams';
import type { QueryStats } from './types';

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
