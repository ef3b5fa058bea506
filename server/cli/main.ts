// The `logqlsql` command line. `serve` runs the Loki-compatible server; query / instant / labels / series / stats /
// volume / tail ask a running server like logcli (or a database opened with --db); `translate` shows the SQL a
// query compiles to. Command output goes to stdout, failures to stderr as one line.
//
// Start-up cost: the client commands load only commander, the HTTP client and the output code. The database engines,
// the HTTP server, Grafana's protocol and `serve` (whose options pull the storage code in) are imported when a command
// needs them — esbuild then initialises them lazily — which takes a `labels` from ~2.5 s to well under one on a loaded
// machine.
import { Command, CommanderError } from 'commander';
import { version as VERSION } from '../../package.json';
import { ParamError } from '../http/params';
import { CliError } from './errors';
import { DB_URL_HELP, TARGET_HELP } from './help';
import { processIO, type CliIO } from './io';
import { instantCommand, queryCommand } from './commands/query';
import { labelsCommand } from './commands/labels';
import { seriesCommand } from './commands/series';
import { statsCommand } from './commands/stats';
import { volumeCommand } from './commands/volume';
import { tailCommand } from './commands/tail';
import { translateCommand } from './commands/translate';
import { applyServerAllocatorSettings } from '../util/allocator';

export type { CliIO } from './io';
export { CliError } from './errors';

const SERVE_DESCRIPTION = "serve Loki's HTTP API (/loki/api/v1/*, push, tail, /metrics) over a database";

/** `serve` with its options when the command line runs it (or asks for its help); otherwise only its name in the
 *  command list, so that client commands do not load the storage code its options need. */
async function serveFor(argv: string[], io: CliIO): Promise<Command> {
  if (argv.slice(2, 4).includes('serve')) return (await import('./commands/serve')).serveCommand(io);
  return new Command('serve').description(SERVE_DESCRIPTION);
}

/** The commander program; `io` carries the process boundary so tests can run commands in-process. */
export async function buildProgram(io: CliIO = processIO(), argv: string[] = process.argv): Promise<Command> {
  const program = new Command('logqlsql')
    .description('LogQL over SQL databases: a Loki-compatible server, a logcli-like client and a SQL translator')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText('after', `\n${TARGET_HELP}\n${DB_URL_HELP}`)
    .exitOverride();
  const commands = [
    await serveFor(argv, io),
    queryCommand(io),
    instantCommand(io),
    labelsCommand(io),
    seriesCommand(io),
    statsCommand(io),
    volumeCommand(io),
    tailCommand(io),
    translateCommand(io),
  ];
  for (const c of commands) {
    // subcommands inherit neither output routing nor exitOverride from the program
    c.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)');
    c.exitOverride();
    if (c.name() !== 'translate' && c.name() !== 'serve') c.addHelpText('after', `\n${TARGET_HELP}`);
    if (c.name() === 'serve' || c.options.some((o) => o.long === '--db')) c.addHelpText('after', `\n${DB_URL_HELP}`);
    program.addCommand(c);
  }
  return program;
}

/** Run the CLI; resolves with the process exit code (0 on success). */
export async function main(argv: string[] = process.argv, io: CliIO = processIO()): Promise<number> {
  try {
    const program = await buildProgram(io, argv);
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successes; commander already printed its message
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help'
        ? 0
        : e.exitCode || 2;
    }
    if (e instanceof CliError) {
      io.stderr(`error: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ParamError) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    const err = e as Error & { isUserError?: boolean };
    io.stderr(`error: ${err?.message ?? String(e)}\n`);
    return err?.name === 'LogQLError' && err.isUserError ? 2 : 1;
  }
}

/** Entry point of the bundle and of `bin/logqlsql`. */
export function run(argv: string[] = process.argv): void {
  // a server (plugin mode or `serve`) runs long: glibc's allocator settings for it, by re-executing once
  if (process.env.grafana_plugin_type !== undefined || argv[2] === 'serve') applyServerAllocatorSettings();
  // Grafana started us as its plugin (env grafana_plugin_type, grafana/plugin.ts isPluginMode): handshake on stdout,
  // gRPC, nothing else
  if (process.env.grafana_plugin_type !== undefined) {
    void import('../grafana').then((g) => g.runPluginMode({ engineFactory: g.defaultEngineFactory }));
    return;
  }
  const exit = (code: number) => {
    // let piped stdout drain before exiting (DuckDB threads would otherwise keep the process alive)
    process.stdout.write('', () => process.exit(code));
  };
  // `tail` runs until interrupted; `serve` handles its own signals (graceful shutdown)
  const ac = new AbortController();
  if (argv[2] !== 'serve') {
    const stop = () => (ac.signal.aborted ? process.exit(130) : ac.abort());
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  main(argv, { ...processIO(), signal: ac.signal }).then(
    (code) => exit(code),
    (e) => {
      // main() turns every failure into a message; reaching this is a bug, so keep its stack
      process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
      exit(1);
    },
  );
}

declare const require: { main?: unknown } | undefined;
declare const module: unknown;
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module && !process.env.VITEST)
  run();
