// The gRPC service implementations: pluginv2 Data, Diagnostics, Resource, Stream; go-plugin's controller, stdio and
// broker; grpc.health.v1. Per-query failures are answered inside DataResponse (status + error + errorSource), never
// as gRPC errors.
import * as grpc from '@grpc/grpc-js';
import type { EngineApi, QueryResult } from '../engine/types';
import { LogQLError } from '../logql/errors';
import { checkSeriesLimit } from '../eval/limits';
import { isDatabaseUnreachable, PIPELINE_BUILD_ERROR, sanitizeErrorMessage } from '../http/sanitize';
import { encodeFrame } from '../frames/arrow';
import { resultFrames } from '../frames/build';
import type { Logger } from './hclog';
import { PluginMetrics } from './metrics';
import { prepareQuery, QueryModelError, type WireDataQuery } from './query';
import { handleResource } from './resources';
import { InstanceCache, SettingsError, type DataSourceConfig, type RawInstanceSettings } from './settings';
import { parseTailRequest, runTail } from './stream';
import { inServerSpan, inSpanSync } from '../telemetry/tracing';

export interface PluginContextWire {
  orgId?: number;
  pluginId?: string;
  dataSourceInstanceSettings?: RawInstanceSettings | null;
}

export interface DataResponseWire {
  frames: Buffer[];
  error: string;
  status: number;
  errorSource: string;
  format: number;
}

export interface ServiceContext {
  cache: InstanceCache;
  log: Logger;
  metrics: PluginMetrics;
  /** called after plugin.GRPCController/Shutdown was answered */
  onShutdown: () => void;
  /** aborted when the server stops: ends open streams */
  stopping: AbortSignal;
}

/** Map an error to a DataResponse status and Grafana errorSource ("plugin" | "downstream"). */
export function classifyError(err: unknown): { status: number; errorSource: 'plugin' | 'downstream'; message: string } {
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof QueryModelError || err instanceof SettingsError)
    return { status: 400, errorSource: 'downstream', message };
  if (err instanceof LogQLError) {
    if (err.kind === 'database') return { status: 502, errorSource: 'downstream', message };
    return { status: err.isUserError ? 400 : 500, errorSource: err.isUserError ? 'downstream' : 'plugin', message };
  }
  const name = (err as Error)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') {
    return { status: 504, errorSource: 'downstream', message: `query timed out or was cancelled: ${message}` };
  }
  if (name === 'ParamError' || name === 'PushValidationError' || name === 'QueryLimitError')
    return { status: 400, errorSource: 'downstream', message };
  if (name === 'UnsupportedDatabaseError') return { status: 400, errorSource: 'downstream', message };
  // as the HTTP API does (http/server.ts errorStatus): a template or regex that does not parse is the query's fault,
  // an unreachable database is 503 without its address, and no message carries a stack trace or a path
  if (name === 'TemplateError' || name === 'RE2SyntaxError' || PIPELINE_BUILD_ERROR.test(message))
    return { status: 400, errorSource: 'downstream', message: sanitizeErrorMessage(message, 400) };
  if (isDatabaseUnreachable(err)) {
    return {
      status: 503,
      errorSource: 'downstream',
      message: sanitizeErrorMessage(`the database is unavailable, retry later: ${message}`, 503),
    };
  }
  return { status: 500, errorSource: 'plugin', message: sanitizeErrorMessage(message, 500) };
}

function errorResponse(err: unknown): DataResponseWire {
  const c = classifyError(err);
  return { frames: [], error: c.message, status: c.status, errorSource: c.errorSource, format: 0 };
}

function resultKind(r: QueryResult): string {
  return r.data.resultType === 'streams' ? 'logs' : r.data.resultType === 'matrix' ? 'range' : 'instant';
}

