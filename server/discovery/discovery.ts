// The read APIs behind Grafana's Logs Drilldown, logs volume panels and field/label discovery, built on EngineApi
// (so they run on every engine and every table mapping):
//   volume / volume_range      — bytes per label set, as `sum by (…) (bytes_over_time(…))` pushed down to SQL
//   detected_labels            — stream labels with their cardinality, from the stream catalog
//   detected_fields, values    — fields found in a sample of lines (JSON, logfmt) and their structured metadata
//   patterns                   — Drain clusters over a time-spread sample, with per-step counts
import type { EngineApi, Labels, QueryResult, Stream } from '../engine/types';
import type { Expr, LogExpr, Matcher } from '../logql/ast';
import { parse } from '../logql/check';
import { LogQLError } from '../logql/errors';
import { Drain, patternString, type Cluster } from './drain';

const NS_PER_MS = 1_000_000n;

function quote(s: string): string {
  return JSON.stringify(s);
}

export function selectorString(matchers: Matcher[]): string {
  return '{' + matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(', ') + '}';
}

function logExprOf(expr: Expr): LogExpr | undefined {
  return expr.kind === 'log' ? expr : undefined;
}

/** The query's stream selector; throws a user error when the query is not a log query. */
export function selectorOf(query: string): { expr: LogExpr; selector: string } {
  const expr = logExprOf(parse(query));
  if (!expr) throw new LogQLError('check', 'a log query (stream selector) is required here, not a metric query');
  return { expr, selector: selectorString(expr.matchers) };
}

function durationMs(ns: bigint): string {
  const ms = ns / NS_PER_MS;
  return `${ms > 0n ? ms : 1n}ms`;
}

function nameList(names: string[]): string {
  return names.join(', ');
}

// ------------------------------------------------------------------------------------------------------ volume

export interface VolumeRequest {
  query: string;
  start: bigint;
  end: bigint;
  /** top-N label sets (default 100) */
  limit: number;
  targetLabels: string[];
  aggregateBy: 'series' | 'labels';
  /** volume_range only */
  step?: bigint;
}

const LABEL_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** index/volume (instant: vector) and index/volume_range (matrix): bytes of lines per label set. */
export async function volume(engine: EngineApi, req: VolumeRequest, range: boolean): Promise<QueryResult> {
  const { expr, selector } = selectorOf(req.query);
  const t0 = performance.now();
  let groups: string[];
  if (req.aggregateBy === 'labels') {
    // one series per label name present on the matching streams
    const series = await engine.series([selector], req.start, req.end);
    groups = [...new Set(series.flatMap((s) => Object.keys(s)))].sort();
    return labelVolumes(engine, selector, groups, req, range, t0);
  }
  groups = req.targetLabels.length > 0 ? req.targetLabels : [...new Set(expr.matchers.map((m) => m.name))];
  for (const g of groups)
    if (!LABEL_RE.test(g)) throw new LogQLError('check', `invalid label name ${JSON.stringify(g)} in targetLabels`);
  const inner = (window: string) => `bytes_over_time(${selector} [${window}])`;
  const agg = (window: string) => `sum by (${nameList(groups)}) (${inner(window)})`;
  const res = range
    ? await engine.query({
        query: agg(durationMs(req.step ?? 60_000_000_000n)),
        start: req.start,
        end: req.end,
        step: req.step,
        instant: false,
        limit: req.limit,
        direction: 'backward',
      })
    : await engine.query({
        query: agg(durationMs(req.end - req.start)),
        start: req.end,
        end: req.end,
        instant: true,
        limit: req.limit,
        direction: 'backward',
      });
  return topN(res, groups, req.limit);
}

function topN(res: QueryResult, groups: string[], limit: number): QueryResult {
  const nonEmpty = (m: Labels) => groups.length === 0 || groups.some((g) => m[g] !== undefined && m[g] !== '');
  const d = res.data;
  if (d.resultType === 'vector') {
    const result = d.result.filter((s) => nonEmpty(s.metric)).sort((a, b) => b.value[1] - a.value[1]);
    return { ...res, data: { resultType: 'vector', result: result.slice(0, limit) } };
  }
  if (d.resultType === 'matrix') {
    const total = (vs: [number, number][]) => vs.reduce((a, [, v]) => a + v, 0);
    const result = d.result.filter((s) => nonEmpty(s.metric)).sort((a, b) => total(b.values) - total(a.values));
    return { ...res, data: { resultType: 'matrix', result: result.slice(0, limit) } };
  }
  return res;
}

