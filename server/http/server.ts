// Loki's HTTP API over an EngineApi: query, query_range, labels, label values, series, index stats, format_query,
// push, /ready, /metrics, buildinfo. Parameters, defaults, messages and response shapes follow Loki (pkg/loghttp,
// pkg/util/marshal, pkg/util/server/error.go): errors are plain text with the status code.

import { registerEditorResources } from './editorResources';
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import websocket from '@fastify/websocket';
import type { EngineApi, PushStream, QueryResult } from '../engine/types';
import { IngestGate, IngestRefused, type GateOptions } from '../ingest/backpressure';
import type { OtlpOptions } from '../ingest/otlp';
import { applyIngestLimits, ingestLimits, type IngestLimits } from '../ingest/limits';
import { discoverFields, type FieldDiscovery } from '../ingest/discover';
import { TailHub } from '../tail/tail';
import { registerEcosystemRoutes } from './ecosystem';
import { inServerSpan, inSpan, inSpanSync, tracedChunks, tracingEnabled } from '../telemetry/tracing';
import { initTracingFromEnv } from '../telemetry/setup';
import { registerDeleteRoutes } from './deleteRoutes';
import type { CompactorOptions } from '../retention/compactor';
import { checkAuth, tenantOf, type TenantEngines } from './access';
import { LogQLError } from '../logql/errors';
import { checkSeriesLimit } from '../eval/limits';
import { loadDefaultDeps, type ServerDeps } from './deps';
import { encodeLabelsResponse, encodeQueryResponse, encodeSeriesResponse } from './marshal';
import { LogAnswerStream } from './logStream';
import { createMetrics, type ServerMetrics } from './metrics';
import { isDatabaseUnreachable, PIPELINE_BUILD_ERROR, sanitizeErrorMessage } from './sanitize';
import { ParamError, Params, parseBounds, parseInstantQuery, parseRangeQuery, parseSeriesMatchers } from './params';

export const VERSION = '0.1.0';
/** The Loki version we report in buildinfo (the API level we follow). */
export const LOKI_API_VERSION = '3.5.0';

export interface ServerOptions {
  /** a pino logger (fastify's loggerInstance); default: no logging */
  logger?: FastifyBaseLogger;
  /** maximum request body in bytes (push); default 64 MiB */
  bodyLimit?: number;
  /** metrics registry; default: a new one with process metrics */
  metrics?: ServerMetrics;
  /** override the ingest decoders / formatter (tests); default: the real modules */
  deps?: ServerDeps;
  /** gzip large responses when the client accepts it; default true */
  compress?: boolean;
  /** `/ready` answers 503 until this returns true; default: always ready */
  ready?: () => boolean;
  /** require `Authorization: Bearer <token>` (or basic auth with this password) on the Loki and OTLP APIs */
  authToken?: string;
  /** multi-tenancy: when set, `X-Scope-OrgID` is required and selects the tenant's engine (off by default) */
  tenants?: TenantEngines;
  /** ingest admission limits (429/503 with Retry-After) */
  ingest?: GateOptions;
  /** what one push may carry (Loki's limits_config names and defaults; server/ingest/limits.ts) */
  limits?: Partial<IngestLimits>;
  /** ingest-time service_name / detected_level as Loki adds them (server/ingest/discover.ts); default: none */
  discovery?: FieldDiscovery;
  /** retention and Loki's delete API schedule (server/retention/compactor.ts); default: keep everything */
  compactor?: CompactorOptions;
  /** OTLP → Loki stream mapping */
  otlp?: OtlpOptions;
  /** live tail: how often tailers poll for writes made outside this process (ms, default 1000) */
  tailPollMs?: number;
}

/** An error with an HTTP status, written as plain text. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** extra response headers (Retry-After, WWW-Authenticate) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_CT = 'application/json; charset=utf-8';
const ERR_CANCELED = 'the request was cancelled by the client';
const COMPRESS_MIN = 16 * 1024;

function isLogQLError(e: unknown): e is LogQLError {
  return e instanceof LogQLError || (e instanceof Error && e.name === 'LogQLError' && 'isUserError' in e);
}

/**
 * Map any error to (status, message) the way Loki's ClientHTTPStatusAndError does for our error kinds. The message is
 * safe for a response body (sanitizeErrorMessage: no stack trace, paths, or — for 5xx — addresses).
 */
