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

export function renderStreams(
  streams: LokiStream[],
  format: Exclude<OutputFormat, 'json'>,
  direction: 'forward' | 'backward',
): string[] {
  const rows = entriesOf(streams, direction);
  switch (format) {
    case 'raw':
      return rows.map((r) => r.line);
    case 'jsonl':
      return rows.map(entryJson);
    case 'table':
      return alignRows(rows.map((r) => [formatNs(r.ts), labelsString(r.labels), r.line]));
  }
}
