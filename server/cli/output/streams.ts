// Log lines in every output format, merged across streams in the query's direction (as logcli prints them).
import { labelsString } from '../../util/labels';
import { alignRows } from './table';
import { formatNs } from './time';
import type { LokiLabels, LokiStream, OutputFormat } from './types';

interface Entry {
  ts: bigint;
  labels: LokiLabels;
  line: string;
}

export function entriesOf(streams: LokiStream[], direction: 'forward' | 'backward'): Entry[] {
  const rows: Entry[] = [];
  for (const s of streams) for (const v of s.values) rows.push({ ts: BigInt(v[0]), labels: s.stream, line: v[1] });
  const fwd = direction === 'forward';
  rows.sort((a, b) => (a.ts === b.ts ? 0 : a.ts < b.ts === fwd ? -1 : 1));
  return rows;
}

/** One entry (a log line) as logcli's jsonl prints it. */
export function entryJson(e: Entry): string {
  return JSON.stringify({ timestamp: formatNs(e.ts), labels: e.labels, line: e.line });
}

/** Labels every stream carries with the same value (logcli prints them once, as "Common labels", and not per line). */
export function commonLabels(streams: LokiStream[]): LokiLabels {
  const withEntries = streams.filter((s) => s.values.length > 0);
  if (withEntries.length === 0) return {};
  const common: LokiLabels = { ...withEntries[0]!.stream };
  for (const s of withEntries.slice(1))
    for (const k of Object.keys(common)) if (s.stream[k] !== common[k]) delete common[k];
  return common;
}

function without(labels: LokiLabels, drop: LokiLabels): LokiLabels {
  const out: LokiLabels = {};
  for (const [k, v] of Object.entries(labels)) if (drop[k] !== v) out[k] = v;
  return out;
}

export function renderStreams(
  streams: LokiStream[],
  format: Exclude<OutputFormat, 'json'>,
  direction: 'forward' | 'backward',
  /** table: labels left out of every row (the caller prints them once) */
  common: LokiLabels = {},
): string[] {
  const rows = entriesOf(streams, direction);
  switch (format) {
    case 'raw':
      return rows.map((r) => r.line);
    case 'jsonl':
      return rows.map(entryJson);
    case 'table':
      return alignRows(rows.map((r) => [formatNs(r.ts), labelsString(without(r.labels, common)), r.line]));
  }
}
