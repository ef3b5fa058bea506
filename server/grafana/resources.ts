// Resource routes: the HTTP-like API the query editor, config editor and variable editor call through Grafana
// (`/api/datasources/uid/<uid>/resources/<path>`). A pure function of (engine, config, request) so the HTTP server
// can mount the same routes. Responses are JSON; list routes use Loki's `{status, data}` shape.
//
//   GET  labels?start&end&query                  label names (query narrows to a selector)
//   GET  label/<name>/values?start&end&query     label values
//   GET  series?match[]=…&start&end              label sets of matching streams
//   GET  index/stats?query&start&end             streams / chunks / entries / bytes
//   GET|POST translate?query&dialect              the SQL, the TypeScript stages and a readable plan
//   GET|POST explain?query&dialect                each stage in words, where it runs, its SQL or named reason
//   GET|POST validate?query                      {valid, error: {message, kind, line, column}}
//   GET|POST mapping/check?mapping=<json>        a table mapping (config editor, unsaved) checked against the database
//   GET  sample?query&start&end&limit            a few log lines of a log query (editor field discovery)
//   POST push                                    Loki push JSON (optionally gzip), for tests and demos
//   GET  health                                  {status: "ok"}
// Times: Loki's rules (integer ≤ 10 digits = seconds, longer = ns, floats = seconds, RFC3339); default last hour.
import type { EngineApi, Labels, Stream } from '../engine/types';
import { LogQLError } from '../logql/errors';
import { isDatabaseUnreachable, sanitizeErrorMessage } from '../http/sanitize';
import { Params, ParamError, parseBounds, parseSeriesMatchers } from '../http/params';
import { decodePushJson, PushValidationError } from '../ingest/decode';
import { SettingsError, type DataSourceConfig, type TableMapping } from './settings';
import { mappingOf } from './engineFactory';
import { MappingError, resolveMapping } from '../schema/mapping';
import type { Driver } from '../sql/driver';
import { explainQuery } from '../plan/explain';

export interface ResourceRequest {
  method: string;
  /** path without query string, e.g. `labels`, `label/app/values` */
  path: string;
  /** path with query string, e.g. `labels?start=…` */
  url: string;
  headers?: Record<string, string[]>;
  body?: Buffer | Uint8Array;
}

export interface ResourceResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

const JSON_HEADERS = { 'Content-Type': ['application/json'] };

export function jsonResponse(status: number, value: unknown): ResourceResponse {
  return { status, headers: { ...JSON_HEADERS }, body: Buffer.from(JSON.stringify(value)) };
}

export function errorJson(err: unknown): { status: number; body: Record<string, unknown> } {
  if (err instanceof LogQLError) {
    return {
      status: err.isUserError ? 400 : 500,
      body: {
        status: 'error',
        errorType: err.kind,
        error: err.message,
        line: err.line,
        column: err.column,
        span: err.span,
      },
    };
  }
  if (err instanceof ParamError || err instanceof PushValidationError) {
    return { status: 400, body: { status: 'error', errorType: 'bad_data', error: err.message } };
  }
  const message = (err as Error)?.message ?? String(err);
  if (isDatabaseUnreachable(err)) {
    const error = sanitizeErrorMessage(`the database is unavailable, retry later: ${message}`, 503);
    return { status: 503, body: { status: 'error', errorType: 'unavailable', error } };
  }
  return { status: 500, body: { status: 'error', errorType: 'internal', error: sanitizeErrorMessage(message, 500) } };
}

function header(req: ResourceRequest, name: string): string | undefined {
  if (!req.headers) return undefined;
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === name) return v[0];
  return undefined;
}

/** Query-string parameters plus a JSON object or form body (POST), as one Params. */
function paramsOf(req: ResourceRequest): Params {
  const q = req.url.indexOf('?');
  const query = new URLSearchParams(q >= 0 ? req.url.slice(q + 1) : '');
  const body = req.body && req.body.length ? Buffer.from(req.body).toString('utf8') : '';
  if (body && req.method.toUpperCase() !== 'GET' && !req.path.endsWith('push')) {
    const ct = header(req, 'content-type') ?? '';
    if (ct.includes('application/x-www-form-urlencoded')) return new Params(new URLSearchParams(body), query);
    try {
      const v = JSON.parse(body) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return new Params(v as Record<string, unknown>, query);
    } catch {
      throw new ParamError('request body is not JSON');
    }
  }
  return new Params(query);
}

function required(p: Params, name: string): string {
  const v = p.get(name);
  if (v === '') throw new ParamError(`missing parameter "${name}"`);
  return v;
}

