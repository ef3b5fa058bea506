// `volume <selector>`: bytes per series or label (index/volume), over time with --step/--range (index/volume_range).
import { Command, Option } from 'commander';
import { defaultStep, parseLimit, parseSecondsOrDuration } from '../../http/params';
import type { CliIO } from '../io';
import { ask } from '../errors';
import { renderQuery } from '../output/query';
import type { LokiQueryResponse } from '../output/types';
import { openTarget } from '../target';
import { addRangeOptions, addTargetOptions, type RemoteOptions } from './options';
import { rangeOf, type RangeArgs } from './range';

interface VolumeArgs extends RangeArgs, RemoteOptions {
  step?: string;
  range?: boolean;
  limit: string;
  targetLabels?: string;
  aggregateBy: string;
}

export function volumeCommand(io: CliIO): Command {
  const cmd = new Command('volume')
    .description('log volume (bytes) of the streams matching a selector, by series or label (logcli volume)')
    .argument('<selector>', 'a stream selector, e.g. {app="api"}')
    .option('--range', 'volume over time (index/volume_range), one point per --step')
    .option('--step <step>', 'with --range: the step; default (to - from)/250')
    .addOption(new Option('--limit <n>', 'most series to return').default('100', '100'))
    .option('--target-labels <names>', 'comma-separated labels to aggregate by')
    .addOption(
      new Option('--aggregate-by <how>', 'aggregate by series or by label')
        .choices(['series', 'labels'])
        .default('series'),
    );
  addRangeOptions(cmd);
  addTargetOptions(cmd, io.env);
  return cmd.action(async (selector: string, o: VolumeArgs) => {
    const { start, end } = rangeOf(o);
    const limit = ask(() => parseLimit(o.limit), '--limit');
    const range = o.range || o.step !== undefined;
    const params: Record<string, string | undefined> = {
      query: selector,
      start: String(start),
      end: String(end),
      limit: String(limit),
      targetLabels: o.targetLabels,
      aggregateBy: o.aggregateBy,
    };
    if (range) {
      const step =
        o.step !== undefined ? ask(() => parseSecondsOrDuration(o.step!), '--step') : defaultStep(start, end);
      params.step = `${Number(step) / 1e9}`;
    }
    const target = await openTarget(o, io);
    try {
      const a = await target.client.get<LokiQueryResponse>(
        range ? 'loki/api/v1/index/volume_range' : 'loki/api/v1/index/volume',
        params,
      );
      io.stdout(renderQuery(a, o.output));
    } finally {
      await target.close();
    }
  });
}