export function errorStatus(err: unknown, aborted = false): { status: number; message: string } {
  const r = rawErrorStatus(err, aborted);
  return { status: r.status, message: sanitizeErrorMessage(r.message, r.status) };
}

function rawErrorStatus(err: unknown, aborted: boolean): { status: number; message: string } {
  if (aborted) return { status: 499, message: ERR_CANCELED };
  if (err instanceof ParamError) return { status: 400, message: err.message };
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof IngestRefused) return { status: err.status, message: err.message };
  if (isLogQLError(err)) return { status: err.isUserError ? 400 : 500, message: err.message };
  if (err instanceof Error) {
    const e = err as Error & { status?: unknown; statusCode?: unknown };
    const s = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
    if (e.name === 'AbortError') return { status: 499, message: ERR_CANCELED };
    // the parser and the evaluators recurse over the expression: a query nested thousands deep (found by
    // tests/hardening/fuzz.test.ts) exhausts the stack, which is the query's fault
    // (V8 words it two ways: a RangeError, or a SyntaxError when the stack ran out while a regex compiled)
    if (
      (e instanceof RangeError && /call stack/i.test(e.message)) ||
      (e instanceof SyntaxError && /^Invalid regular expression: .*: Stack overflow$/s.test(e.message))
    ) {
      return { status: 400, message: 'parse error : the query is nested too deeply' };
    }
    // a template or regex that does not parse is the query's fault (Loki: 400); the pipeline builder words some
    // of its refusals as plain errors
    if (e.name === 'TemplateError' || e.name === 'RE2SyntaxError' || PIPELINE_BUILD_ERROR.test(e.message)) {
      return { status: 400, message: e.message };
    }
    if ((s === 500 || s === 502) && isDatabaseUnreachable(e)) {
      return { status: 503, message: `the database is unavailable, retry later: ${e.message || String(err)}` };
    }
    return { status: s >= 400 && s < 600 ? s : 500, message: e.message || String(err) };
  }
  return { status: 500, message: String(err) };
}

function params(req: FastifyRequest): Params {
  const body = req.body instanceof URLSearchParams ? req.body : null;
  return Params.fromUrl(req.url, body);
}

function encodingFlags(req: FastifyRequest): Set<string> {
  const h = req.headers['x-loki-response-encoding-flags'];
  const raw = Array.isArray(h) ? h.join(',') : (h ?? '');
  return new Set(
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** AbortSignal that fires when the client goes away before the response is written. */
function disconnectSignal(req: FastifyRequest, reply: FastifyReply): AbortController {
  const ac = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableEnded) ac.abort(new HttpError(499, ERR_CANCELED));
  };
  reply.raw.once('close', onClose);
  req.raw.once('aborted', onClose);
  return ac;
}

function acceptsGzip(req: FastifyRequest): boolean {
  const ae = req.headers['accept-encoding'];
  return typeof ae === 'string' && /\bgzip\b/i.test(ae);
}

/** Send JSON chunks: one string when small, else a stream (gzip-compressed when accepted and allowed). */
function sendChunks(
  req: FastifyRequest,
  reply: FastifyReply,
  chunks: Iterator<string>,
  compress: boolean,
): FastifyReply {
  reply.type(JSON_CT);
  const first = chunks.next();
  if (first.done) return reply.send('');
  const second = chunks.next();
  if (second.done) {
    if (compress && first.value.length >= COMPRESS_MIN && acceptsGzip(req)) {
      reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
      return reply.send(Readable.from([Buffer.from(first.value)]).pipe(createGzip({ level: 1 })));
    }
    return reply.send(first.value);
  }
  function* all(): Generator<Buffer> {
    yield Buffer.from(first.value as string);
    yield Buffer.from(second.value as string);
    for (let r = chunks.next(); !r.done; r = chunks.next()) yield Buffer.from(r.value);
  }
  const body = Readable.from(all(), { objectMode: false });
  if (compress && acceptsGzip(req)) {
    reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
    return reply.send(body.pipe(createGzip({ level: 1 })));
  }
  return reply.send(body);
}

