import type { DataQuery, DataSourceJsonData } from '@grafana/data';

export type QueryType = 'range' | 'instant';
export type QueryDirection = 'backward' | 'forward';
export type EditorMode = 'builder' | 'code';

/** The query model sent to the backend through /api/ds/query. */
export interface LogQLQuery extends DataQuery {
  expr: string;
  queryType?: QueryType;
  /** log queries: the most lines to return (Loki's `limit`) */
  maxLines?: number;
  direction?: QueryDirection;
  /** metric queries: legend template, e.g. `{{level}}` */
  legendFormat?: string;
  /** metric range queries: step as a duration (`1m`) or a variable (`$__interval`) */
  step?: string;
  /** the editor the query was last edited in (Grafana's Loki editor keeps it in the query too); default code */
  editorMode?: EditorMode;
  /** set by Explore / the data source for supplementary queries */
  supportingQueryType?: 'logsVolume' | 'logsSample' | 'logContext';
}

export const DEFAULT_QUERY: Partial<LogQLQuery> = {
  expr: '',
  queryType: 'range',
  direction: 'backward',
};

export type Engine = 'duckdb' | 'postgres' | 'clickhouse' | 'chdb';

/** Where the log lines live. `native` is the schema `logqlsql` creates for pushed logs. */
export type MappingPreset = 'native' | 'flat' | 'map' | 'otel';

/** jsonData.tableMapping, as the backend reads it (server/grafana/settings.ts). */
export interface TableMapping {
  mode: MappingPreset;
  table?: string;
  timestampColumn?: string;
  bodyColumn?: string;
  /** map / otel: the map or JSON column holding the labels */
  labelsColumn?: string;
  /** flat: plain columns exposed as labels (empty: every other string column) */
  labelColumns?: string[];
  severityColumn?: string;
}

/** Turns a regex match in the line (or a label's value) into a link, e.g. a trace ID into a trace data source. */
export interface DerivedFieldConfig {
  name: string;
  /** regex with one capture group (matcherType 'regex') or a label name (matcherType 'label') */
  matcherRegex: string;
  matcherType?: 'regex' | 'label';
  /** external link; `${__value.raw}` is the match. Empty when datasourceUid is set (internal link). */
  url?: string;
  urlDisplayLabel?: string;
  datasourceUid?: string;
}

/** jsonData of the data source (non-secret settings). The password is secureJsonData.password. */
export interface LogQLOptions extends DataSourceJsonData {
  engine?: Engine;
  /** full database URL without the password (duckdb:PATH, postgres://user@host:port/db, clickhouse://host:port/db) */
  url?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /** duckdb / chdb: file path (or :memory:) */
  path?: string;
  /** older settings: TLS on (= tlsMode 'require') */
  tls?: boolean;
  tlsMode?: TlsMode;
  tableMapping?: TableMapping;
  /** default line limit of log queries that set none */
  maxLines?: number;
  /** query timeout in seconds */
  timeout?: number;
  derivedFields?: DerivedFieldConfig[];
}

export interface LogQLSecureJsonData {
  password?: string;
  /** PEM text for TLS to PostgreSQL / ClickHouse (Grafana's names for these secure fields) */
  tlsCACert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
}

/** TLS to a database server, libpq's sslmode names (server/sql/tls.ts). */
export type TlsMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** The variable query model (variable editor). */
export type VariableQueryType = 'labelNames' | 'labelValues' | 'logql';
export interface LogQLVariableQuery extends DataQuery {
  type: VariableQueryType;
  label?: string;
  stream?: string;
  expr?: string;
  /** optional regex applied to results (kept for the string form) */
  regex?: string;
}

/** translate resource: the SQL a query compiles to. */
export interface Translation {
  sql: Array<{ text: string; params: unknown[] }>;
  tsStages: string[];
  explain: string;
}

/** validate resource. */
export interface ValidationError {
  message: string;
  line?: number;
  column?: number;
  from?: number;
  to?: number;
}
/** validate resource: `{valid: true}` or `{valid: false, error}` (`{ok: true}` / `{error}` accepted too). */
export type ValidationResult = { valid?: boolean; ok?: boolean; error?: ValidationError; tsStages?: string[] };
