// `series <selector>...`: the label sets of matching streams (logcli series), one per line.
import { Command } from 'commander';
import { labelsString } from '../../util/labels';
import type { CliIO } from '../io';
import { alignRows } from '../output/table';
import type { LokiLabels, LokiListResponse } from '../output/types';
import { openTarget } from '../target';
import { addRangeOptions, addTargetOptions, type RemoteOptions } from './options';
import { rangeOf, type RangeArgs } from './range';

/** How many distinct values each label name has across the series (logcli series --analyze-labels). */
export function analyzeLabels(series: LokiLabels[]): string[][] {
  const values = new Map<string, Set<string>>();
  for (const s of series)
    for (const [k, v] of Object.entries(s)) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    }
  return [...values.entries()]
    .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
    .map(([k, set]) => [k, String(set.size), String(series.filter((s) => k in s).length)]);
}

export function seriesCommand(io: CliIO): Command {
  const cmd = new Command('series')
    .description('label sets of the streams matching selectors (logcli series)')
    .argument('<selector...>', 'one or more stream selectors, e.g. {app="api"}')
    .option('--analyze-labels', 'count the distinct values of each label instead');
  addRangeOptions(cmd);
  addTargetOptions(cmd, io.env);
  return cmd.action(async (match: string[], o: RangeArgs & RemoteOptions & { analyzeLabels?: boolean }) => {
    const { start, end } = rangeOf(o);
    const target = await openTarget(o, io);
    try {
      const a = await target.client.get<LokiListResponse<LokiLabels>>('loki/api/v1/series', {
        'match[]': match,
        start: String(start),
        end: String(end),
      });
      const series = a.body.data ?? [];
      if (o.analyzeLabels) {
        const rows = analyzeLabels(series);
        io.stdout(
          `${series.length} series\n` +
            alignRows(rows, { header: ['LABEL', 'VALUES', 'SERIES'], right: [1, 2] }).join('\n') +
            '\n',
        );
      } else if (o.output === 'json') io.stdout(a.text.endsWith('\n') ? a.text : a.text + '\n');
      else if (o.output === 'jsonl') io.stdout(series.map((s) => JSON.stringify(s) + '\n').join(''));
      else
        io.stdout(
          series
            .map((s) => labelsString(s))
            .sort()
            .map((l) => l + '\n')
            .join(''),
        );
    } finally {
      await target.close();
    }
  });
}
