// OTLP/HTTP logs: POST /otlp/v1/logs with an ExportLogsServiceRequest as protobuf (application/x-protobuf) or
// JSON (application/json), optionally gzip-compressed (the OpenTelemetry Collector's otlphttp exporter gzips by
// default). Records become Loki streams the way Loki 3 maps them (pkg/loghttp/push/otlp.go, default otlp_config):
//
// - resource attributes in `indexLabels` (Loki's default list below) become stream labels, names normalised
//   (`service.name` → `service_name`); `service_name` is always present — `unknown_service` when missing;
// - every other resource attribute, the scope's name/version/attributes and the record's attributes become
//   structured metadata (nested maps flatten to `parent_child`), as do severity_text, severity_number, trace_id,
//   span_id (hex), flags and dropped_attributes_count when set;
// - the line is the body as a string (maps and arrays as JSON); the timestamp is time_unix_nano, else
//   observed_time_unix_nano, else the time of receipt.
//
// Why our own .proto text: @opentelemetry/otlp-transformer only *encodes* (SDK → collector) and ships no
// decoder; the OTLP logs messages are small and stable (opentelemetry-proto v1), so protobufjs decodes them from the
// field numbers below.

import protobuf from 'protobufjs';
import type { Labels, LogEntry, PushStream } from '../engine/types';
import { PushValidationError, canonicalKey } from './otlpUtil';
import { DEFAULT_MAX_DECOMPRESSED_SIZE, inflateBounded } from './decode';
import { int64ToBigInt } from './protobuf';

