// Routes beyond the core query API: OTLP push, live tail over WebSocket, and the read APIs Grafana's Logs
// Drilldown and logs-volume panels call (index/volume, index/volume_range, detected_labels, detected_fields,
// detected_field/<name>/values, patterns). Response shapes follow Loki 3.x.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { EngineApi, PushStream, QueryResult } from '../engine/types';
import { DEFAULT_OTLP_INDEX_LABELS, decodeOtlpJson, decodeOtlpProtobuf, type OtlpOptions } from '../ingest/otlp';
import { MAX_DELAY_FOR_S, Tailer, type TailHub } from '../tail/tail';
import { detectedFieldValues, detectedFields, detectedLabels, patterns, volume } from '../discovery/discovery';
import type { ServerMetrics } from './metrics';
import { ParamError, Params, goParseInt, parseBounds, parseLimit, parseStep, parseTimestamp, nowNs } from './params';

export interface EcosystemContext {
  engineOf: (req: FastifyRequest) => Promise<EngineApi>;
  hubOf: (e: EngineApi) => TailHub;
  pushStreams: (req: FastifyRequest, streams: PushStream[]) => Promise<void>;
  otlp: OtlpOptions;
  tailPollMs?: number;
  maxLimit: number;
  sendQueryResult: (req: FastifyRequest, reply: FastifyReply, result: QueryResult) => FastifyReply;
  metrics: ServerMetrics;
  /** the Loki version we report (buildinfo) */
  lokiVersion: string;
}

const JSON_CT = 'application/json; charset=utf-8';

function params(req: FastifyRequest): Params {
  const body = req.body instanceof URLSearchParams ? req.body : null;
  return Params.fromUrl(req.url, body);
}

function mediaType(ct: string | undefined): string {
  return (ct ?? '').split(';')[0]!.trim().toLowerCase();
}

function intParam(p: Params, name: string, def: number): number {
  const v = p.get(name);
  if (v === '') return def;
  const n = goParseInt(v, 'Atoi');
  if (n <= 0n) throw new ParamError(`${name} must be a positive value`);
  return Number(n > 1_000_000n ? 1_000_000n : n);
}

