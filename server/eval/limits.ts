// Per-query bounds (issue 10 item 8), settable by `logqlsql serve` flags:
//   - max_query_series (Loki's name and default, 500): a metric query whose result has more series fails with Loki's
//     400 "maximum number of series (500) reached for a single query; …";
//   - query.max-samples (Prometheus' name and default, 50,000,000): a range aggregation that must hold every sample
//     of its windows (quantile_over_time, rate_counter, absent_over_time, …) fails once it holds more.

export interface QueryLimits {
  maxQuerySeries: number;
  maxSamples: number;
}

export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxQuerySeries: 500,
  maxSamples: 50_000_000,
});

export const queryLimits: QueryLimits = { ...DEFAULT_QUERY_LIMITS };

export function setQueryLimits(l: Partial<QueryLimits>): void {
  if (l.maxQuerySeries !== undefined) queryLimits.maxQuerySeries = Math.max(1, Math.floor(l.maxQuerySeries));
  if (l.maxSamples !== undefined) queryLimits.maxSamples = Math.max(1, Math.floor(l.maxSamples));
}

/** A query past a per-query limit: the query's fault (400, as Loki's ErrLimit). */
export class QueryLimitError extends Error {
  override readonly name = 'QueryLimitError';
  readonly status = 400;
}

/** Loki's NewSeriesLimitError. */
export function seriesLimitError(limit: number): QueryLimitError {
  return new QueryLimitError(
    `maximum number of series (${limit}) reached for a single query; consider reducing query cardinality by adding more specific stream selectors, reducing the time range, or aggregating results with functions like sum(), count() or topk()`,
  );
}

/** Prometheus' ErrTooManySamples. */
export function samplesLimitError(limit: number): QueryLimitError {
  return new QueryLimitError(
    `query processing would load too many samples into memory in query execution (more than ${limit}); reduce the time range or the number of series`,
  );
}

/** Throws Loki's series-limit error when a metric result has more series than max_query_series. */
export function checkSeriesLimit(data: { resultType: string; result: unknown[] }): void {
  if ((data.resultType === 'matrix' || data.resultType === 'vector') && data.result.length > queryLimits.maxQuerySeries)
    throw seriesLimitError(queryLimits.maxQuerySeries);
}
