// Generated hostile HTTP requests: queries on every read route with odd parameters, pushes in every format (JSON,
// gzip JSON, snappy protobuf, OTLP JSON and protobuf) with hostile content, and hostile headers and tenant IDs.
import { gzipSync } from 'node:zlib';
import * as snappy from 'snappyjs';
import { encodePushProtobuf } from '../../../server/ingest/protobuf';
import { encodeOtlpProtobuf, otlpJsonRequest } from '../../../server/ingest/otlp';
import type { PushStream } from '../../../server/engine/types';
import type { Rng } from './random';
import { query, selector } from './logql';

export interface FuzzRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** a push: the database must not change when it is refused */
  push?: boolean;
}

const NOW_NS = () => BigInt(Date.now()) * 1_000_000n;
const HOUR_NS = 3_600_000_000_000n;

const TIMES = ['0', '-1', '1', '1e30', '99999999999999999999', 'abc', '', '2026-13-45T99:99:99Z', '1.5', 'NaN', 'now'];
const STEPS = ['0', '0.001', '-1', '1y', 'abc', '1e-9', '1e9', '15s', '1ms', '60', ''];
const LIMITS = ['0', '-1', '1', '100', '5000', '5001', '1e9', 'x', '99999999999999999999'];

/** a header value node's HTTP client will send (printable ASCII; hostile otherwise) */
function headerText(r: Rng, max: number): string {
  const n = r.int(0, max);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(0x20, 0x7e));
  return s;
}

export const TENANT_IDS = [
  'team-a',
  '../../etc/passwd',
  '..',
  '.',
  '%2e%2e',
  'a|b',
  'a/b',
  ':memory:',
  '{tenant}',
  'x'.repeat(151),
  'y'.repeat(2000),
  ' ',
  'fake',
  'CON',
  'a\\b',
  "'; DROP TABLE entries; --",
  '$(id)',
  '*',
  'tenant\u00e9'.normalize(),
];

function hostileHeaders(r: Rng): Record<string, string> {
  const h: Record<string, string> = {};
  if (r.chance(0.3))
    h['x-scope-orgid'] = r.chance(0.6) ? r.pick(TENANT_IDS).replace(/[^\x20-\x7e]/g, '?') : headerText(r, 300);
  if (r.chance(0.1))
    h.authorization = r.pick(['Bearer ', 'Basic !!!', 'Bearer ' + 'x'.repeat(5000), headerText(r, 100)]);
  if (r.chance(0.1))
    h.traceparent = r.pick(['00-' + 'f'.repeat(32) + '-' + 'f'.repeat(16) + '-01', 'garbage', headerText(r, 80)]);
  if (r.chance(0.2)) h['accept-encoding'] = r.pick(['gzip', 'br', 'gzip;q=0', '*', headerText(r, 40)]);
  if (r.chance(0.1)) h['x-loki-response-encoding-flags'] = r.pick(['categorize-labels', 'x,y,,', headerText(r, 60)]);
  if (r.chance(0.05)) h['x-query-tags'] = headerText(r, 2000);
  return h;
}

function timeRange(r: Rng): Record<string, string> {
  const now = NOW_NS();
  if (r.chance(0.8)) return { start: (now - 2n * HOUR_NS).toString(), end: (now + HOUR_NS).toString() };
  return { start: r.pick(TIMES), end: r.pick(TIMES) };
}

/** a path segment: percent-encoded UTF-8, except that a `%` the generator wrote stays raw (bad escapes, %ff) */
function pathPart(s: string): string {
  return s.replace(/[^%]+/g, (t) =>
    [...Buffer.from(t, 'utf8')]
      .map((b) =>
        /[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).padStart(2, '0'),
      )
      .join(''),
  );
}

function get(r: Rng, path: string, params: Record<string, string>): FuzzRequest {
  const qs = new URLSearchParams(params).toString();
  if (r.chance(0.15))
    return {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...hostileHeaders(r) },
      body: Buffer.from(qs),
    };
  return { method: 'GET', path: qs ? `${path}?${qs}` : path, headers: hostileHeaders(r) };
}

