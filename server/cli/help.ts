// Help text that lists choices the option parsers accept: database URL forms (sql/open.ts and schema/mapping.ts).

export const DB_URL_HELP = `Database URLs (--db):
  duckdb:./data/logs.duckdb               DuckDB file, embedded (the default; parent directories are created)
  duckdb::memory:                         DuckDB in memory (gone when the process exits)
  postgres://USER:PASSWORD@HOST:5432/DB   PostgreSQL 15+ (also postgresql://)
  clickhouse://USER:PASSWORD@HOST:8123/DB a ClickHouse server over HTTP (clickhouses:// for HTTPS)
  chdb:./data/chdb                        ClickHouse in-process (chDB), data in that directory
  chdb::memory:                           chDB in a temporary directory removed on exit
An existing table instead of the native schema: append a mapping to any URL above
  URL#flat:table=logs,ts=time,line=msg[,labels=app|level]   label columns (default: every other text column)
  URL#map:table=logs,ts=time,line=msg,labels=attrs          one map/JSON column of labels
  URL#otel[:table=otel_logs]                                the OpenTelemetry collector's ClickHouse table
`;

export const TARGET_HELP = `Where commands go: a running server at --addr (env LOGQLSQL_ADDR, else LOKI_ADDR, else
http://127.0.0.1:3100), with --auth-token (env LOGQLSQL_AUTH_TOKEN) and --org-id (env LOGQLSQL_ORG_ID, LOKI_ORG_ID)
like logcli; with --db URL (or --local for the default database) the CLI opens the database itself instead.
`;
