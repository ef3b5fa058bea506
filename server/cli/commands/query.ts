// `query` (a range query, logcli's `query`) and `instant` (logcli's `instant-query`).
import { Command, Option } from 'commander';
import { defaultStep, nowNs, parseDirection, parseLimit, parseSecondsOrDuration } from '../../http/params';
import { parseCliTime } from '../args';
import type { CliIO } from '../io';
import { ask, CliError } from '../errors';
import { renderQuery } from '../output/query';
import { commonLabels } from '../output/streams';
import { labelsString } from '../../util/labels';
import type { LokiQueryResponse } from '../output/types';
import { openTarget } from '../target';
import { addTargetOptions, type RemoteOptions } from './options';
import { rangeOf, type RangeArgs } from './range';
import { statsSummary } from './stats';

type QueryOptions = QueryArgs & RemoteOptions & { stats?: boolean; includeCommonLabels?: boolean };

export interface QueryArgs extends RangeArgs {
  time?: string;
  step?: string;
  limit: string;
  direction: string;
}

/** The HTTP parameters a `query` command line asks for (times resolved to ns now). */
export function queryParams(
  query: string,
  o: QueryArgs,
  now = nowNs(),
): { path: string; params: Record<string, string> } {
  const limit = ask(() => parseLimit(o.limit), '--limit');
  const direction = ask(() => parseDirection(o.direction), '--direction');
  if (o.time !== undefined) {
    const t = ask(() => parseCliTime(o.time!, now), '--time');
    return {
      path: 'loki/api/v1/query',
      params: { query, time: String(t), limit: String(limit), direction },
    };
  }
  const { start, end } = rangeOf(o, now);
  const step = o.step !== undefined ? ask(() => parseSecondsOrDuration(o.step!), '--step') : defaultStep(start, end);
  if (step <= 0n) throw new CliError('--step must be positive', 2);
  return {
    path: 'loki/api/v1/query_range',
    params: {
      query,
      start: String(start),
      end: String(end),
      step: `${Number(step) / 1e9}`,
      limit: String(limit),
      direction,
    },
  };
}

async function run(query: string, o: QueryOptions, io: CliIO): Promise<void> {
  const { path, params } = queryParams(query, o);
  const target = await openTarget(o, io);
  try {
    const answer = await target.client.get<LokiQueryResponse>(path, params);
    const d = answer.body.data;
    // like logcli: labels shared by every stream are printed once (stderr) instead of on every row
    const common =
      d.resultType === 'streams' && o.output === 'table' && !o.includeCommonLabels ? commonLabels(d.result) : {};
    if (Object.keys(common).length) io.stderr(`Common labels: ${labelsString(common)}\n`);
    io.stdout(renderQuery(answer, o.output, params.direction === 'forward' ? 'forward' : 'backward', common));
    if (o.stats) io.stderr(statsSummary(answer.body));
  } finally {
    await target.close();
  }
}

export function queryCommand(io: CliIO): Command {
  const cmd = new Command('query')
    .description('run a LogQL range query (logcli query) and print the answer')
    .argument('<logql>', 'the LogQL query')
    .option('--from <time>', 'range start: ns, seconds, RFC3339, now-1h or 1h (ago); default: --to minus --since')
    .option('--to <time>', 'range end (exclusive for log queries); default: now')
    .addOption(new Option('--since <duration>', 'range length when --from is not given').default('1h', '1h'))
    .option('--time <time>', 'run an instant query at this time instead (same as the instant command)')
    .option('--step <step>', 'metric query step: 30s, 1m or seconds; default: (to - from)/250, at least 1s')
    .addOption(new Option('--limit <n>', 'most log lines to return').default('100', '100'))
    .addOption(new Option('--direction <dir>', 'log line order').choices(['forward', 'backward']).default('backward'))
    .option('--stats', 'print the query statistics to stderr')
    .option('--include-common-labels', 'table: print labels every stream shares on each line too');
  addTargetOptions(cmd, io.env);
  return cmd.action(async (q: string, o: QueryOptions) => run(q, o, io));
}

export function instantCommand(io: CliIO): Command {
  const cmd = new Command('instant')
    .alias('instant-query')
    .description('run a LogQL metric query at one time (logcli instant-query) and print the answer')
    .argument('<logql>', 'the LogQL metric query')
    .addOption(new Option('--time <time>', 'evaluation time').default('now'))
    .addOption(new Option('--limit <n>', 'most series to return').default('100', '100'))
    .option('--stats', 'print the query statistics to stderr');
  addTargetOptions(cmd, io.env);
  return cmd.action(async (q: string, o: QueryArgs & RemoteOptions & { stats?: boolean }) =>
    run(q, { ...o, direction: 'backward' }, io),
  );
}