async function labelVolumes(
  engine: EngineApi,
  selector: string,
  names: string[],
  req: VolumeRequest,
  range: boolean,
  t0: number,
): Promise<QueryResult> {
  const parts = await Promise.all(
    names.map(async (n) => {
      // a failing query fails the request (a database outage must not look like "no volume")
      const r = await volume(
        engine,
        { ...req, query: `${selector.slice(0, -1)}, ${n}=~".+"}`, targetLabels: [], aggregateBy: 'series' },
        range,
      );
      return { n, r };
    }),
  );
  const stats = { sql: [], tsStages: [], rowsScanned: 0, sqlMs: 0, totalMs: performance.now() - t0 };
  if (!range) {
    const result = parts
      .map(({ n, r }) => {
        const v = r && r.data.resultType === 'vector' ? r.data.result.reduce((a, s) => a + s.value[1], 0) : 0;
        return { metric: { [n]: '' } as Labels, value: [Number(req.end / NS_PER_MS), v] as [number, number] };
      })
      .filter((s) => s.value[1] > 0)
      .sort((a, b) => b.value[1] - a.value[1])
      .slice(0, req.limit);
    return { data: { resultType: 'vector', result }, stats };
  }
  const result = parts
    .map(({ n, r }) => {
      const acc = new Map<number, number>();
      if (r && r.data.resultType === 'matrix')
        for (const s of r.data.result) for (const [t, v] of s.values) acc.set(t, (acc.get(t) ?? 0) + v);
      return {
        metric: { [n]: '' } as Labels,
        values: [...acc.entries()].sort((a, b) => a[0] - b[0]) as [number, number][],
      };
    })
    .filter((s) => s.values.length > 0)
    .slice(0, req.limit);
  return { data: { resultType: 'matrix', result }, stats };
}

// --------------------------------------------------------------------------------------------- detected labels

const STATIC_LABELS = new Set(['cluster', 'namespace', 'instance', 'pod']);
const ID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]+|[0-9a-f]{16,})$/i;

export interface DetectedLabel {
  label: string;
  cardinality: number;
}

/** Labels of the streams matching `query` (all streams when empty) and their distinct-value counts. Like Loki, a
 *  label with a single value (except cluster/namespace/instance/pod) and labels whose values are all IDs are left out. */
export async function detectedLabels(
  engine: EngineApi,
  query: string | undefined,
  start: bigint,
  end: bigint,
): Promise<DetectedLabel[]> {
  const match = query && query.trim() !== '' ? [selectorOf(query).selector] : [];
  const series = await engine.series(match, start, end);
  const values = new Map<string, Set<string>>();
  for (const s of series) {
    for (const [k, v] of Object.entries(s)) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    }
  }
  const out: DetectedLabel[] = [];
  for (const [label, set] of values) {
    if (label.startsWith('__')) continue;
    const card = set.size;
    if (!STATIC_LABELS.has(label)) {
      if (card < 2) continue;
      if (card > 50 && [...set].every((v) => ID_RE.test(v))) continue;
    }
    out.push({ label, cardinality: card });
  }
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

// --------------------------------------------------------------------------------------------- detected fields

export type FieldType = 'int' | 'float' | 'boolean' | 'duration' | 'bytes' | 'string';

export interface DetectedField {
  label: string;
  type: FieldType;
  cardinality: number;
  parsers: string[] | null;
  jsonPath?: string[];
}

const DURATION_RE = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const BYTES_RE =
  /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*(?:b|kb|mb|gb|tb|pb|eb|kib|mib|gib|tib|pib|eib|k|m|g|t|p|e|ki|mi|gi|ti|pi|ei)$/i;
const BOOL_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The type Loki reports for a value (strconv.ParseInt/ParseFloat/ParseBool, time.ParseDuration, humanize.ParseBytes). */
export function valueType(v: string): FieldType {
  if (/^[-+]?\d+$/.test(v) && Math.abs(Number(v)) <= 9.3e18) return 'int';
  if (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i.test(v) || /^[-+]?(?:inf|infinity|nan)$/i.test(v)) return 'float';
  if (BOOL_VALUES.has(v)) return 'boolean';
  if (v === '0' || DURATION_RE.test(v)) return 'duration';
  if (BYTES_RE.test(v)) return 'bytes';
  return 'string';
}

