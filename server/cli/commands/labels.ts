// `labels [name]`: label names, or one label's values (logcli labels).
import { Command } from 'commander';
import type { CliIO } from '../io';
import type { LokiListResponse } from '../output/types';
import { openTarget } from '../target';
import { addRangeOptions, addTargetOptions, type RemoteOptions } from './options';
import { rangeOf, type RangeArgs } from './range';

export function labelsCommand(io: CliIO): Command {
  const cmd = new Command('labels')
    .description('label names, or the values of one label (logcli labels)')
    .argument('[name]', 'print the values of this label instead of the names')
    .option('--query <selector>', 'only streams matching this selector');
  addRangeOptions(cmd);
  addTargetOptions(cmd, io.env);
  return cmd.action(async (name: string | undefined, o: RangeArgs & RemoteOptions & { query?: string }) => {
    const { start, end } = rangeOf(o);
    const target = await openTarget(o, io);
    try {
      const path = name === undefined ? 'loki/api/v1/labels' : `loki/api/v1/label/${encodeURIComponent(name)}/values`;
      const a = await target.client.get<LokiListResponse<string>>(path, {
        start: String(start),
        end: String(end),
        query: o.query,
      });
      if (o.output === 'json') io.stdout(a.text.endsWith('\n') ? a.text : a.text + '\n');
      else {
        const values = a.body.data ?? [];
        io.stdout(values.map((v) => (o.output === 'jsonl' ? JSON.stringify(v) : v) + '\n').join(''));
      }
    } finally {
      await target.close();
    }
  });
}
