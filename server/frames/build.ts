// Engine results → Grafana data frames (dataplane types): log results become one `log-lines` frame, range metric
// results `timeseries-multi` (one frame per series), instant results `numeric-multi`.
import type { Direction, Labels, QueryResult, QueryStats, Stream } from '../engine/types';
import type { Frame, FrameMeta, Notice } from './arrow';
import { entriesReturned, frameStats } from '../stats/summary';

export const TYPE_VERSION: [number, number] = [0, 1];

export interface FrameOptions {
  refId: string;
  /** the LogQL expression (used as the display name of a series without labels) */
  expr?: string;
  legendFormat?: string;
  direction?: Direction;
  limit?: number;
}

/** `{a="1", b="2"}` with sorted keys and Go-style quoting, as Loki and Grafana print label sets. */
export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return '{' + keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ') + '}';
}

/** Grafana's legend templating: `{{label}}` → the label's value (empty when missing). */
export function applyLegendFormat(format: string, labels: Labels): string {
  return format.replace(/\{\{\s*(.+?)\s*\}\}/g, (_m, name: string) => labels[name] ?? '');
}

function sortedLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}

/** `returned`: Loki's totalEntriesReturned for the whole result (stats/summary.ts entriesReturned). */
export function baseMeta(stats: QueryStats | undefined, opts: FrameOptions, returned = 0): FrameMeta {
  const meta: FrameMeta = {};
  if (stats) {
    meta.executedQueryString = stats.sql.length
      ? stats.sql.join(';\n\n')
      : '-- no SQL statement ran: the query was answered without reading the database';
  }
  const notices: Notice[] = [];
  if (stats?.limitReached) {
    notices.push({
      severity: 'warning',
      text: `Limit reached: the query returned ${opts.limit ?? 'the maximum number of'} lines; there may be more. Raise "Line limit" or narrow the time range.`,
    });
  }
  if (stats?.tsStages?.length) {
    notices.push({
      severity: 'info',
      text: `Evaluated in TypeScript after the database (not pushed down to SQL): ${stats.tsStages.join(', ')}`,
    });
  }
  if (notices.length) meta.notices = notices;
  if (stats) {
    // Loki's summary first, as Grafana's Loki data source lists it; then our own
    meta.stats = [
      ...frameStats(stats, returned),
      { displayName: 'Rows scanned', value: stats.rowsScanned },
      { displayName: 'SQL time', value: stats.sqlMs, unit: 'ms' },
      { displayName: 'Total time', value: stats.totalMs, unit: 'ms' },
    ];
  }
  return meta;
}

/** FNV-1a 32-bit over `s`, continuing from state `h` (start with FNV_OFFSET): a cheap stable id component. */
const FNV_OFFSET = 0x811c9dc5;
function fnv1a(s: string, h = FNV_OFFSET): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

const LEVEL_LABELS = ['detected_level', 'level', 'severity', 'lvl'];

type LogRow = { ts: bigint; line: string; labels: Labels; labelsJson: string; hash: number };

/** Rows of all streams, merged in direction order (ties: stream order). Streams usually arrive sorted already. */
function mergeRows(streams: Stream[], backward: boolean): LogRow[] {
  const lists: LogRow[][] = streams.map((s) => {
    const base = s.labels;
    const baseJson = JSON.stringify(sortedLabels(base));
    const baseHash = fnv1a(baseJson + '\u0000');
    const rows: LogRow[] = new Array(s.entries.length);
    let sorted = true;
    for (let i = 0; i < s.entries.length; i++) {
      const e = s.entries[i]!;
      if (e.metadata && Object.keys(e.metadata).length) {
        const labels = { ...base, ...e.metadata };
        const labelsJson = JSON.stringify(sortedLabels(labels));
        rows[i] = { ts: e.ts, line: e.line, labels, labelsJson, hash: fnv1a(labelsJson + '\u0000') };
      } else rows[i] = { ts: e.ts, line: e.line, labels: base, labelsJson: baseJson, hash: baseHash };
      if (i > 0 && (backward ? rows[i - 1]!.ts < e.ts : rows[i - 1]!.ts > e.ts)) sorted = false;
    }
    if (!sorted) rows.sort((a, b) => (a.ts === b.ts ? 0 : (a.ts < b.ts ? -1 : 1) * (backward ? -1 : 1)));
    return rows;
  });
  if (lists.length === 1) return lists[0]!;
  const total = lists.reduce((n, l) => n + l.length, 0);
  const out: LogRow[] = new Array(total);
  // k-way merge with a binary heap of [list index]; heads compared by time, then stream order
  const pos = new Array<number>(lists.length).fill(0);
  const heap: number[] = [];
  const before = (a: number, b: number) => {
    const x = lists[a]![pos[a]!]!.ts;
    const y = lists[b]![pos[b]!]!.ts;
    if (x !== y) return backward ? x > y : x < y;
    return a < b;
  };
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  lists.forEach((l, i) => {
    if (l.length) {
      heap.push(i);
      up(heap.length - 1);
    }
  });
  for (let k = 0; k < total; k++) {
    const i = heap[0]!;
    out[k] = lists[i]![pos[i]!]!;
    pos[i]!++;
    if (pos[i]! >= lists[i]!.length) {
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        down(0);
      }
    } else down(0);
  }
  return out;
}