function unify(a: FieldType, b: FieldType): FieldType {
  if (a === b) return a;
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float';
  return 'string';
}

export function sanitizeName(k: string): string {
  let s = k.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(s)) s = '_' + s;
  return s;
}

function flattenJson(
  v: unknown,
  prefix: string,
  path: string[],
  out: (name: string, value: string, path: string[]) => void,
): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) return;
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      flattenJson(x, prefix ? `${prefix}_${sanitizeName(k)}` : sanitizeName(k), [...path, k], out);
    }
    return;
  }
  out(prefix, typeof v === 'string' ? v : String(v), path);
}

/** logfmt key/value pairs (go-logfmt rules: bare keys have empty values, quoted values unescaped). */
export function parseLogfmt(line: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    const ks = i;
    while (i < n && line[i] !== '=' && line.charCodeAt(i) > 32 && line[i] !== '"') i++;
    const key = line.slice(ks, i);
    if (i < n && line[i] === '"') {
      // garbage: skip to next space
      while (i < n && line.charCodeAt(i) > 32) i++;
      continue;
    }
    if (line[i] !== '=') {
      if (key) out.push([key, '']);
      continue;
    }
    i++;
    let value = '';
    if (line[i] === '"') {
      i++;
      let raw = '"';
      while (i < n && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < n) {
          raw += line[i]! + line[i + 1]!;
          i += 2;
        } else raw += line[i++];
      }
      i++;
      try {
        value = JSON.parse(raw + '"') as string;
      } catch {
        value = raw.slice(1);
      }
    } else {
      const vs = i;
      while (i < n && line.charCodeAt(i) > 32) i++;
      value = line.slice(vs, i);
    }
    if (key) out.push([key, value]);
  }
  return out;
}

interface FieldAcc {
  type: FieldType | undefined;
  values: Set<string>;
  parsers: Set<string>;
  metadata: boolean;
  jsonPath?: string[];
}

/** Collect fields from lines and metadata. `streamLabels` of the stream are not fields. */
export function collectFields(streams: Stream[]): Map<string, FieldAcc> {
  const fields = new Map<string, FieldAcc>();
  const add = (name: string, value: string, parser: string | null, jsonPath?: string[]) => {
    if (!name || name.startsWith('__')) return;
    let f = fields.get(name);
    if (!f) fields.set(name, (f = { type: undefined, values: new Set(), parsers: new Set(), metadata: false }));
    const t = valueType(value);
    f.type = f.type === undefined ? t : unify(f.type, t);
    if (f.values.size < 100_000) f.values.add(value);
    if (parser) f.parsers.add(parser);
    else f.metadata = true;
    if (jsonPath && !f.jsonPath) f.jsonPath = jsonPath;
  };
  for (const s of streams) {
    for (const e of s.entries) {
      if (e.metadata)
        for (const [k, v] of Object.entries(e.metadata))
          if (s.labels[k] === undefined || s.labels[k] !== v) add(k, v, null);
      const line = e.line;
      const t = line.trimStart();
      if (t.startsWith('{')) {
        try {
          const obj = JSON.parse(t) as unknown;
          if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
            flattenJson(obj, '', [], (name, value, path) => add(name, value, 'json', path));
            continue;
          }
        } catch {
          /* not JSON: try logfmt */
        }
      }
      if (line.includes('=')) {
        for (const [k, v] of parseLogfmt(line)) add(sanitizeName(k), v, 'logfmt');
      }
    }
  }
  return fields;
}

export interface SampleRequest {
  query: string;
  start: bigint;
  end: bigint;
  /** lines to sample (Loki's line_limit, default 1000) */
  lineLimit: number;
}

async function sample(engine: EngineApi, req: SampleRequest): Promise<Stream[]> {
  const { expr } = selectorOf(req.query);
  void expr;
  const res = await engine.query({
    query: req.query,
    start: req.start,
    end: req.end,
    instant: false,
    limit: req.lineLimit,
    direction: 'backward',
  });
  return res.data.resultType === 'streams' ? res.data.result : [];
}

