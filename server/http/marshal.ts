// Loki v1 JSON encoding (pkg/util/marshal/query.go): streams with ns-string timestamps, matrix/vector/scalar points
// as [seconds at ms precision, "value"] with values printed like Go's strconv.FormatFloat(v, 'f', -1, 64) (Prometheus'
// model.SampleValue.String). Large results are produced as a sequence of string chunks so the server can stream them.

import { compareLabels, labelsJson } from '../util/labels';
import type { Labels, Point, QueryResult, QueryStats, Stream } from '../engine/types';
import { entriesReturned, lokiStats } from '../stats/summary';

/** Go's strconv.FormatFloat(v, 'f', -1, 64), with Prometheus' spelling of the special values. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // JS switched to exponent notation (|v| ≥ 1e21 or < 1e-6): expand the shortest digits to plain decimal.
  let mant = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  let sign = '';
  if (mant.startsWith('-')) {
    sign = '-';
    mant = mant.slice(1);
  }
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const point = (dot < 0 ? mant.length : dot) + exp; // position of the decimal point within digits
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Prometheus model.Time.String(): ms as seconds, shortest form (1763632800.5, 1763632800). */
export function formatTimeMs(ms: number): string {
  return formatFloat(ms / 1000);
}

function pointJson(p: Point): string {
  return `[${formatTimeMs(p[0])},"${formatFloat(p[1])}"]`;
}

export interface EncodeOptions {
  /** X-Loki-Response-Encoding-Flags: categorize-labels — structured metadata as a 3rd element of each value */
  categorizeLabels?: boolean;
  /** chunk size in characters before a chunk is yielded */
  chunkSize?: number;
}

function has(l: Labels | undefined, k: string): boolean {
  return l !== undefined && Object.hasOwn(l, k);
}

function hasLabels(l: Labels | undefined): l is Labels {
  if (!l) return false;
  for (const _ in l) return true;
  return false;
}

/**
 * Without categorize-labels Loki returns structured metadata as part of the stream labels (entries of one stream with
 * different metadata become different streams). The engine already named it as Loki does (`_extracted` on a clash
 * with a stream label, LogEntry.metadata), so it is merged as it is. Keeps stream order by first appearance.
 */
export function mergeMetadata(streams: Stream[]): Stream[] {
  if (!streams.some((s) => s.entries.some((e) => hasLabels(e.metadata)))) return streams;
  const out = new Map<string, Stream>();
  for (const s of streams) {
    for (const e of s.entries) {
      const labels = hasLabels(e.metadata) ? { ...s.labels, ...e.metadata } : s.labels;
      const key = labelsJson(labels);
      let t = out.get(key);
      if (!t) out.set(key, (t = { labels, entries: [] }));
      t.entries.push({ ts: e.ts, line: e.line });
    }
  }
  return [...out.values()];
}

/**
 * With categorize-labels Loki's stream labels are the entry's labels less its structured metadata and parsed labels
 * (iter.NewCategorizeLabelsIterator), which are printed with each entry instead: entries of one stream whose parsed
 * labels differ in name split it. Keeps stream order by first appearance.
 */
export function categorizeStreams(streams: Stream[]): Stream[] {
  if (!streams.some((s) => s.entries.some((e) => hasLabels(e.metadata) || hasLabels(e.parsed)))) return streams;
  const out = new Map<string, Stream>();
  for (const s of streams) {
    for (const e of s.entries) {
      let labels = s.labels;
      if (hasLabels(e.metadata) || hasLabels(e.parsed)) {
        labels = {};
        for (const k in s.labels) if (!has(e.metadata, k) && !has(e.parsed, k)) labels[k] = s.labels[k];
      }
      const key = labelsJson(labels);
      let t = out.get(key);
      if (!t) out.set(key, (t = { labels, entries: [] }));
      t.entries.push(e);
    }
  }
  return [...out.values()];
}

/** A set's names in sorted order: a log query's sets come sorted already (util/labels.ts canonicalLabels), and a
 *  check costs less than a sort's copy and comparisons. */
function sortedNames(l: Labels): string[] {
  const k = Object.keys(l);
  for (let i = 1; i < k.length; i++) if (k[i - 1]! > k[i]!) return k.sort();
  return k;
}

/** Streams in Loki's order (sort.Sort(Streams): by label string); returns the input when already sorted. */
export function sortStreams(streams: Stream[]): Stream[] {
  if (streams.length < 2) return streams;
  const keyed = streams.map((s) => ({ s, k: sortedNames(s.labels) }));
  const cmp = (a: (typeof keyed)[number], b: (typeof keyed)[number]) => compareLabels(a.s.labels, b.s.labels, a.k, b.k);
  let sorted = true;
  for (let i = 1; i < keyed.length && sorted; i++) if (cmp(keyed[i - 1]!, keyed[i]!) > 0) sorted = false;
  if (sorted) return streams;
  return keyed.sort(cmp).map((x) => x.s);
}

/** Loki-shaped stats (stats/summary.ts): `summary`, `querier`, `ingester` as Loki names them (logcli --stats and
 *  Grafana read them), plus our own under `logqlsql`. */
export function statsJson(stats: QueryStats | undefined, returned: number): string {
  if (!stats) return '{}';
  return JSON.stringify(lokiStats(stats, returned));
}