function mediaType(ct: string | undefined): string {
  return (ct ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Build the Fastify app (not listening). */
export function buildServer(engine: EngineApi, opts: ServerOptions = {}): FastifyInstance {
  const metrics = opts.metrics ?? createMetrics();
  const compress = opts.compress ?? true;
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? 64 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  });
  let deps: Promise<ServerDeps> | undefined = opts.deps ? Promise.resolve(opts.deps) : undefined;
  const getDeps = () => (deps ??= loadDefaultDeps());
  const gate = new IngestGate(opts.ingest);
  const limits = ingestLimits(opts.limits);
  const hubs = new WeakMap<EngineApi, TailHub>();
  const hubOf = (e: EngineApi): TailHub => {
    let h = hubs.get(e);
    if (!h) hubs.set(e, (h = new TailHub()));
    return h;
  };
  /** The engine serving this request: the tenant's when multi-tenancy is on. */
  const engineOf = async (req: FastifyRequest): Promise<EngineApi> => {
    if (!opts.tenants) return engine;
    return opts.tenants.engineFor(tenantOf(req));
  };
  const tenantsToClose = opts.tenants;
  if (tenantsToClose?.close) app.addHook('onClose', async () => tenantsToClose.close!());

  app.addHook('onRequest', async (req, reply) => {
    try {
      checkAuth(req, opts.authToken);
      const tenantRoute =
        /^\/(loki|otlp|api\/prom|api\/v1)\//.test(req.url) && !req.url.startsWith('/loki/api/v1/status/buildinfo');
      if (opts.tenants && tenantRoute) tenantOf(req);
    } catch (e) {
      // A refused WebSocket upgrade (tail): answer on the raw socket and close it — a reply through the upgrade's
      // stand-in response would leave the socket open (and the server unable to close).
      if (e instanceof HttpError && /websocket/i.test(String(req.headers.upgrade ?? ''))) {
        reply.hijack();
        const body = sanitizeErrorMessage(e.message, e.status) + '\n';
        const extra = Object.entries(e.headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        req.raw.socket.end(
          `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\nContent-Type: ${TEXT}\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
        );
        return;
      }
      throw e;
    }
  });

  // Bodies: forms become URLSearchParams (Go's r.Form), everything else stays a raw Buffer for the push decoders.
  // tail over WebSocket: @fastify/websocket handles the upgrade on the same port
  app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { route, method: req.method, status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type(TEXT).send('404 page not found\n');
  });

  app.setErrorHandler((err, req, reply) => {
    const { status, message } = errorStatus(err);
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    else req.log.debug({ status, msg: message, url: req.url }, 'request rejected');
    if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    if (err instanceof IngestRefused) reply.header('retry-after', String(err.retryAfterSeconds));
    reply.code(status).type(TEXT).header('x-content-type-options', 'nosniff').send(message);
  });

  async function runQuery(req: FastifyRequest, reply: FastifyReply, instant: boolean): Promise<FastifyReply> {
    const p = params(req);
    const type = instant ? 'instant' : 'range';
    let result: QueryResult;
    const ac = disconnectSignal(req, reply);
    let streaming: LogAnswerStream | undefined;
    try {
      if (instant) {
        const q = parseInstantQuery(p);
        result = await (
          await engineOf(req)
        ).query({
          query: q.query,
          start: q.time,
          end: q.time,
          instant: true,
          limit: q.limit,
          direction: q.direction,
          signal: ac.signal,
          parsedLabels: encodingFlags(req).has('categorize-labels'),
        });
      } else {
        const q = parseRangeQuery(p);
        // a log query's entries are written as the engine reads them (bounded memory for large limits)
        const categorizeLabels = encodingFlags(req).has('categorize-labels');
        streaming = new LogAnswerStream(reply, JSON_CT, compress && acceptsGzip(req), { categorizeLabels }, ac.signal);
        result = await (
          await engineOf(req)
        ).query({
          query: q.query,
          start: q.start,
          end: q.end,
          step: q.step,
          instant: false,
          limit: q.limit,
          direction: q.direction,
          signal: ac.signal,
          parsedLabels: categorizeLabels,
          // each streamed batch's encoding and write is a span of its own when tracing
          onStreams: tracingEnabled()
            ? (batch) => inSpan('encode json', { 'logqlsql.streams': batch.length }, () => streaming!.write(batch))
            : streaming.write,
        });
      }
      checkSeriesLimit(result.data); // Loki's max_query_series
    } catch (e) {
      const aborted = ac.signal.aborted;
      const { status } = errorStatus(e, aborted);
      metrics.queries.inc({ type, status: aborted ? 'canceled' : status < 500 ? 'user_error' : 'error' });
      if (streaming?.started) {
        streaming.fail(e); // the status is sent already: cut the answer off
        return reply;
      }
      throw aborted ? new HttpError(499, ERR_CANCELED) : e;
    }
    metrics.queries.inc({ type, status: 'success' });
    const st = result.stats;
    if (st) {
      metrics.rowsScanned.inc({ type }, st.rowsScanned || 0);
      metrics.sqlSeconds.observe({ type }, (st.sqlMs || 0) / 1000);
      metrics.queryDuration.observe({ type }, (st.totalMs || 0) / 1000);
    }
    if (streaming?.started) {
      inSpanSync('encode json', { 'logqlsql.last': true }, () => streaming!.end(result.stats));
      return reply;
    }
    const flags = encodingFlags(req);
    return sendChunks(
      req,
      reply,
      tracedChunks('encode json', encodeQueryResponse(result, { categorizeLabels: flags.has('categorize-labels') })),
      compress,
    );
  }

  /** A handler as one server span, child of the caller's W3C `traceparent` header when it sends one. */
  const traced =
    (name: string, fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    (req: FastifyRequest, reply: FastifyReply) =>
      inServerSpan(req.headers, name, { 'http.request.method': req.method, 'http.route': name }, () => fn(req, reply));

  const both = (url: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
    app.get(url, handler);
    app.post(url, handler);
  };

  both(
    '/loki/api/v1/query',
    traced('/loki/api/v1/query', (req, reply) => runQuery(req, reply, true)),
  );
  both(
    '/loki/api/v1/query_range',
    traced('/loki/api/v1/query_range', (req, reply) => runQuery(req, reply, false)),
  );

  const labelNames = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = params(req);
    const { start, end } = parseBounds(p);
    const q = p.get('query');
    const names = await (await engineOf(req)).labelNames(start, end, q === '' ? undefined : q);
    return reply.type(JSON_CT).send(encodeLabelsResponse(names));
  };
  both('/loki/api/v1/labels', labelNames);
  both('/loki/api/v1/label', labelNames);

  const labelValues = async (req: FastifyRequest, reply: FastifyReply) => {
    const { name } = req.params as { name: string };
    const p = params(req);
    const { start, end } = parseBounds(p);
    const q = p.get('query');
    const values = await (await engineOf(req)).labelValues(name, start, end, q === '' ? undefined : q);
    return reply.type(JSON_CT).send(encodeLabelsResponse(values));
  };
  both('/loki/api/v1/label/:name/values', labelValues);

  both('/loki/api/v1/series', async (req, reply) => {
    const p = params(req);
    const { start, end } = parseBounds(p);
    const match = parseSeriesMatchers(p);
    const series = await (await engineOf(req)).series(match, start, end);
    return reply.type(JSON_CT).send(encodeSeriesResponse(series));
  });

  both('/loki/api/v1/index/stats', async (req, reply) => {
    const p = params(req);
    const q = parseRangeQuery(p);
    const s = await (await engineOf(req)).indexStats(q.query, q.start, q.end);
    return reply
      .type(JSON_CT)
      .send(JSON.stringify({ streams: s.streams, chunks: s.chunks, bytes: s.bytes, entries: s.entries }) + '\n');
  });

  both('/loki/api/v1/format_query', async (req, reply) => {
    const p = params(req);
    const { formatQuery } = await getDeps();
    if (!formatQuery) throw new HttpError(501, 'format_query is not available in this build');
    try {
      const data = formatQuery(p.get('query'));
      return reply.type(JSON_CT).send(JSON.stringify({ status: 'success', data }) + '\n');
    } catch (e) {
      if (!isLogQLError(e)) throw e;
      return reply
        .code(400)
        .type(JSON_CT)
        .send(JSON.stringify({ status: 'invalid-query', error: e.message }) + '\n');
    }
  });

  /** Admit, commit, count and announce to tailers; resolves after the commit. */
  const pushStreams = async (req: FastifyRequest, streams: PushStream[]): Promise<void> => {
    applyIngestLimits(streams, limits);
    if (opts.discovery) discoverFields(streams, opts.discovery);
    let rows = 0;
    let bytes = 0;
    for (const s of streams) {
      rows += s.entries.length;
      for (const e of s.entries) bytes += e.line.length;
    }
    if (rows === 0) return;
    const eng = await engineOf(req);
    const { entries } = await gate.run(rows, bytes, () => eng.push(streams));
    metrics.ingestedEntries.inc(entries);
    metrics.ingestedBytes.inc(bytes);
    const hub = hubs.get(eng);
    if (hub && hub.size > 0) hub.notify(streams);
  };

  const push = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const ct = mediaType(req.headers['content-type']);
    const ceHeader = req.headers['content-encoding'];
    const ce = typeof ceHeader === 'string' && ceHeader !== '' ? ceHeader : undefined;
    const d = await getDeps();
    let streams;
    try {
      if (ct === 'application/json') {
        if (!d.decodePushJson) throw new HttpError(501, 'JSON push is not available in this build');
        streams = await d.decodePushJson(body, ce, limits.maxDecompressedSize);
      } else {
        if (!d.decodePushProtobuf) {
          throw new HttpError(
            415,
            `unsupported content type ${JSON.stringify(ct || '(none)')}: protobuf push is not supported yet; send Content-Type: application/json (optionally with Content-Encoding: gzip)`,
          );
        }
        streams = await d.decodePushProtobuf(body, ce, limits.maxDecompressedSize);
      }
      await pushStreams(req, streams);
      metrics.pushRequests.inc({ status: '204' });
    } catch (e) {
      metrics.pushRequests.inc({ status: String(errorStatus(e).status) });
      throw e;
    }
    return reply.code(204).send();
  };
  app.post('/loki/api/v1/push', traced('/loki/api/v1/push', push));
  app.post('/api/prom/push', traced('/api/prom/push', push));

  // Legacy label endpoints answer `{"values": […]}`.
  app.get('/api/prom/label', async (req, reply) => {
    const p = params(req);
    const { start, end } = parseBounds(p);
    return reply
      .type(JSON_CT)
      .send(JSON.stringify({ values: await (await engineOf(req)).labelNames(start, end) }) + '\n');
  });
  app.get('/api/prom/label/:name/values', async (req, reply) => {
    const { name } = req.params as { name: string };
    const p = params(req);
    const { start, end } = parseBounds(p);
    return reply
      .type(JSON_CT)
      .send(JSON.stringify({ values: await (await engineOf(req)).labelValues(name, start, end) }) + '\n');
  });

  registerEditorResources(app, engineOf);

  app.get('/ready', async (_req, reply) => {
    if (opts.ready && !opts.ready()) return reply.code(503).type(TEXT).send('Not ready\n');
    return reply.type(TEXT).send('ready\n');
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  const buildinfo = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.type(JSON_CT).send(
      JSON.stringify({
        version: LOKI_API_VERSION,
        revision: '',
        branch: '',
        buildUser: '',
        buildDate: '',
        goVersion: '',
        logqlsql: VERSION,
      }) + '\n',
    );
  app.get('/loki/api/v1/status/buildinfo', buildinfo);

  registerDeleteRoutes(app, { engine, engineOf, tenants: opts.tenants, options: opts.compactor, log: opts.logger });
  registerEcosystemRoutes(app, {
    engineOf,
    hubOf,
    pushStreams,
    otlp: { maxDecompressedSize: limits.maxDecompressedSize, ...opts.otlp },
    tailPollMs: opts.tailPollMs,
    maxLimit: (engine as { maxLimit?: number }).maxLimit ?? 5000,
    sendQueryResult: (req, reply, result) =>
      sendChunks(
        req,
        reply,
        encodeQueryResponse(result, { categorizeLabels: encodingFlags(req).has('categorize-labels') }),
        compress,
      ),
    metrics,
    lokiVersion: LOKI_API_VERSION,
  });

  return app;
}

export interface StartOptions extends ServerOptions {
  host?: string;
  port?: number;
}

/** Build the app and listen; resolves with the app and the address it bound. */
export async function startServer(
  engine: EngineApi,
  opts: StartOptions = {},
): Promise<{ app: FastifyInstance; address: string }> {
  initTracingFromEnv(); // OTLP export when the OTEL_* variables ask for it
  const app = buildServer(engine, opts);
  const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 3100 });
  return { app, address };
}