export async function detectedFields(
  engine: EngineApi,
  req: SampleRequest,
  fieldLimit: number,
): Promise<DetectedField[]> {
  const fields = collectFields(await sample(engine, req));
  const out: DetectedField[] = [];
  for (const [label, f] of fields) {
    out.push({
      label,
      type: f.type ?? 'string',
      cardinality: f.values.size,
      parsers: f.parsers.size > 0 ? [...f.parsers].sort() : null,
      ...(f.jsonPath ? { jsonPath: f.jsonPath } : {}),
    });
  }
  out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return out.slice(0, fieldLimit);
}

export async function detectedFieldValues(
  engine: EngineApi,
  name: string,
  req: SampleRequest,
  limit: number,
): Promise<string[]> {
  const f = collectFields(await sample(engine, req)).get(name);
  return f ? [...f.values].sort().slice(0, limit) : [];
}

// ------------------------------------------------------------------------------------------------------ patterns

export interface PatternsRequest {
  query: string;
  start: bigint;
  end: bigint;
  step: bigint;
  /** lines sampled in all (default 5000), spread over `slices` equal time slices */
  sampleLimit?: number;
  slices?: number;
}

export interface PatternResult {
  pattern: string;
  /** [unix seconds, count] per step */
  samples: [number, number][];
}

/**
 * Mine patterns with Drain over a sample spread evenly over the range; counts per step are exact when every line of
 * a slice was sampled, otherwise scaled by the slice's total line count (counted in the database).
 */
export async function patterns(engine: EngineApi, req: PatternsRequest): Promise<PatternResult[]> {
  selectorOf(req.query);
  const sampleLimit = req.sampleLimit ?? 5000;
  const span = req.end - req.start;
  if (span <= 0n) return [];
  const k = Math.max(1, Math.min(req.slices ?? 10, Number(span / 1_000_000_000n) || 1));
  const per = Math.max(1, Math.ceil(sampleLimit / k));
  const bounds: [bigint, bigint][] = [];
  for (let i = 0; i < k; i++)
    bounds.push([req.start + (span * BigInt(i)) / BigInt(k), req.start + (span * BigInt(i + 1)) / BigInt(k)]);
  const slices = await Promise.all(
    bounds.map(async ([s, e]) => {
      const r = await engine.query({
        query: req.query,
        start: s,
        end: e,
        instant: false,
        limit: per,
        direction: 'backward',
      });
      const lines: { ts: bigint; line: string }[] = [];
      if (r.data.resultType === 'streams')
        for (const st of r.data.result) for (const en of st.entries) lines.push({ ts: en.ts, line: en.line });
      let weight = 1;
      if (lines.length >= per) {
        const c = await engine.query({
          query: `sum(count_over_time(${req.query} [${durationMs(e - s)}]))`,
          start: e,
          end: e,
          instant: true,
          limit: 1,
          direction: 'backward',
        });
        const total = c.data.resultType === 'vector' && c.data.result[0] ? c.data.result[0].value[1] : lines.length;
        weight = Math.max(1, total / lines.length);
      }
      return { lines, weight };
    }),
  );
  const drain = new Drain();
  const assigned: { c: Cluster; ts: bigint; w: number }[] = [];
  for (const sl of slices) {
    sl.lines.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    for (const l of sl.lines) assigned.push({ c: drain.train(l.line), ts: l.ts, w: sl.weight });
  }
  const step = req.step > 0n ? req.step : 1_000_000_000n;
  const byPattern = new Map<string, Map<number, number>>();
  for (const a of assigned) {
    const p = patternString(a.c);
    let m = byPattern.get(p);
    if (!m) byPattern.set(p, (m = new Map()));
    const bucket = a.ts - (a.ts % step);
    const t = Number(bucket / 1_000_000n) / 1000;
    m.set(t, (m.get(t) ?? 0) + a.w);
  }
  const out: (PatternResult & { total: number })[] = [];
  for (const [pattern, m] of byPattern) {
    const samples = [...m.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, v]) => [t, Math.round(v)] as [number, number]);
    out.push({ pattern, samples, total: samples.reduce((a, [, v]) => a + v, 0) });
  }
  out.sort((a, b) => b.total - a.total);
  return out.slice(0, 300).map(({ pattern, samples }) => ({ pattern, samples }));
}
