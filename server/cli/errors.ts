// Failures the CLI reports as one line on stderr with an exit code (2: the user's input, 1: everything else).

/** A failure the user should see as one line on stderr, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Run a parser of user input; its failure becomes a usage error naming the option. */
export function ask<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (e) {
    throw new CliError(`invalid ${what}: ${(e as Error).message}`, 2);
  }
}

/** DuckDB refuses a second process on a database file ("Could not set lock on file … Conflicting lock is held"). */
export function isDuckDBLockError(e: unknown): boolean {
  const m = (e as Error)?.message ?? '';
  return /Could not set lock on file|Conflicting lock is held/i.test(m);
}

/** The message for a database that would not open; a held DuckDB lock gets what to do instead (`serve`: the file
 *  is some other server's; any other command: ask that server). */
export function openFailure(dbShown: string, e: unknown, forServe = false): CliError {
  if (isDuckDBLockError(e)) {
    const pid = /\(PID (\d+)\)/.exec((e as Error).message)?.[1];
    if (forServe)
      return new CliError(
        `cannot open database ${dbShown}: another process${pid ? ` (PID ${pid})` : ''} holds this DuckDB file, ` +
          'probably another `logqlsql serve`: stop it, or serve another file with --db.',
      );
    return new CliError(
      `cannot open database ${dbShown}: another process${pid ? ` (PID ${pid})` : ''} holds this DuckDB file, ` +
        'probably a running `logqlsql serve`. Query that server instead: drop --db/--local ' +
        '(the CLI then talks to --addr, default http://127.0.0.1:3100), or stop the server first.',
    );
  }
  return new CliError(`cannot open database ${dbShown}: ${(e as Error)?.message ?? String(e)}`);
}