export const OTLP_LOGS_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
`;

const root = protobuf.parse(OTLP_LOGS_PROTO, { keepCase: false }).root;
export const ExportLogsServiceRequestType = root.lookupType('otlp.ExportLogsServiceRequest');

/** Loki 3's default `default_resource_attributes_as_index_labels`. */
export const DEFAULT_OTLP_INDEX_LABELS = [
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.container.name',
  'container.name',
  'k8s.replicaset.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.cronjob.name',
  'k8s.job.name',
];

export interface OtlpOptions {
  /** resource attributes stored as stream labels (default: Loki's list above) */
  indexLabels?: readonly string[];
  /** the `service_name` label when a resource has no service.name; null: add none (default `unknown_service`) */
  defaultServiceName?: string | null;
  /** the receive time used for records without timestamps (ns); default now */
  now?: () => bigint;
  /** most bytes a gzip body may expand to (0 = no bound; default: decode.ts DEFAULT_MAX_DECOMPRESSED_SIZE) */
  maxDecompressedSize?: number;
}

// --- the decoded shape, shared by protobuf (protobufjs objects) and OTLP JSON ------------------------------------

type Int64 = number | string | bigint | { low: number; high: number; unsigned?: boolean } | null | undefined;
interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64;
  doubleValue?: number | string | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | string | null;
}
interface KeyValue {
  key: string;
  value?: AnyValue | null;
}
interface LogRecord {
  timeUnixNano?: Int64;
  observedTimeUnixNano?: Int64;
  severityNumber?: number | string | null;
  severityText?: string | null;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  flags?: number | null;
  traceId?: Uint8Array | string | null;
  spanId?: Uint8Array | string | null;
}
interface ScopeLogs {
  scope?: {
    name?: string | null;
    version?: string | null;
    attributes?: KeyValue[] | null;
    droppedAttributesCount?: number | null;
  } | null;
  logRecords?: LogRecord[] | null;
}
interface ResourceLogs {
  resource?: { attributes?: KeyValue[] | null } | null;
  scopeLogs?: ScopeLogs[] | null;
}
interface ExportRequest {
  resourceLogs?: ResourceLogs[] | null;
}

const SEVERITY_NAMES: Record<string, number> = {};
for (const [i, n] of [
  'UNSPECIFIED',
  'TRACE',
  'TRACE2',
  'TRACE3',
  'TRACE4',
  'DEBUG',
  'DEBUG2',
  'DEBUG3',
  'DEBUG4',
  'INFO',
  'INFO2',
  'INFO3',
  'INFO4',
  'WARN',
  'WARN2',
  'WARN3',
  'WARN4',
  'ERROR',
  'ERROR2',
  'ERROR3',
  'ERROR4',
  'FATAL',
  'FATAL2',
  'FATAL3',
  'FATAL4',
].entries()) {
  SEVERITY_NAMES[`SEVERITY_NUMBER_${n}`] = i;
}

/** Normalise an attribute name to a label name like Prometheus' NormalizeLabel (what Loki applies). */
export function normalizeLabelName(name: string): string {
  if (name === '') return name;
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(s)) s = 'key_' + s;
  else if (s.startsWith('_') && !s.startsWith('__')) s = 'key' + s;
  return s;
}

function hex(v: Uint8Array | string | null | undefined, json: boolean): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return json ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
  if (v.length === 0) return '';
  return (
    ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.from(v as ArrayLike<number>)
  ).toString('hex');
}

function toJsonValue(v: AnyValue | null | undefined, json: boolean): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) {
    const b = typeof v.intValue === 'object' ? int64ToBigInt(v.intValue) : BigInt(v.intValue);
    return Number.isSafeInteger(Number(b)) ? Number(b) : b.toString();
  }
  if (v.doubleValue !== undefined && v.doubleValue !== null) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map((x) => toJsonValue(x, json));
  if (v.kvlistValue) {
    const o: Record<string, unknown> = {};
    for (const kv of v.kvlistValue.values ?? []) o[kv.key] = toJsonValue(kv.value, json);
    return o;
  }
  if (v.bytesValue !== undefined && v.bytesValue !== null) {
    return typeof v.bytesValue === 'string' ? v.bytesValue : Buffer.from(v.bytesValue).toString('base64');
  }
  return null;
}

/** pcommon.Value.AsString(): strings as is, numbers/bools in Go's formatting, maps and arrays as JSON. */
export function anyValueString(v: AnyValue | null | undefined, json: boolean): string {
  if (!v) return '';
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue ? 'true' : 'false';
  if (v.intValue !== undefined && v.intValue !== null) {
    return (typeof v.intValue === 'object' ? int64ToBigInt(v.intValue) : BigInt(v.intValue)).toString();
  }
  if (v.doubleValue !== undefined && v.doubleValue !== null) return goFloat(Number(v.doubleValue));
  if (v.bytesValue !== undefined && v.bytesValue !== null) {
    return typeof v.bytesValue === 'string' ? v.bytesValue : Buffer.from(v.bytesValue).toString('base64');
  }
  const j = toJsonValue(v, json);
  return j === null ? '' : JSON.stringify(j);
}

/** strconv.FormatFloat(f, 'f', -1, 64) for the common cases. */
function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(f) && Math.abs(f) < 1e21) return f.toFixed(0);
  const s = String(f);
  if (!/e/.test(s)) return s;
  return f.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** Flatten attributes like Loki's attributesToLabels: nested maps become `parent_child`; names normalised. */
function flatten(attrs: KeyValue[] | null | undefined, out: Labels, json: boolean, prefix = ''): void {
  if (!attrs) return;
  for (const kv of attrs) {
    const key = prefix ? `${prefix}_${kv.key}` : kv.key;
    const v = kv.value;
    if (v && v.kvlistValue) {
      flatten(v.kvlistValue.values, out, json, key);
      continue;
    }
    const name = normalizeLabelName(key);
    if (name === '') continue;
    out[name] = anyValueString(v, json);
  }
}

const INT64_MAX = 9223372036854775807n;

function timestamp(v: Int64): bigint {
  if (v === undefined || v === null) return 0n;
  let t: bigint;
  if (typeof v === 'object') t = int64ToBigInt(v, true);
  else if (typeof v === 'bigint') t = v;
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new PushValidationError(`invalid OTLP timestamp ${v}`);
    t = BigInt(v);
  } else if (typeof v === 'string' && /^[0-9]+$/.test(v)) t = BigInt(v);
  else throw new PushValidationError(`invalid OTLP timestamp ${JSON.stringify(v)}`);
  // fixed64 on the wire, but a time beyond int64 nanoseconds (year 2262) is none: Loki's time.Unix would wrap it
  if (t > INT64_MAX) throw new PushValidationError(`OTLP timestamp ${t} is out of range (more than int64 nanoseconds)`);
  return t;
}

/** Convert a decoded ExportLogsServiceRequest into push streams. */
export function otlpToStreams(req: ExportRequest, opts: OtlpOptions = {}, json = false): PushStream[] {
  const index = new Set(opts.indexLabels ?? DEFAULT_OTLP_INDEX_LABELS);
  const defaultService = opts.defaultServiceName === undefined ? 'unknown_service' : opts.defaultServiceName;
  const now = opts.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const byStream = new Map<string, PushStream>();
  for (const rl of req.resourceLogs ?? []) {
    const labels: Labels = {};
    const resourceMd: Labels = {};
    for (const kv of rl.resource?.attributes ?? []) {
      if (index.has(kv.key)) {
        const name = normalizeLabelName(kv.key);
        const value = anyValueString(kv.value, json);
        if (name && value !== '') labels[name] = value;
      } else {
        flatten([kv], resourceMd, json);
      }
    }
    if (labels.service_name === undefined && defaultService) labels.service_name = defaultService;
    if (Object.keys(labels).length === 0) {
      throw new PushValidationError(
        'OTLP resource has no attribute that maps to a stream label (and the unknown_service default is off)',
      );
    }
    const key = canonicalKey(labels);
    let stream = byStream.get(key);
    if (!stream) {
      stream = { labels, entries: [] };
      byStream.set(key, stream);
    }
    for (const sl of rl.scopeLogs ?? []) {
      const scopeMd: Labels = {};
      const sc = sl.scope;
      if (sc) {
        flatten(sc.attributes, scopeMd, json);
        if (sc.name) scopeMd.scope_name = sc.name;
        if (sc.version) scopeMd.scope_version = sc.version;
        if (sc.droppedAttributesCount) scopeMd.scope_dropped_attributes_count = String(sc.droppedAttributesCount);
      }
      for (const rec of sl.logRecords ?? []) {
        const md: Labels = { ...resourceMd, ...scopeMd };
        flatten(rec.attributes, md, json);
        const sevNum =
          typeof rec.severityNumber === 'string'
            ? (SEVERITY_NAMES[rec.severityNumber] ?? Number(rec.severityNumber))
            : rec.severityNumber;
        if (sevNum) md.severity_number = String(sevNum);
        if (rec.severityText) md.severity_text = rec.severityText;
        if (rec.droppedAttributesCount) md.dropped_attributes_count = String(rec.droppedAttributesCount);
        if (rec.flags) md.flags = String(rec.flags);
        const trace = hex(rec.traceId, json);
        if (trace && !/^0+$/.test(trace)) md.trace_id = trace;
        const span = hex(rec.spanId, json);
        if (span && !/^0+$/.test(span)) md.span_id = span;
        let ts = timestamp(rec.timeUnixNano);
        if (ts === 0n) ts = timestamp(rec.observedTimeUnixNano);
        if (ts === 0n) ts = now();
        const e: LogEntry = { ts, line: anyValueString(rec.body, json) };
        if (Object.keys(md).length > 0) e.metadata = md;
        stream.entries.push(e);
      }
    }
  }
  return [...byStream.values()].filter((s) => s.entries.length > 0);
}

function gunzipIf(body: Buffer, contentEncoding: string | undefined, opts: OtlpOptions): Buffer {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip' || (enc === '' && body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b)) {
    return inflateBounded(body, 'gzip', opts.maxDecompressedSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE);
  }
  if (enc === '' || enc === 'identity') return body;
  throw new PushValidationError(`unsupported Content-Encoding ${JSON.stringify(contentEncoding)} (gzip or none)`, 415);
}

/** Decode an OTLP/HTTP protobuf body. */
export function decodeOtlpProtobuf(body: Buffer, contentEncoding?: string, opts: OtlpOptions = {}): PushStream[] {
  const raw = gunzipIf(body, contentEncoding, opts);
  let msg: ExportRequest;
  try {
    msg = ExportLogsServiceRequestType.decode(raw) as unknown as ExportRequest;
  } catch (e) {
    throw new PushValidationError(`invalid OTLP protobuf body: ${(e as Error).message}`);
  }
  return otlpToStreams(msg, opts, false);
}

/** Decode an OTLP/HTTP JSON body (protobuf JSON mapping: camelCase names, hex trace/span ids, int64 as strings). */
export function decodeOtlpJson(body: Buffer, contentEncoding?: string, opts: OtlpOptions = {}): PushStream[] {
  const raw = gunzipIf(body, contentEncoding, opts);
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new PushValidationError(`invalid JSON in OTLP body: ${(e as Error).message}`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new PushValidationError('OTLP JSON body must be an object with "resourceLogs"');
  }
  let p = payload as Record<string, unknown>;
  // snake_case is accepted by the protobuf JSON mapping too
  if (p.resource_logs !== undefined && p.resourceLogs === undefined) p = camelize(p) as Record<string, unknown>;
  checkShape(p);
  return otlpToStreams(p as ExportRequest, opts, true);
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** An optional list of objects at `where` (null/absent: none); refuses anything else, as a protobuf JSON decoder does. */
function objects(v: unknown, where: string): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PushValidationError(`OTLP JSON: ${where} must be an array, got ${kindOf(v)}`);
  v.forEach((x, i) => object(x, `${where}[${i}]`));
  return v as Record<string, unknown>[];
}

function object(v: unknown, where: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new PushValidationError(`OTLP JSON: ${where} must be an object, got ${kindOf(v)}`);
  }
  return v as Record<string, unknown>;
}

function attributes(v: unknown, where: string): void {
  objects(v, where).forEach((kv, i) => {
    if (typeof kv.key !== 'string') {
      throw new PushValidationError(`OTLP JSON: ${where}[${i}].key must be a string, got ${kindOf(kv.key)}`);
    }
    object(kv.value, `${where}[${i}].value`);
  });
}

/** The request's structure: lists are lists and messages are objects (`{"resourceLogs":"x"}` is refused). */
function checkShape(p: Record<string, unknown>): void {
  objects(p.resourceLogs, 'resourceLogs').forEach((rl, i) => {
    const w = `resourceLogs[${i}]`;
    const res = object(rl.resource, `${w}.resource`);
    if (res) attributes(res.attributes, `${w}.resource.attributes`);
    objects(rl.scopeLogs, `${w}.scopeLogs`).forEach((sl, j) => {
      const ws = `${w}.scopeLogs[${j}]`;
      const sc = object(sl.scope, `${ws}.scope`);
      if (sc) attributes(sc.attributes, `${ws}.scope.attributes`);
      objects(sl.logRecords, `${ws}.logRecords`).forEach((rec, k) => {
        const wr = `${ws}.logRecords[${k}]`;
        attributes(rec.attributes, `${wr}.attributes`);
        object(rec.body, `${wr}.body`);
      });
    });
  });
}

function camelize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelize);
  if (v === null || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>))
    o[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = camelize(x);
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding (tests and the load test): one ResourceLogs per stream, its labels as resource attributes.

export interface OtlpRecordInput {
  resource: Record<string, string>;
  records: {
    ts: bigint;
    body: string;
    attributes?: Record<string, string>;
    severityText?: string;
    severityNumber?: number;
    traceId?: string;
    spanId?: string;
  }[];
  scope?: { name?: string; version?: string };
}

function kvs(o: Record<string, string> | undefined): { key: string; value: { stringValue: string } }[] {
  return Object.entries(o ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } }));
}

/** Build an OTLP JSON request object (the protobuf JSON mapping). */
export function otlpJsonRequest(input: OtlpRecordInput[]): unknown {
  return {
    resourceLogs: input.map((r) => ({
      resource: { attributes: kvs(r.resource) },
      scopeLogs: [
        {
          scope: r.scope ?? {},
          logRecords: r.records.map((x) => ({
            timeUnixNano: x.ts.toString(),
            body: { stringValue: x.body },
            attributes: kvs(x.attributes),
            ...(x.severityText ? { severityText: x.severityText } : {}),
            ...(x.severityNumber ? { severityNumber: x.severityNumber } : {}),
            ...(x.traceId ? { traceId: x.traceId } : {}),
            ...(x.spanId ? { spanId: x.spanId } : {}),
          })),
        },
      ],
    })),
  };
}

/** Encode as OTLP protobuf. */
export function encodeOtlpProtobuf(input: OtlpRecordInput[]): Buffer {
  const obj = {
    resourceLogs: input.map((r) => ({
      resource: { attributes: kvs(r.resource) },
      scopeLogs: [
        {
          scope: r.scope ?? {},
          logRecords: r.records.map((x) => ({
            timeUnixNano: x.ts.toString(),
            body: { stringValue: x.body },
            attributes: kvs(x.attributes),
            severityText: x.severityText ?? '',
            severityNumber: x.severityNumber ?? 0,
            traceId: x.traceId ? Buffer.from(x.traceId, 'hex') : Buffer.alloc(0),
            spanId: x.spanId ? Buffer.from(x.spanId, 'hex') : Buffer.alloc(0),
          })),
        },
      ],
    })),
  };
  const msg = ExportLogsServiceRequestType.fromObject(obj);
  return Buffer.from(ExportLogsServiceRequestType.encode(msg).finish());
}