export function registerEcosystemRoutes(app: FastifyInstance, ctx: EcosystemContext): void {
  const both = (url: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
    app.get(url, handler);
    app.post(url, handler);
  };
  const json = (reply: FastifyReply, body: unknown) => reply.type(JSON_CT).send(JSON.stringify(body) + '\n');

  // ------------------------------------------------------------------------------------------------ OTLP push
  app.post('/otlp/v1/logs', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const ct = mediaType(req.headers['content-type']);
    const ce = typeof req.headers['content-encoding'] === 'string' ? req.headers['content-encoding'] : undefined;
    try {
      const streams =
        ct === 'application/json' ? decodeOtlpJson(body, ce, ctx.otlp) : decodeOtlpProtobuf(body, ce, ctx.otlp);
      await ctx.pushStreams(req, streams);
      ctx.metrics.pushRequests.inc({ status: '204' });
    } catch (e) {
      ctx.metrics.pushRequests.inc({ status: String((e as { status?: number }).status ?? 500) });
      throw e;
    }
    return reply.code(204).send();
  });

  // ------------------------------------------------------------------------------------------------ volume
  const volumeRoute = (range: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const p = params(req);
    const { start, end } = parseBounds(p);
    const query = p.get('query');
    if (query === '') throw new ParamError('query is required');
    const targetLabels = p
      .getAll('targetLabels')
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    const aggregateBy = p.get('aggregateBy') || 'series';
    if (aggregateBy !== 'series' && aggregateBy !== 'labels')
      throw new ParamError(`invalid aggregateBy ${JSON.stringify(aggregateBy)}: series or labels`);
    if (range && end < start) throw new ParamError('end timestamp must not be before or equal to start time');
    const step = range ? parseStep(p, start, end) : undefined;
    const engine = await ctx.engineOf(req);
    const result = await volume(
      engine,
      { query, start, end, limit: parseLimit(p.get('limit'), 100), targetLabels, aggregateBy, step },
      range,
    );
    return ctx.sendQueryResult(req, reply, result);
  };
  both('/loki/api/v1/index/volume', volumeRoute(false));
  both('/loki/api/v1/index/volume_range', volumeRoute(true));

  // ------------------------------------------------------------------------------------------------ detected_*
  both('/loki/api/v1/detected_labels', async (req, reply) => {
    const p = params(req);
    const { start, end } = parseBounds(p);
    const q = p.get('query');
    const labels = await detectedLabels(await ctx.engineOf(req), q === '' ? undefined : q, start, end);
    return json(reply, { detectedLabels: labels });
  });

  const sampleReq = (p: Params) => {
    const { start, end } = parseBounds(p);
    const query = p.get('query');
    if (query === '') throw new ParamError('query is required');
    const lineLimit = Math.min(ctx.maxLimit, intParam(p, 'line_limit', intParam(p, 'limit', 1000)));
    return { query, start, end, lineLimit };
  };
  both('/loki/api/v1/detected_fields', async (req, reply) => {
    const p = params(req);
    const r = sampleReq(p);
    const fieldLimit = intParam(p, 'field_limit', 1000);
    const fields = await detectedFields(await ctx.engineOf(req), r, fieldLimit);
    return json(reply, { fields, limit: fieldLimit });
  });
  both('/loki/api/v1/detected_field/:name/values', async (req, reply) => {
    const { name } = req.params as { name: string };
    const p = params(req);
    const r = sampleReq(p);
    const values = await detectedFieldValues(await ctx.engineOf(req), name, r, intParam(p, 'field_limit', 1000));
    return json(reply, { values, limit: values.length });
  });

  // ------------------------------------------------------------------------------------------------ patterns
  both('/loki/api/v1/patterns', async (req, reply) => {
    const p = params(req);
    const { start, end } = parseBounds(p);
    const query = p.get('query');
    if (query === '') throw new ParamError('query is required');
    const step = parseStep(p, start, end);
    const data = await patterns(await ctx.engineOf(req), {
      query,
      start,
      end,
      step,
      sampleLimit: Math.min(ctx.maxLimit, 5000),
    });
    return json(reply, { status: 'success', data });
  });

  // ------------------------------------------------------------------------------------------------ drilldown-limits
  // Logs Drilldown reads this on every service page (and hides the Patterns tab unless pattern_ingester_enabled).
  // We report what we do: no ingest-time service_name / detected_level discovery, volume and patterns available.
  app.get('/loki/api/v1/drilldown-limits', async (_req, reply) =>
    json(reply, {
      limits: {
        discover_log_levels: false,
        discover_service_name: [],
        log_level_fields: ['level', 'LEVEL', 'Level', 'severity', 'SEVERITY', 'Severity', 'lvl', 'LVL', 'Lvl'],
        max_entries_limit_per_query: ctx.maxLimit,
        max_line_size_truncate: false,
        max_query_bytes_read: '0B',
        max_query_length: '0s',
        max_query_lookback: '0s',
        max_query_range: '0s',
        max_query_series: 500,
        metric_aggregation_enabled: false,
        otlp_config: {
          resource_attributes: {
            attributes_config: [
              { action: 'index_label', attributes: ctx.otlp.indexLabels ?? DEFAULT_OTLP_INDEX_LABELS },
            ],
          },
        },
        pattern_persistence_enabled: false,
        query_timeout: '5m',
        retention_period: '0s',
        volume_enabled: true,
        volume_max_series: 1000,
      },
      pattern_ingester_enabled: true,
      version: ctx.lokiVersion,
    }),
  );

  // ------------------------------------------------------------------------------------------------ tail
  app.register(async (f) => {
    f.get('/loki/api/v1/tail', { websocket: true }, (socket: WebSocket, req: FastifyRequest) => {
      const closeWith = (code: number, reason: string) => {
        try {
          socket.close(code, reason.slice(0, 120));
        } catch {
          /* already closed */
        }
      };
      let tailer: Tailer | undefined;
      socket.on('close', () => tailer?.stop());
      void (async () => {
        try {
          const p = params(req);
          const query = p.get('query');
          if (query === '') throw new ParamError('query is required');
          const delayStr = p.get('delay_for');
          const delayForS = delayStr === '' ? 0 : Number(goParseInt(delayStr, 'Atoi'));
          if (delayForS < 0) throw new ParamError('delay_for must be >= 0');
          if (delayForS > MAX_DELAY_FOR_S) throw new ParamError(`delay_for can't be greater than ${MAX_DELAY_FOR_S}`);
          const limit = Math.min(parseLimit(p.get('limit')), ctx.maxLimit);
          const start = parseTimestamp(p.get('start'), nowNs() - 3_600_000_000_000n);
          const engine = await ctx.engineOf(req);
          tailer = new Tailer({
            engine,
            hub: ctx.hubOf(engine),
            req: { query, start, limit, delayForS },
            pollMs: ctx.tailPollMs,
            pageLimit: ctx.maxLimit,
            send: (frame) => {
              if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
            },
            onError: (e) => {
              req.log.warn({ err: e }, 'tail failed');
              closeWith(1011, (e as Error).message);
              tailer?.stop();
            },
          });
          if (socket.readyState !== socket.OPEN) return;
          await tailer.start();
          if (socket.readyState !== socket.OPEN) tailer.stop();
        } catch (e) {
          tailer?.stop();
          // Loki writes the error as a text message, then closes
          if (socket.readyState === socket.OPEN) socket.send((e as Error).message);
          closeWith(
            e instanceof ParamError || (e as { isUserError?: boolean }).isUserError ? 1008 : 1011,
            (e as Error).message,
          );
        }
      })();
    });
  });
}