/** Answer one DataQuery. Never throws. */
export async function runDataQuery(
  engine: EngineApi,
  config: DataSourceConfig,
  q: WireDataQuery,
  ctx: Pick<ServiceContext, 'metrics' | 'log'>,
  parent?: AbortSignal,
): Promise<DataResponseWire> {
  const t0 = performance.now();
  const timeout = AbortSignal.timeout(config.timeoutMs);
  const signal = parent ? AbortSignal.any([parent, timeout]) : timeout;
  try {
    const p = prepareQuery(q, config, signal);
    const result = await engine.query(p.request);
    checkSeriesLimit(result.data); // Loki's max_query_series
    const frames = resultFrames(result, {
      refId: q.refId,
      expr: p.expr,
      legendFormat: p.legendFormat,
      direction: p.request.direction,
      limit: p.request.limit,
    });
    const kind = resultKind(result);
    ctx.metrics.queries.inc({ status: '200', kind });
    ctx.metrics.queryDuration.observe({ kind }, (performance.now() - t0) / 1000);
    const encoded = inSpanSync('encode arrow', { 'logqlsql.frames': frames.length }, () =>
      frames.map((f) => Buffer.from(encodeFrame(f))),
    );
    return {
      frames: encoded,
      error: '',
      status: 200,
      errorSource: '',
      format: 0,
    };
  } catch (e) {
    const r = errorResponse(
      timeout.aborted && !(parent?.aborted ?? false)
        ? Object.assign(new Error(`query exceeded the timeout of ${config.timeoutMs / 1000} s`), {
            name: 'TimeoutError',
          })
        : e,
    );
    ctx.metrics.queries.inc({ status: String(r.status), kind: 'error' });
    ctx.log.debug('Query failed', { refId: q.refId, status: r.status, error: r.error });
    return r;
  }
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

function unary<Req, Res>(
  ctx: ServiceContext,
  method: string,
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): Unary<Req, Res> {
  return (call, cb) => {
    ctx.metrics.grpcCalls.inc({ method });
    fn(call.request, call).then(
      (res) => cb(null, res),
      (err: unknown) => {
        ctx.log.error('gRPC call failed', { method, error: (err as Error)?.message ?? String(err) });
        cb({ code: grpc.status.INTERNAL, details: (err as Error)?.message ?? String(err) });
      },
    );
  };
}

function callSignal(
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  stopping: AbortSignal,
): AbortSignal {
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort());
  return AbortSignal.any([ac.signal, stopping]);
}

interface QueryDataRequestWire {
  pluginContext?: PluginContextWire;
  queries: WireDataQuery[];
}

interface CallResourceRequestWire {
  pluginContext?: PluginContextWire;
  path: string;
  method: string;
  url: string;
  headers?: Record<string, { values: string[] }>;
  body?: Buffer;
}

