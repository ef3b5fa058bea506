// A driver runs SQL text with positional parameters on one engine. The SQL compiler writes placeholders in the
// dialect's own syntax (`$1` for DuckDB and PostgreSQL, `{p1:Type}` for ClickHouse), so drivers pass text through.

export type EngineName = 'duckdb' | 'postgres' | 'clickhouse';

export type SqlParam = string | number | bigint | boolean | null | string[] | bigint[] | number[];

export type Row = Record<string, unknown>;

export interface Driver {
  readonly engine: EngineName;
  /** Run one statement and return its rows. BIGINT columns come back as bigint. */
  query<T extends Row = Row>(sql: string, params?: SqlParam[], signal?: AbortSignal): Promise<T[]>;
  /** Run statements that return nothing (DDL, several statements separated by `;`). */
  exec(sql: string): Promise<void>;
  /** Append rows fast (DuckDB appender / PostgreSQL COPY / ClickHouse insert), inside the caller's transaction. */
  close(): Promise<void>;
}
