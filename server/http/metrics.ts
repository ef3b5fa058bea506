// Prometheus metrics of the HTTP server. One registry per server instance (tests build many servers).

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  requestDuration: Histogram<'route' | 'method' | 'status'>;
  queries: Counter<'type' | 'status'>;
  rowsScanned: Counter<'type'>;
  sqlSeconds: Histogram<'type'>;
  queryDuration: Histogram<'type'>;
  ingestedEntries: Counter<string>;
  ingestedBytes: Counter<string>;
  pushRequests: Counter<'status'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'logqlsql_' });
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  return {
    registry,
    requests: new Counter({
      name: 'logqlsql_http_requests_total',
      help: 'HTTP requests by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'logqlsql_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      buckets,
      registers: [registry],
    }),
    queries: new Counter({
      name: 'logqlsql_queries_total',
      help: 'LogQL queries by type (range, instant) and outcome (success, user_error, error, canceled)',
      labelNames: ['type', 'status'],
      registers: [registry],
    }),
    rowsScanned: new Counter({
      name: 'logqlsql_query_rows_scanned_total',
      help: 'Rows read from the database by LogQL queries',
      labelNames: ['type'],
      registers: [registry],
    }),
    sqlSeconds: new Histogram({
      name: 'logqlsql_query_sql_seconds',
      help: 'Time spent in SQL statements per LogQL query',
      labelNames: ['type'],
      buckets,
      registers: [registry],
    }),
    queryDuration: new Histogram({
      name: 'logqlsql_query_duration_seconds',
      help: 'Total engine time per LogQL query',
      labelNames: ['type'],
      buckets,
      registers: [registry],
    }),
    ingestedEntries: new Counter({
      name: 'logqlsql_ingested_entries_total',
      help: 'Log entries accepted through the push API',
      registers: [registry],
    }),
    ingestedBytes: new Counter({
      name: 'logqlsql_ingested_bytes_total',
      help: 'Bytes of log lines accepted through the push API',
      registers: [registry],
    }),
    pushRequests: new Counter({
      name: 'logqlsql_push_requests_total',
      help: 'Push requests by status code',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}