export function makeServices(ctx: ServiceContext) {
  const { cache, log, metrics } = ctx;

  const Data = {
    QueryData: unary<QueryDataRequestWire, { responses: Record<string, DataResponseWire> }>(
      ctx,
      'QueryData',
      // Grafana forwards the W3C `traceparent` of its own request in the call's metadata
      (req, call) =>
        inServerSpan(call.metadata.getMap(), 'QueryData', { 'logqlsql.queries': req.queries?.length ?? 0 }, () =>
          queryData(req, call),
        ),
    ),
  };

  async function queryData(
    req: QueryDataRequestWire,
    call: grpc.ServerUnaryCall<QueryDataRequestWire, { responses: Record<string, DataResponseWire> }>,
  ): Promise<{ responses: Record<string, DataResponseWire> }> {
    const signal = callSignal(call as never, ctx.stopping);
    const responses: Record<string, DataResponseWire> = {};
    let instance: { config: DataSourceConfig; engine: EngineApi } | undefined;
    let instanceError: unknown;
    try {
      instance = await cache.get(req.pluginContext?.dataSourceInstanceSettings);
    } catch (e) {
      instanceError = e;
    }
    await Promise.all(
      (req.queries ?? []).map(async (q) => {
        if (!instance) {
          const r = errorResponse(instanceError);
          if (!(instanceError instanceof SettingsError)) {
            r.error = `cannot open the database: ${r.error}`;
            r.status = 502;
            r.errorSource = 'downstream';
          }
          responses[q.refId] = r;
          return;
        }
        responses[q.refId] = await runDataQuery(instance.engine, instance.config, q, ctx, signal);
      }),
    );
    return { responses };
  }

  const Diagnostics = {
    CheckHealth: unary<{ pluginContext?: PluginContextWire }, { status: number; message: string; jsonDetails: Buffer }>(
      ctx,
      'CheckHealth',
      async (req) => {
        const details: Record<string, unknown> = {};
        const fail = (message: string) => ({ status: 2, message, jsonDetails: Buffer.from(JSON.stringify(details)) });
        let instance: { config: DataSourceConfig; engine: EngineApi };
        try {
          instance = await cache.get(req.pluginContext?.dataSourceInstanceSettings);
        } catch (e) {
          if (e instanceof SettingsError) return fail(`Settings: ${e.message}`);
          return fail(`Cannot connect to the database: ${(e as Error).message}`);
        }
        const { config, engine } = instance;
        details.engine = config.engine;
        details.database = config.displayUrl;
        details.tableMapping = config.tableMapping.mode;
        const now = BigInt(Date.now()) * 1_000_000n;
        try {
          const r = await engine.query({
            query: 'vector(1)+vector(1)',
            start: now,
            end: now,
            instant: true,
            limit: 1,
            direction: 'backward',
            signal: AbortSignal.timeout(config.timeoutMs),
          });
          const v =
            r.data.resultType === 'vector'
              ? r.data.result[0]?.value[1]
              : r.data.resultType === 'scalar'
                ? r.data.result[1]
                : undefined;
          if (v !== 2)
            return fail(
              `Test query vector(1)+vector(1) returned ${JSON.stringify(v)} instead of 2 (${config.displayUrl})`,
            );
        } catch (e) {
          return fail(`Test query failed on ${config.displayUrl}: ${(e as Error).message}`);
        }
        let labels: string[];
        try {
          // reads the log tables through the configured mapping
          labels = await engine.labelNames(0n, now);
        } catch (e) {
          return fail(
            `Reading the log tables (${config.tableMapping.mode} mapping${config.tableMapping.table ? ` of ${config.tableMapping.table}` : ''}) failed on ${config.displayUrl}: ${(e as Error).message}`,
          );
        }
        details.labels = labels.length;
        const message = `Data source is working: ${config.engine} at ${config.displayUrl}, ${config.tableMapping.mode} tables, ${labels.length} label name${labels.length === 1 ? '' : 's'} found`;
        return { status: 1, message, jsonDetails: Buffer.from(JSON.stringify(details)) };
      },
    ),
    CollectMetrics: unary<unknown, { metrics: { prometheus: Buffer } }>(ctx, 'CollectMetrics', async () => ({
      metrics: { prometheus: Buffer.from(await metrics.text()) },
    })),
  };

  const Resource = {
    CallResource: (call: grpc.ServerWritableStream<CallResourceRequestWire, unknown>) => {
      metrics.grpcCalls.inc({ method: 'CallResource' });
      const req = call.request;
      const headers: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = v?.values ?? [];
      void (async () => {
        let status = 500;
        try {
          const { config, engine } = await cache.get(req.pluginContext?.dataSourceInstanceSettings);
          const res = await handleResource(engine, config, {
            method: req.method,
            path: req.path,
            url: req.url || req.path,
            headers,
            body: req.body,
          });
          status = res.status;
          const hdrs: Record<string, { values: string[] }> = {};
          for (const [k, v] of Object.entries(res.headers)) hdrs[k] = { values: v };
          call.write({ code: res.status, headers: hdrs, body: res.body });
        } catch (e) {
          const c = classifyError(e);
          status = c.status === 500 ? 502 : c.status;
          call.write({
            code: status,
            headers: { 'Content-Type': { values: ['application/json'] } },
            body: Buffer.from(JSON.stringify({ status: 'error', error: `cannot open the database: ${c.message}` })),
          });
        }
        metrics.resources.inc({ route: routeName(req.path), status: String(status) });
        call.end();
      })();
    },
  };

  const Stream = {
    SubscribeStream: unary<
      { pluginContext?: PluginContextWire; path: string; data?: Buffer },
      { status: number; data: Buffer }
    >(ctx, 'SubscribeStream', async (req) => {
      try {
        const { config } = await cache.get(req.pluginContext?.dataSourceInstanceSettings);
        parseTailRequest(req.path, req.data, config);
        return { status: 0, data: Buffer.alloc(0) };
      } catch (e) {
        log.info('Stream subscription refused', { path: req.path, error: (e as Error).message });
        return { status: 1, data: Buffer.alloc(0) };
      }
    }),
    RunStream: (
      call: grpc.ServerWritableStream<{ pluginContext?: PluginContextWire; path: string; data?: Buffer }, unknown>,
    ) => {
      metrics.grpcCalls.inc({ method: 'RunStream' });
      const signal = callSignal(call, ctx.stopping);
      void (async () => {
        try {
          const { config, engine } = await cache.get(call.request.pluginContext?.dataSourceInstanceSettings);
          const tail = parseTailRequest(call.request.path, call.request.data, config);
          log.debug('Live tail started', { path: call.request.path, expr: tail.expr });
          await runTail(
            engine,
            tail,
            call.request.path,
            (json) => call.write({ data: Buffer.from(json) }),
            signal,
            log,
          );
          call.end();
        } catch (e) {
          if (signal.aborted) {
            call.end();
            return;
          }
          call.destroy(Object.assign(new Error((e as Error).message), { code: grpc.status.INVALID_ARGUMENT }));
        }
      })();
    },
    PublishStream: unary<unknown, { status: number; data: Buffer }>(ctx, 'PublishStream', async () => ({
      status: 2, // PERMISSION_DENIED: channels are read-only
      data: Buffer.alloc(0),
    })),
  };

  const GRPCController = {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      log.info('Shutdown requested by the host');
      cb(null, {});
      setImmediate(ctx.onShutdown);
    },
  };

  // go-plugin asks for the plugin's stdio over gRPC; we never write to stdout after the handshake, so the stream
  // stays open and empty until shutdown.
  const GRPCStdio = {
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => holdOpen(call, ctx.stopping),
  };
  // The broker lets a plugin dial back to the host; we do not use it, but accept the stream.
  const GRPCBroker = {
    StartStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.on('data', () => {});
      call.on('end', () => call.end());
      holdOpen(call, ctx.stopping);
    },
  };

  const SERVING = 1;
  const SERVICE_UNKNOWN = 3;
  const healthStatus = (service: string) => (service === '' || service === 'plugin' ? SERVING : SERVICE_UNKNOWN);
  const Health = {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const s = healthStatus(call.request.service ?? '');
      if (s === SERVICE_UNKNOWN)
        cb({ code: grpc.status.NOT_FOUND, details: `unknown service ${call.request.service}` });
      else cb(null, { status: s });
    },
    Watch: (call: grpc.ServerWritableStream<{ service: string }, unknown>) => {
      call.write({ status: healthStatus(call.request.service ?? '') });
      holdOpen(call, ctx.stopping);
    },
  };

  return { Data, Diagnostics, Resource, Stream, GRPCController, GRPCStdio, GRPCBroker, Health };
}

function holdOpen(
  call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
  stopping: AbortSignal,
): void {
  const end = () => {
    try {
      call.end();
    } catch {
      /* already closed */
    }
  };
  if (stopping.aborted) return end();
  stopping.addEventListener('abort', end, { once: true });
  call.on('cancelled', () => stopping.removeEventListener('abort', end));
}

function routeName(path: string): string {
  const p = path.replace(/^\/+/, '');
  if (/^label\/[^/]+\/values$/.test(p)) return 'label_values';
  return [
    'labels',
    'label',
    'series',
    'index/stats',
    'translate',
    'explain',
    'validate',
    'sample',
    'push',
    'health',
  ].includes(p)
    ? p
    : 'other';
}