async function sample(engine: EngineApi, config: DataSourceConfig, p: Params): Promise<unknown> {
  const { start, end } = parseBounds(p);
  const limit = Math.min(Number(p.get('limit') || 20) || 20, config.maxLines);
  const res = await engine.query({
    query: required(p, 'query'),
    start,
    end,
    instant: false,
    limit,
    direction: 'backward',
  });
  if (res.data.resultType !== 'streams') throw new ParamError('sample needs a log query');
  const lines: { ts: string; line: string; labels: Labels }[] = [];
  for (const s of res.data.result as Stream[])
    for (const e of s.entries) lines.push({ ts: e.ts.toString(), line: e.line, labels: s.labels });
  lines.sort((a, b) => (BigInt(b.ts) > BigInt(a.ts) ? 1 : BigInt(b.ts) < BigInt(a.ts) ? -1 : 0));
  return { status: 'success', data: lines.slice(0, limit) };
}

/** The config editor's live check of a table mapping it has not saved yet: does the data source's database have
 *  that table and those columns, and how many streams would it present? `{ok, describe, streams}` or `{ok, error}`. */
async function checkMapping(engine: EngineApi, text: string): Promise<unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ParamError('mapping is not JSON');
  }
  const m = raw as TableMapping;
  if (!m || typeof m !== 'object' || !['native', 'flat', 'map', 'otel'].includes(m.mode))
    throw new ParamError('mapping.mode must be native, flat, map or otel');
  const driver = (engine as { driver?: Driver }).driver;
  if (!driver) return { ok: false, error: 'this data source cannot check mappings (no direct database access)' };
  try {
    const cfg = mappingOf(m);
    if (!cfg) {
      const streams = await engine.series([], 0n, BigInt(Date.now() + 86_400_000) * 1_000_000n);
      return { ok: true, describe: 'the native schema (streams, entries)', streams: streams.length };
    }
    const src = await resolveMapping(driver, cfg);
    const rows = await driver.query(src.streamsSql);
    return { ok: true, describe: src.describe, streams: rows.length };
  } catch (e) {
    if (e instanceof MappingError || e instanceof SettingsError) return { ok: false, error: e.message };
    if (isDatabaseUnreachable(e)) throw e;
    // the database refused what the mapping reads (a column type it cannot convert, …): the user's to fix
    return { ok: false, error: sanitizeErrorMessage((e as Error)?.message ?? String(e), 400) };
  }
}

export async function handleResource(
  engine: EngineApi,
  config: DataSourceConfig,
  req: ResourceRequest,
): Promise<ResourceResponse> {
  const path = req.path.replace(/^\/+/, '').replace(/\/+$/, '');
  const method = (req.method || 'GET').toUpperCase();
  try {
    const p = paramsOf(req);
    if (path === 'labels' || path === 'label') {
      const { start, end } = parseBounds(p);
      return jsonResponse(200, {
        status: 'success',
        data: await engine.labelNames(start, end, p.get('query') || undefined),
      });
    }
    const lv = /^label\/([^/]+)\/values$/.exec(path);
    if (lv) {
      const { start, end } = parseBounds(p);
      const name = decodeURIComponent(lv[1]!);
      return jsonResponse(200, {
        status: 'success',
        data: await engine.labelValues(name, start, end, p.get('query') || undefined),
      });
    }
    if (path === 'series') {
      const { start, end } = parseBounds(p);
      const match = parseSeriesMatchers(p);
      return jsonResponse(200, { status: 'success', data: await engine.series(match, start, end) });
    }
    if (path === 'index/stats') {
      const { start, end } = parseBounds(p);
      return jsonResponse(200, await engine.indexStats(required(p, 'query'), start, end));
    }
    if (path === 'explain') {
      return jsonResponse(200, {
        status: 'success',
        data: await explainQuery(engine, required(p, 'query'), p.get('dialect') || undefined),
      });
    }
    if (path === 'translate') {
      const t = await engine.translate(required(p, 'query'), p.get('dialect') || undefined);
      return jsonResponse(200, { status: 'success', data: t });
    }
    if (path === 'validate') {
      const query = required(p, 'query');
      try {
        const t = await engine.translate(query, p.get('dialect') || undefined);
        return jsonResponse(200, { valid: true, tsStages: t.tsStages });
      } catch (e) {
        if (e instanceof LogQLError) {
          return jsonResponse(200, {
            valid: false,
            error: {
              message: e.message,
              kind: e.kind,
              line: e.line,
              column: e.column,
              from: e.span?.from,
              to: e.span?.to,
            },
          });
        }
        throw e;
      }
    }
    if (path === 'sample') return jsonResponse(200, await sample(engine, config, p));
    if (path === 'mapping/check') return jsonResponse(200, await checkMapping(engine, required(p, 'mapping')));
    if (path === 'push') {
      if (method !== 'POST') return jsonResponse(405, { status: 'error', error: 'push needs POST' });
      const streams = decodePushJson(Buffer.from(req.body ?? []), header(req, 'content-encoding'));
      const res = await engine.push(streams);
      return jsonResponse(200, { status: 'success', data: res });
    }
    if (path === 'health' || path === '') return jsonResponse(200, { status: 'ok' });
    return jsonResponse(404, { status: 'error', error: `no resource ${JSON.stringify(path)}` });
  } catch (e) {
    const { status, body } = errorJson(e);
    return jsonResponse(status, body);
  }
}
