// The query model (the JSON our frontend puts in DataQuery) → an engine QueryRequest, choosing the step the way
// Grafana's Loki data source does: max(interval × resolution, range / 11000), rounded up to a millisecond.
import type { Direction, QueryRequest } from '../engine/types';
import type { DataSourceConfig } from './settings';

export interface QueryModel {
  refId?: string;
  expr?: string;
  queryType?: string;
  /** legacy Loki model flags */
  instant?: boolean;
  range?: boolean;
  maxLines?: number | string;
  direction?: string;
  legendFormat?: string;
  /** a duration (`1m`, `30s`, `1h30m`) or seconds; empty: chosen from the interval */
  step?: string | number;
  resolution?: number;
  hide?: boolean;
}

/** The protobuf DataQuery as grpc-js hands it to us (keepCase, longs as numbers). */
export interface WireDataQuery {
  refId: string;
  maxDataPoints?: number;
  intervalMS?: number;
  timeRange?: { fromEpochMS?: number; toEpochMS?: number } | null;
  json?: Uint8Array | Buffer;
  queryType?: string;
}

export class QueryModelError extends Error {
  override readonly name = 'QueryModelError';
}

export interface PreparedQuery {
  refId: string;
  model: QueryModel;
  expr: string;
  legendFormat?: string;
  request: QueryRequest;
}

const NS_PER_MS = 1_000_000n;

/** Parse a Grafana/Prometheus-style duration into ms: `1m`, `1h30m`, `500ms`, `1d`, `1w`, `1y`, or seconds. */
export function parseDurationToMs(v: string | number): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) throw new QueryModelError(`invalid step ${v}`);
    return v * 1000;
  }
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const unit: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 7 * 86_400_000,
    y: 365 * 86_400_000,
  };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== s.length || total <= 0)
    throw new QueryModelError(`invalid step ${JSON.stringify(v)}: use a duration like 30s or 1m`);
  return total;
}

/**
 * Step in ms for a metric range query: the query's own step (× resolution) when set; otherwise Grafana's Loki rule
 * max(intervalMS × resolution, range / 11000) rounded up to whole ms. When Grafana sends no interval (0), the interval
 * is range / maxDataPoints, and without that Loki's own default max(floor(range / 250), 1 s).
 */
export function calculateStepMs(opts: {
  rangeMs: number;
  intervalMS?: number;
  maxDataPoints?: number;
  resolution?: number;
  step?: string | number;
}): number {
  const resolution = opts.resolution && opts.resolution > 0 ? Math.floor(opts.resolution) : 1;
  if (opts.step !== undefined && opts.step !== '' && opts.step !== null) {
    return parseDurationToMs(opts.step) * resolution;
  }
  let interval = opts.intervalMS ?? 0;
  if (!(interval > 0)) {
    if (opts.maxDataPoints && opts.maxDataPoints > 0) interval = opts.rangeMs / opts.maxDataPoints;
    else interval = Math.max(Math.floor(opts.rangeMs / 250 / 1000) * 1000, 1000);
  }
  const step = Math.max(interval * resolution, opts.rangeMs / 11000);
  return Math.max(1, Math.ceil(step));
}

function parseModel(q: WireDataQuery): QueryModel {
  if (!q.json || q.json.length === 0) return {};
  const text = Buffer.from(q.json).toString('utf8');
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as QueryModel;
  } catch (e) {
    throw new QueryModelError(`query JSON is invalid: ${(e as Error).message}`);
  }
}

/** DataQuery → engine request. Throws QueryModelError for a bad model (the caller answers 400 for that query). */
export function prepareQuery(
  q: WireDataQuery,
  config: Pick<DataSourceConfig, 'maxLines'>,
  signal?: AbortSignal,
): PreparedQuery {
  const model = parseModel(q);
  const expr = typeof model.expr === 'string' ? model.expr.trim() : '';
  if (!expr) throw new QueryModelError('the query is empty: write a LogQL expression in "expr"');
  const fromMs = Number(q.timeRange?.fromEpochMS ?? 0);
  const toMs = Number(q.timeRange?.toEpochMS ?? 0);
  if (!(toMs >= fromMs)) throw new QueryModelError(`invalid time range: from ${fromMs} is after to ${toMs}`);
  const qt = (model.queryType || q.queryType || '').toLowerCase();
  const instant = qt === 'instant' || (qt === '' && model.instant === true && model.range !== true);
  if (qt !== '' && qt !== 'range' && qt !== 'instant' && qt !== 'stream') {
    throw new QueryModelError(
      `unknown queryType ${JSON.stringify(model.queryType ?? q.queryType)}: use range or instant`,
    );
  }
  let limit = config.maxLines;
  if (model.maxLines !== undefined && model.maxLines !== '' && model.maxLines !== null) {
    limit = Number(model.maxLines);
    if (!Number.isInteger(limit) || limit <= 0)
      throw new QueryModelError(`invalid maxLines ${JSON.stringify(model.maxLines)}`);
  }
  let direction: Direction = 'backward';
  if (model.direction) {
    if (model.direction === 'forward' || model.direction === 'backward') direction = model.direction;
    else if (model.direction === 'scan') direction = 'forward';
    else throw new QueryModelError(`invalid direction ${JSON.stringify(model.direction)}: use forward or backward`);
  }
  const start = BigInt(Math.trunc(fromMs)) * NS_PER_MS;
  const end = BigInt(Math.trunc(toMs)) * NS_PER_MS;
  // (data frames carry no categorize-labels split: no parsed labels per entry)
  const request: QueryRequest = instant
    ? { query: expr, start: end, end, instant: true, limit, direction, signal, parsedLabels: false }
    : {
        query: expr,
        start,
        end,
        instant: false,
        limit,
        direction,
        signal,
        parsedLabels: false,
        step:
          BigInt(
            calculateStepMs({
              rangeMs: toMs - fromMs,
              intervalMS: q.intervalMS,
              maxDataPoints: q.maxDataPoints,
              resolution: model.resolution,
              step: model.step,
            }),
          ) * NS_PER_MS,
      };
  return { refId: q.refId, model, expr, legendFormat: model.legendFormat || undefined, request };
}
