// The contracts between the engine and its adapters (HTTP, Grafana gRPC, CLI). Times are ns as bigint.

/** A label set. Keys are label names; adapters sort them when printing. */
export type Labels = Record<string, string>;

export type Direction = 'forward' | 'backward';

export interface QueryRequest {
  query: string;
  /** range queries: [start, end]; instant queries: start === end === the evaluation time */
  start: bigint;
  end: bigint;
  /** metric range queries only; ns */
  step?: bigint;
  instant: boolean;
  limit: number;
  direction: Direction;
  /** cancel a long query (client disconnect, Grafana timeout) */
  signal?: AbortSignal;
}

export interface LogEntry {
  ts: bigint;
  line: string;
  /** structured metadata attached at ingest, if any */
  metadata?: Labels;
}

export interface Stream {
  labels: Labels;
  entries: LogEntry[];
}

/** One point of a series: time in ms (Loki prints metric times at millisecond precision) and its value. */
export type Point = [timeMs: number, value: number];

export interface Series {
  metric: Labels;
  values: Point[];
}

export interface Sample {
  metric: Labels;
  value: Point;
}

export type QueryData =
  | { resultType: 'streams'; result: Stream[] }
  | { resultType: 'matrix'; result: Series[] }
  | { resultType: 'vector'; result: Sample[] }
  | { resultType: 'scalar'; result: Point };

export interface QueryStats {
  /** SQL statements run, in order */
  sql: string[];
  /** stages that ran in TypeScript instead of the database, by name */
  tsStages: string[];
  rowsScanned: number;
  sqlMs: number;
  totalMs: number;
  /** true when a log query returned `limit` entries (there may be more) */
  limitReached?: boolean;
}

export interface QueryResult {
  data: QueryData;
  stats: QueryStats;
}

/** A push request after decoding (JSON, gzip JSON, protobuf+snappy, OTLP all become this). */
export interface PushStream {
  labels: Labels;
  entries: LogEntry[];
}