/** One `log-lines` frame for a log query: timestamp, body, severity, id, labels — rows in query direction. */
export function logsFrame(streams: Stream[], stats: QueryStats | undefined, opts: FrameOptions): Frame {
  const backward = (opts.direction ?? 'backward') === 'backward';
  const rows = mergeRows(streams, backward);
  const n = rows.length;
  const ts = new BigInt64Array(n);
  const body: string[] = new Array(n);
  const severity: (string | null)[] = new Array(n);
  const ids: string[] = new Array(n);
  const labels: string[] = new Array(n);
  // equal ids can only come from rows with equal timestamps, which are adjacent after the merge
  let seen = new Map<string, number>();
  let seenTs: bigint | undefined;
  const levels = new Map<Labels, string | null>();
  let anyLevel = false;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    ts[i] = r.ts;
    body[i] = r.line;
    labels[i] = r.labelsJson;
    let level = levels.get(r.labels);
    if (level === undefined) {
      level = null;
      for (const k of LEVEL_LABELS) {
        const v = r.labels[k];
        if (v !== undefined && v !== '') {
          level = v;
          break;
        }
      }
      levels.set(r.labels, level);
    }
    if (level !== null) anyLevel = true;
    severity[i] = level;
    if (r.ts !== seenTs) {
      if (seen.size) seen = new Map();
      seenTs = r.ts;
    }
    let id = `${r.ts}_${(fnv1a(r.line, r.hash) >>> 0).toString(16).padStart(8, '0')}`;
    const dup = seen.get(id);
    if (dup !== undefined) {
      seen.set(id, dup + 1);
      id = `${id}_${dup + 1}`;
    } else seen.set(id, 0);
    ids[i] = id;
  }
  const meta: FrameMeta = {
    type: 'log-lines',
    typeVersion: TYPE_VERSION,
    preferredVisualisationType: 'logs',
    ...baseMeta(stats, opts, entriesReturned({ resultType: 'streams', result: streams })),
  };
  return {
    name: opts.refId,
    refId: opts.refId,
    meta,
    fields: [
      { name: 'timestamp', type: 'time', values: ts },
      { name: 'body', type: 'string', values: body },
      ...(anyLevel ? [{ name: 'severity', type: 'string' as const, values: severity, nullable: true }] : []),
      { name: 'id', type: 'string', values: ids },
      { name: 'labels', type: 'json', values: labels },
    ],
  };
}

function displayName(labels: Labels, opts: FrameOptions): string {
  if (opts.legendFormat) return applyLegendFormat(opts.legendFormat, labels);
  return Object.keys(labels).length ? formatLabels(labels) : (opts.expr ?? '');
}

/** `timeseries-multi`: one frame per series, non-nullable ascending time + one Float64 value field with labels. */
export function timeSeriesFrames(result: QueryResult, opts: FrameOptions): Frame[] {
  if (result.data.resultType !== 'matrix') throw new Error(`expected a matrix, got ${result.data.resultType}`);
  const meta: FrameMeta = {
    type: 'timeseries-multi',
    typeVersion: TYPE_VERSION,
    ...baseMeta(result.stats, opts, entriesReturned(result.data)),
  };
  if (result.data.result.length === 0) return [{ refId: opts.refId, meta, fields: [] }];
  return result.data.result.map((s, i) => {
    const pts = [...s.values].sort((a, b) => a[0] - b[0]);
    const t = new BigInt64Array(pts.length);
    const v = new Float64Array(pts.length);
    pts.forEach(([ms, val], j) => {
      t[j] = BigInt(Math.round(ms)) * 1_000_000n;
      v[j] = val;
    });
    return {
      refId: opts.refId,
      // notices and the SQL once, on the first frame
      meta: i === 0 ? meta : { type: 'timeseries-multi', typeVersion: TYPE_VERSION },
      fields: [
        { name: 'Time', type: 'time', values: t },
        {
          name: 'Value',
          type: 'float64',
          values: v,
          labels: sortedLabels(s.metric),
          config: { displayNameFromDS: displayName(s.metric, opts) },
        },
      ],
    } satisfies Frame;
  });
}

/** `numeric-multi`: one frame per sample (time + one Float64 value with labels). */
export function numericFrames(result: QueryResult, opts: FrameOptions): Frame[] {
  const meta: FrameMeta = {
    type: 'numeric-multi',
    typeVersion: TYPE_VERSION,
    ...baseMeta(result.stats, opts, entriesReturned(result.data)),
  };
  const samples =
    result.data.resultType === 'vector'
      ? result.data.result.map((s) => ({ labels: s.metric, point: s.value }))
      : result.data.resultType === 'scalar'
        ? [{ labels: {} as Labels, point: result.data.result }]
        : null;
  if (!samples) throw new Error(`expected a vector or scalar, got ${result.data.resultType}`);
  if (samples.length === 0) return [{ refId: opts.refId, meta, fields: [] }];
  return samples.map((s, i) => ({
    refId: opts.refId,
    meta: i === 0 ? meta : { type: 'numeric-multi', typeVersion: TYPE_VERSION },
    fields: [
      { name: 'Time', type: 'time', values: new BigInt64Array([BigInt(Math.round(s.point[0])) * 1_000_000n]) },
      {
        name: 'Value',
        type: 'float64',
        values: new Float64Array([s.point[1]]),
        labels: sortedLabels(s.labels),
        config: { displayNameFromDS: displayName(s.labels, opts) },
      },
    ],
  }));
}

/** Frames for any engine result, by its type. */
export function resultFrames(result: QueryResult, opts: FrameOptions): Frame[] {
  switch (result.data.resultType) {
    case 'streams':
      return [logsFrame(result.data.result, result.stats, opts)];
    case 'matrix':
      return timeSeriesFrames(result, opts);
    case 'vector':
    case 'scalar':
      return numericFrames(result, opts);
  }
}
