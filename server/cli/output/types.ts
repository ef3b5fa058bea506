// The Loki HTTP API's JSON answers, as the CLI reads them (the server's marshal.ts writes them).

export type LokiLabels = Record<string, string>;

export interface LokiStream {
  stream: LokiLabels;
  /** [ns timestamp, line] (a third element, categorized labels, only when asked for) */
  values: [string, string, unknown?][];
}

/** [seconds, "value"] */
export type LokiPoint = [number, string];

export interface LokiSeries {
  metric: LokiLabels;
  values: LokiPoint[];
}

export interface LokiSample {
  metric: LokiLabels;
  value: LokiPoint;
}

export type LokiQueryData =
  | { resultType: 'streams'; result: LokiStream[] }
  | { resultType: 'matrix'; result: LokiSeries[] }
  | { resultType: 'vector'; result: LokiSample[] }
  | { resultType: 'scalar'; result: LokiPoint };

export interface LokiQueryResponse {
  status: string;
  data: LokiQueryData & { stats?: { summary?: Record<string, number> } & Record<string, unknown> };
}

export interface LokiListResponse<T> {
  status: string;
  data: T[];
}

export interface LokiIndexStats {
  streams: number;
  chunks: number;
  entries: number;
  bytes: number;
}

export type OutputFormat = 'table' | 'json' | 'raw' | 'jsonl';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'raw', 'jsonl'];
