// Options shared by the commands that ask a server (or a database opened with --db) and print answers.
import { Option, type Command } from 'commander';
import { intArg } from '../args';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/types';
import { defaultAddr, defaultDb, type TargetOptions } from '../target';

export interface RemoteOptions extends TargetOptions {
  output: OutputFormat;
}

/** --addr, --auth-token, --org-id, --db, --local, --max-limit and --output on `cmd`. */
export function addTargetOptions(cmd: Command, env: NodeJS.ProcessEnv, output: OutputFormat = 'table'): Command {
  const addr = defaultAddr(env);
  return cmd
    .addOption(new Option('--addr <url>', 'server to ask (env LOGQLSQL_ADDR, LOKI_ADDR)').default(addr, addr))
    .addOption(
      new Option('--auth-token <token>', "the server's bearer token (env LOGQLSQL_AUTH_TOKEN)").default(
        env.LOGQLSQL_AUTH_TOKEN || undefined,
        env.LOGQLSQL_AUTH_TOKEN ? '$LOGQLSQL_AUTH_TOKEN' : undefined,
      ),
    )
    .addOption(
      new Option('--org-id <tenant>', 'tenant, sent as X-Scope-OrgID (env LOGQLSQL_ORG_ID, LOKI_ORG_ID)').default(
        env.LOGQLSQL_ORG_ID || env.LOKI_ORG_ID || undefined,
      ),
    )
    .addOption(
      new Option('--db <url>', 'open this database directly instead of asking a server (URL forms: --help)').conflicts(
        'addr',
      ),
    )
    .addOption(new Option('--local', `open the default database directly (${defaultDb(env)}, env LOGQLSQL_DB)`))
    .addOption(
      new Option('--max-limit <n>', 'with --db/--local: largest limit a log query may ask for')
        .argParser(intArg('--max-limit'))
        .default(5000),
    )
    .addOption(
      new Option('-o, --output <format>', 'table: aligned columns; json: the server answer; raw; jsonl')
        .choices(OUTPUT_FORMATS)
        .default(output),
    );
}

/** --from/--to/--since: the time range of labels, series, stats and volume. */
export function addRangeOptions(cmd: Command): Command {
  return cmd
    .option('--from <time>', 'range start: ns, seconds, RFC3339, now-1h or 1h (ago); default: --to minus --since')
    .option('--to <time>', 'range end; default: now')
    .addOption(new Option('--since <duration>', 'range length when --from is not given').default('1h', '1h'));
}
