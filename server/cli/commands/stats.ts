// `stats` (index/stats: streams, chunks, entries, bytes of a selector) and the --stats summary of a query.
import { Command } from 'commander';
import type { CliIO } from '../io';
import { alignRows } from '../output/table';
import { formatBytes } from '../output/values';
import type { LokiIndexStats, LokiQueryResponse } from '../output/types';
import { openTarget } from '../target';
import { addRangeOptions, addTargetOptions, type RemoteOptions } from './options';
import { rangeOf, type RangeArgs } from './range';

/** A query answer's `stats.summary` as aligned `name  value` lines (logcli --stats prints these to stderr). */
export function statsSummary(body: LokiQueryResponse): string {
  const summary = body.data.stats?.summary ?? {};
  const rows = Object.entries(summary)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [k, /bytes/i.test(k) && !/second/i.test(k) ? formatBytes(v) : String(v)]);
  return rows.length ? alignRows(rows, { right: [1] }).join('\n') + '\n' : '';
}

export function renderIndexStats(s: LokiIndexStats, output: RemoteOptions['output'], text: string): string {
  switch (output) {
    case 'json':
      return text.endsWith('\n') ? text : text + '\n';
    case 'jsonl':
      return JSON.stringify(s) + '\n';
    case 'raw':
      return `streams=${s.streams} chunks=${s.chunks} entries=${s.entries} bytes=${s.bytes}\n`;
    case 'table':
      return (
        alignRows(
          [
            ['streams', String(s.streams)],
            ['chunks', String(s.chunks)],
            ['entries', String(s.entries)],
            ['bytes', `${formatBytes(s.bytes)}`],
          ],
          { right: [1] },
        ).join('\n') + '\n'
      );
  }
}

export function statsCommand(io: CliIO): Command {
  const cmd = new Command('stats')
    .description('index statistics of a selector: streams, chunks, entries, bytes (logcli stats)')
    .argument('<selector>', 'a stream selector, e.g. {app="api"}');
  addRangeOptions(cmd);
  addTargetOptions(cmd, io.env);
  return cmd.action(async (selector: string, o: RangeArgs & RemoteOptions) => {
    const { start, end } = rangeOf(o);
    const target = await openTarget(o, io);
    try {
      const a = await target.client.get<LokiIndexStats>('loki/api/v1/index/stats', {
        query: selector,
        start: String(start),
        end: String(end),
      });
      io.stdout(renderIndexStats(a.body, o.output, a.text));
    } finally {
      await target.close();
    }
  });
}