function responseHead(resultType: string, opts: EncodeOptions): string {
  let buf = `{"status":"success","data":{"resultType":"${resultType}",`;
  if (opts.categorizeLabels && resultType === 'streams') buf += '"encodingFlags":["categorize-labels"],';
  return buf + '"result":';
}

/** Stream objects `{"stream":…,"values":[…]}` joined by commas (a leading one unless `first`), as chunks of about
 *  `chunkSize`; what is left under that size is returned through `rest` for the caller to continue. */
function* streamObjects(
  result: Stream[],
  opts: EncodeOptions,
  first: boolean,
  buf: string,
  rest: { buf: string },
): Generator<string> {
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const streams = sortStreams(opts.categorizeLabels ? categorizeStreams(result) : mergeMetadata(result));
  for (let i = 0; i < streams.length; i++) {
    const s = streams[i]!;
    if (i > 0 || !first) buf += ',';
    buf += `{"stream":${labelsJson(s.labels)},"values":[`;
    const entries = s.entries;
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j]!;
      if (j > 0) buf += ',';
      buf += `["${e.ts}",${JSON.stringify(e.line)}`;
      if (opts.categorizeLabels) {
        const md = hasLabels(e.metadata) ? `"structuredMetadata":${labelsJson(e.metadata)}` : '';
        const parsed = hasLabels(e.parsed) ? `"parsed":${labelsJson(e.parsed)}` : '';
        buf += `,{${md}${md && parsed ? ',' : ''}${parsed}}]`;
      } else buf += ']';
      if (buf.length >= chunkSize) {
        yield buf;
        buf = '';
      }
    }
    buf += ']}';
  }
  rest.buf = buf;
}

/**
 * A log answer written while the engine still reads (QueryRequest.onStreams): the head, each batch's stream objects
 * as it comes, then the tail with the stats. Each batch is one result as Loki would print it (streams sorted by labels,
 * entries in the query's direction); a label set that spans batches appears once per batch, in the query's direction.
 */
export class StreamingLogResponse {
  private started = false;
  /** entries written so far (the stats' totalEntriesReturned) */
  returned = 0;

  constructor(private readonly opts: EncodeOptions = {}) {}

  /** the chunks for one batch of streams (the head before the first) */
  *batch(streams: Stream[]): Generator<string> {
    let buf = '';
    if (!this.started) buf = responseHead('streams', this.opts) + '[';
    const first = !this.started;
    this.started = true;
    for (const s of streams) this.returned += s.entries.length;
    const rest = { buf: '' };
    yield* streamObjects(streams, this.opts, first, buf, rest);
    if (rest.buf) yield rest.buf;
  }

  /** the closing chunk with the stats */
  end(stats: QueryStats | undefined): string {
    const head = this.started ? '' : responseHead('streams', this.opts) + '[';
    return `${head}],"stats":${statsJson(stats, this.returned)}}}\n`;
  }
}

/** The whole query response `{"status":"success","data":{…}}` as string chunks (≈ chunkSize each). */
export function* encodeQueryResponse(result: QueryResult, opts: EncodeOptions = {}): Generator<string> {
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const { data } = result;
  let buf = responseHead(data.resultType, opts);
  switch (data.resultType) {
    case 'streams': {
      const rest = { buf: '' };
      yield* streamObjects(data.result, opts, true, buf + '[', rest);
      buf = rest.buf + ']';
      break;
    }
    case 'matrix': {
      buf += '[';
      for (let i = 0; i < data.result.length; i++) {
        const s = data.result[i]!;
        if (i > 0) buf += ',';
        buf += `{"metric":${labelsJson(s.metric)},"values":[`;
        for (let j = 0; j < s.values.length; j++) {
          if (j > 0) buf += ',';
          buf += pointJson(s.values[j]!);
          if (buf.length >= chunkSize) {
            yield buf;
            buf = '';
          }
        }
        buf += ']}';
      }
      buf += ']';
      break;
    }
    case 'vector': {
      buf += '[';
      for (let i = 0; i < data.result.length; i++) {
        const s = data.result[i]!;
        if (i > 0) buf += ',';
        buf += `{"metric":${labelsJson(s.metric)},"value":${pointJson(s.value)}}`;
        if (buf.length >= chunkSize) {
          yield buf;
          buf = '';
        }
      }
      buf += ']';
      break;
    }
    case 'scalar':
      buf += pointJson(data.result);
      break;
  }
  buf += `,"stats":${statsJson(result.stats, entriesReturned(data))}}}\n`;
  yield buf;
}

/** Convenience: the full response as one string (tests, small results). */
export function encodeQueryResponseString(result: QueryResult, opts: EncodeOptions = {}): string {
  let out = '';
  for (const c of encodeQueryResponse(result, opts)) out += c;
  return out;
}

/** `{"status":"success","data":[…]}` for label names and values. */
export function encodeLabelsResponse(values: string[]): string {
  return `{"status":"success","data":${JSON.stringify(values)}}\n`;
}

/** `{"status":"success","data":[{labels}, …]}` for the series API. */
export function encodeSeriesResponse(series: Labels[]): string {
  let out = '{"status":"success","data":[';
  for (let i = 0; i < series.length; i++) {
    if (i > 0) out += ',';
    out += labelsJson(series[i]!);
  }
  return out + ']}\n';
}