export function readRequest(r: Rng): FuzzRequest {
  const t = timeRange(r);
  const opt = (k: string, xs: string[], p = 0.3): Record<string, string> => (r.chance(p) ? { [k]: r.pick(xs) } : {});
  return r.oneOf([
    () =>
      get(r, '/loki/api/v1/query_range', {
        query: query(r),
        ...t,
        ...opt('step', STEPS),
        ...opt('limit', LIMITS),
        ...opt('direction', ['forward', 'backward', 'sideways', '']),
      }),
    () => get(r, '/loki/api/v1/query', { query: query(r), ...opt('time', TIMES), ...opt('limit', LIMITS) }),
    () => get(r, '/loki/api/v1/labels', { ...t, ...opt('query', [selector(r), query(r)]) }),
    () =>
      get(r, `/loki/api/v1/label/${pathPart(r.pick(['app', 'host', '', '..', '%00', '%ff', '%', r.text(8)]))}/values`, {
        ...t,
        ...opt('query', [selector(r)]),
      }),
    () => get(r, '/loki/api/v1/series', { 'match[]': r.chance(0.7) ? selector(r) : query(r), ...t }),
    () => get(r, '/loki/api/v1/index/stats', { query: r.chance(0.7) ? selector(r) : query(r), ...t }),
    () => get(r, '/loki/api/v1/index/volume', { query: selector(r), ...t, ...opt('limit', LIMITS) }),
    () => get(r, '/loki/api/v1/index/volume_range', { query: selector(r), ...t, ...opt('step', STEPS, 0.8) }),
    () => get(r, '/loki/api/v1/patterns', { query: selector(r), ...t, ...opt('step', STEPS) }),
    () => get(r, '/loki/api/v1/detected_fields', { query: query(r), ...t, ...opt('limit', LIMITS) }),
    () => get(r, '/loki/api/v1/detected_labels', { query: selector(r), ...t }),
    () => get(r, '/loki/api/v1/format_query', { query: query(r) }),
    () => get(r, '/api/prom/label', { ...t }),
    () => get(r, '/loki/api/v1/' + r.pick(['nope', 'query_range/..', '%2e%2e/metrics', 'label/', 'tail']), {}),
  ]);
}

function labels(r: Rng): Record<string, string> {
  const l: Record<string, string> = {};
  if (r.chance(0.9)) l.app = r.pick(['nginx', 'api', 'fuzz']);
  const n = r.chance(0.05) ? r.int(14, 40) : r.int(0, 3);
  for (let i = 0; i < n; i++) {
    const name = r.chance(0.8)
      ? r.pick(['host', 'env', 'level', `l${i}`])
      : r.pick(['__name__', '1bad', 'a-b', '', 'é', 'x'.repeat(1100)]);
    l[name] = r.chance(0.9) ? r.text(10) : 'v'.repeat(r.pick([2048, 2049, 100_000]));
  }
  return l;
}

function line(r: Rng): string {
  return r.oneOf([
    () => r.text(80),
    () =>
      JSON.stringify({ level: r.pick(['info', 'error']), status: r.pick([200, 500, '500', null]), msg: r.text(20) }),
    () =>
      `level=${r.pick(['info', 'error'])} status=${r.int(100, 599)} duration=${r.int(0, 5000)}ms msg="${r.text(10)}"`,
    () => 'x'.repeat(r.pick([255_999, 256_000, 256_001, 300_000])),
    () => '',
  ]);
}

function timestamp(r: Rng): string {
  if (r.chance(0.85)) return (NOW_NS() - BigInt(r.int(0, 3_600_000)) * 1_000_000n).toString();
  return r.pick(['0', '-1', '1', '18446744073709551616', '9223372036854775808', 'abc', '1.5', '', '1e18']);
}

function streams(r: Rng): PushStream[] {
  return Array.from({ length: r.int(1, 3) }, () => ({
    labels: labels(r),
    entries: Array.from({ length: r.int(1, 4) }, () => ({
      ts: BigInt(r.chance(0.9) ? timestamp(r).replace(/\D.*$/, '') || '0' : '0'),
      line: line(r),
    })),
  }));
}

function jsonPushBody(r: Rng): string {
  return r.oneOf([
    () =>
      JSON.stringify({
        streams: Array.from({ length: r.int(1, 3) }, () => ({
          stream: labels(r),
          values: Array.from({ length: r.int(1, 4) }, () =>
            r.chance(0.9)
              ? r.chance(0.2)
                ? [timestamp(r), line(r), { trace_id: r.text(8) }]
                : [timestamp(r), line(r)]
              : r.pick([[], [1, 2], ['1'], [timestamp(r), 5], null, 'x', [timestamp(r), line(r), 'meta']]),
          ),
        })),
      }),
    () =>
      r.pick([
        '',
        '{}',
        '[]',
        'null',
        '{"streams":null}',
        '{"streams":[{}]}',
        '{"streams":"x"}',
        '{"streams":[{"stream":{"a":1},"values":[["1","x"]]}]}',
      ]),
    () => '{"streams":[' + '{"stream":{"app":"x"},"values":[]},'.repeat(r.int(1, 1000)) + '{}]}',
    () => '['.repeat(r.int(1000, 100_000)),
    () => r.text(200),
  ]);
}

