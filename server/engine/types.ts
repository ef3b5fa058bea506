// The contracts between the engine and its adapters (HTTP, Grafana gRPC, CLI). Times are ns as bigint.
import type { MaintenanceTarget } from '../retention/target';

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
  /** log queries: stream the entries to this callback in batches as they are read (a label set may come in several
   *  batches; the answer's streams are then empty). Engines may ignore it and answer whole. */
  onStreams?: (streams: Stream[]) => Promise<void>;
  /** log queries: give each entry its parsed labels (LogEntry.parsed), which only categorize-labels answers print
   *  (default true) */
  parsedLabels?: boolean;
}

export interface LogEntry {
  ts: bigint;
  line: string;
  /** structured metadata as Loki's answer names it: renamed `<name>_extracted` when it clashes with a stream label,
   *  less what stages dropped or overwrote. Never part of the stream's `labels`: an entry's full label set is
   *  `{...labels, ...metadata}` (the metadata wins). */
  metadata?: Labels;
  /** the entry's parsed labels and errors (a subset of the stream's labels), for categorize-labels answers */
  parsed?: Labels;
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
  /** Loki's processed lines / bytes: entries of the selected streams in the time range read (stats/processed.ts) */
  linesProcessed?: number;
  bytesProcessed?: number;
  /** lines the pipeline kept (log queries); every line read for metric queries, as Loki counts them */
  postFilterLines?: number;
  /** selected streams, summed over the query's selectors (Loki's chunks) */
  streamsMatched?: number;
  /** time the query waited before running (a concurrency limit), ms */
  queueMs?: number;
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

export interface IndexStats {
  streams: number;
  chunks: number;
  entries: number;
  bytes: number;
}

export interface Translation {
  /** the SQL statements the query compiles to, with bound parameters listed after each */
  sql: { text: string; params: unknown[] }[];
  /** the pipeline stages that run in TypeScript after the database, by name (empty: everything pushed down) */
  tsStages: string[];
  /** human-readable plan: what runs where */
  explain: string;
}

/** What every adapter (HTTP, gRPC, CLI) calls. Implemented by `Engine` in engine/engine.ts. */
export interface EngineApi {
  query(req: QueryRequest): Promise<QueryResult>;
  /** label names of streams with entries in [start, end]; `query` narrows to a selector */
  labelNames(start: bigint, end: bigint, query?: string): Promise<string[]>;
  labelValues(name: string, start: bigint, end: bigint, query?: string): Promise<string[]>;
  /** label sets of streams matching any of the selectors, with entries in [start, end] */
  series(match: string[], start: bigint, end: bigint): Promise<Labels[]>;
  indexStats(query: string, start: bigint, end: bigint): Promise<IndexStats>;
  push(streams: PushStream[]): Promise<{ entries: number }>;
  /** plan without running: the SQL per statement and what stays in TypeScript */
  translate(query: string, dialect?: string, req?: Partial<QueryRequest>): Promise<Translation>;
  /** run retention / delete-request work on this engine's database (server/retention), kept open meanwhile */
  maintain?<T>(fn: (target: MaintenanceTarget) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
