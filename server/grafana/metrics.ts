// Metrics of the gRPC adapter, served by Diagnostics/CollectMetrics as Prometheus text. A private registry so it never
// clashes with the HTTP server's metrics in server mode.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class PluginMetrics {
  readonly registry = new Registry();
  readonly queries: Counter<'status' | 'kind'>;
  readonly queryDuration: Histogram<'kind'>;
  readonly resources: Counter<'route' | 'status'>;
  readonly grpcCalls: Counter<'method'>;

  constructor(defaultMetrics = true) {
    this.queries = new Counter({
      name: 'logqlsql_grafana_queries_total',
      help: 'DataQuery executions by result status and result kind',
      labelNames: ['status', 'kind'],
      registers: [this.registry],
    });
    this.queryDuration = new Histogram({
      name: 'logqlsql_grafana_query_duration_seconds',
      help: 'Time to answer one DataQuery (engine and frame encoding)',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.resources = new Counter({
      name: 'logqlsql_grafana_resource_calls_total',
      help: 'CallResource calls by route and HTTP status',
      labelNames: ['route', 'status'],
      registers: [this.registry],
    });
    this.grpcCalls = new Counter({
      name: 'logqlsql_grafana_grpc_calls_total',
      help: 'gRPC calls by method',
      labelNames: ['method'],
      registers: [this.registry],
    });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