let bomb: Buffer | undefined;
/** a gzip body of ~100 KB that expands past the 64 MiB max_decompressed_size (built once) */
function gzipBomb(): Buffer {
  bomb ??= gzipSync(
    Buffer.concat([
      Buffer.from(`{"streams":[{"stream":{"app":"fuzz"},"values":[["${NOW_NS()}","`),
      Buffer.alloc(100 * 1024 * 1024, 'a'),
      Buffer.from('"]]}]}'),
    ]),
    { level: 1 },
  );
  return bomb;
}

function otlpInput(r: Rng) {
  return Array.from({ length: r.int(1, 2) }, () => ({
    resource: r.chance(0.8) ? { 'service.name': r.pick(['svc', '', r.text(6)]), ...labels(r) } : {},
    records: Array.from({ length: r.int(1, 3) }, () => ({
      ts: BigInt(r.chance(0.9) ? timestamp(r).replace(/\D.*$/, '') || '0' : '0'),
      body: line(r),
      attributes: r.chance(0.5) ? labels(r) : undefined,
      severityText: r.chance(0.3) ? r.pick(['ERROR', 'info', r.text(5)]) : undefined,
      traceId: r.chance(0.1) ? r.pick(['0123456789abcdef0123456789abcdef', 'zz', '']) : undefined,
    })),
  }));
}

/** a byte-level corruption: flips, truncation, or garbage */
function corrupt(r: Rng, b: Buffer): Buffer {
  const c = Buffer.from(b);
  return r.oneOf([
    () => {
      for (let i = 0; i < r.int(1, 8) && c.length > 0; i++) c[r.int(0, c.length - 1)] = r.int(0, 255);
      return c;
    },
    () => c.subarray(0, r.int(0, c.length)),
    () => Buffer.from(Array.from({ length: r.int(0, 200) }, () => r.int(0, 255))),
  ]);
}

export function pushRequest(r: Rng): FuzzRequest {
  const path = r.chance(0.9) ? '/loki/api/v1/push' : '/api/prom/push';
  const h = hostileHeaders(r);
  delete h['x-scope-orgid'];
  const pr = (ct: string, body: Buffer, extra: Record<string, string> = {}): FuzzRequest => ({
    method: 'POST',
    path,
    headers: { 'content-type': ct, ...h, ...extra },
    body,
    push: true,
  });
  return r.oneOf([
    () => pr('application/json', Buffer.from(jsonPushBody(r))),
    () => pr('application/json', gzipSync(jsonPushBody(r)), { 'content-encoding': 'gzip' }),
    () =>
      pr('application/json', r.chance(0.1) ? gzipBomb() : corrupt(r, gzipSync(jsonPushBody(r))), {
        'content-encoding': 'gzip',
      }),
    () =>
      pr('application/json', Buffer.from(jsonPushBody(r)), {
        'content-encoding': r.pick(['gzip', 'deflate', 'snappy', 'br', 'x']),
      }),
    () => {
      const raw = encodePushProtobuf(streams(r));
      const body = Buffer.from(snappy.compress(new Uint8Array(raw)));
      return pr('application/x-protobuf', r.chance(0.7) ? body : corrupt(r, body));
    },
    () => pr('application/x-protobuf', encodePushProtobuf(streams(r))), // not snappy-compressed
    () => pr(r.pick(['text/plain', '', 'application/xml', 'multipart/form-data']), Buffer.from(jsonPushBody(r))),
    () => {
      const body = Buffer.from(JSON.stringify(otlpJsonRequest(otlpInput(r))));
      return { ...pr('application/json', r.chance(0.8) ? body : corrupt(r, body)), path: '/otlp/v1/logs' };
    },
    () => ({
      ...pr(
        'application/json',
        Buffer.from(
          r.pick([
            '{"resourceLogs":"x"}',
            '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"99999999999999999999","body":{"stringValue":"x"}}]}]}]}',
            '{}',
            '[]',
            'x',
          ]),
        ),
      ),
      path: '/otlp/v1/logs',
    }),
    () => {
      const body = encodeOtlpProtobuf(otlpInput(r));
      return { ...pr('application/x-protobuf', r.chance(0.8) ? body : corrupt(r, body)), path: '/otlp/v1/logs' };
    },
    () => {
      const body = gzipSync(encodeOtlpProtobuf(otlpInput(r)));
      return { ...pr('application/x-protobuf', body, { 'content-encoding': 'gzip' }), path: '/otlp/v1/logs' };
    },
  ]);
}

/** a request for a multi-tenant server: a hostile X-Scope-OrgID (or none) on a read or a push */
export function tenantRequest(r: Rng): FuzzRequest {
  const req = r.chance(0.5) ? readRequest(r) : pushRequest(r);
  delete req.headers['x-scope-orgid'];
  if (r.chance(0.9))
    req.headers['x-scope-orgid'] = (r.chance(0.7) ? r.pick(TENANT_IDS) : headerText(r, 200)).replace(
      /[^\x20-\x7e]/g,
      '?',
    );
  return req;
}
