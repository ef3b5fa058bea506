// The process boundary of the CLI: tests run commands in-process with their own streams, environment and signal.
import type pino from 'pino';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** environment the option defaults come from (LOGQLSQL_ADDR, LOKI_ADDR, LOGQLSQL_DB, …) */
  env: NodeJS.ProcessEnv;
  /** stops long-running commands (tail, serve) when aborted; the process wires SIGINT/SIGTERM to it */
  signal?: AbortSignal;
  /** the pino destination for `serve` logs; default stderr */
  logDestination?: pino.DestinationStream;
}

export const processIO = (): CliIO => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
});
