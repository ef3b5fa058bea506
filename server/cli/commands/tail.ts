// `tail <logql>`: follow new log lines over the server's WebSocket (logcli query --tail), until interrupted.
import { Command, Option } from 'commander';
import { parseLimit } from '../../http/params';
import type { CliIO } from '../io';
import { ask, CliError } from '../errors';
import { parseCliTime } from '../args';
import { renderStreams } from '../output/streams';
import type { LokiStream } from '../output/types';
import { openTarget } from '../target';
import { addTargetOptions, type RemoteOptions } from './options';

interface TailArgs extends RemoteOptions {
  from?: string;
  delayFor?: string;
  limit: string;
}

interface TailFrame {
  streams?: LokiStream[];
  dropped_entries?: { labels: Record<string, string>; timestamp: string }[] | null;
}

export function tailCommand(io: CliIO): Command {
  const cmd = new Command('tail')
    .description('follow new log lines of a log query (logcli query --tail) until Ctrl-C')
    .argument('<logql>', 'a LogQL log query')
    .option('--from <time>', 'also print lines since this time first (default: the last hour, up to --limit)')
    .option('--delay-for <seconds>', 'delay lines this long to collect late ones (Loki: delay_for)')
    .addOption(new Option('--limit <n>', 'most lines of history to print first').default('100', '100'));
  addTargetOptions(cmd, io.env);
  return cmd.action(async (query: string, o: TailArgs) => {
    if (o.output === 'json') throw new CliError('tail prints lines as they come: use --output table, raw or jsonl', 2);
    const limit = ask(() => parseLimit(o.limit), '--limit');
    const params: Record<string, string | undefined> = { query, limit: String(limit), delay_for: o.delayFor };
    if (o.from !== undefined) params.start = String(ask(() => parseCliTime(o.from!), '--from'));
    const target = await openTarget(o, io);
    try {
      await target.client.tail(
        params,
        (frame) => {
          const f = frame as TailFrame;
          const lines = renderStreams(f.streams ?? [], o.output as 'table' | 'raw' | 'jsonl', 'forward');
          if (lines.length) io.stdout(lines.join('\n') + '\n');
          const dropped = f.dropped_entries?.length ?? 0;
          if (dropped) io.stderr(`(the server dropped ${dropped} entries: the client was too slow)\n`);
        },
        io.signal,
      );
    } finally {
      await target.close();
    }
  });
}
