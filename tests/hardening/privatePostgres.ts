// A PostgreSQL server of the test's own (initdb in a temporary directory, its own port) that a test may stop and
// start without disturbing the shared cluster other suites use (tests/matrix/engines.ts). Debian's binaries, run as
// the `postgres` OS account (initdb refuses root), so it needs root and the `postgresql` package — the reason it is
// unavailable is returned for a loud skip outside CI.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  url: string;
  stop(): void;
  start(): void;
  /** stop the server and delete its directory */
  destroy(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  return v === undefined ? undefined : join(root, v, 'bin');
}

export function privatePostgresUnavailable(): string | undefined {
  if (process.env.CI === 'true') return undefined;
  if (!binDir()) return 'PostgreSQL is not installed (Debian package `postgresql`)';
  if (process.getuid?.() !== 0) return 'only root can run a private PostgreSQL server as the postgres account here';
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian package `postgresql`)');
  const dir = mkdtempSync(join(tmpdir(), 'logqlsql-pg-'));
  chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  const port = await freePort();
  const data = join(dir, 'data');
  const asPostgres = (cmd: string) => execFileSync('su', ['postgres', '-c', cmd], { stdio: 'pipe', cwd: '/' });
  asPostgres(`${bin}/initdb -D ${shellQuote(data)} -A trust -U postgres`);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (action: string) =>
    asPostgres(
      `${bin}/pg_ctl -D ${shellQuote(data)} -o ${shellQuote(opts)} -l ${shellQuote(join(dir, 'log'))} -w ${action}`,
    );
  ctl('start');
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      ctl('stop -m fast');
      running = false;
    },
    start: () => {
      ctl('start');
      running = true;
    },
    destroy: () => {
      if (running) ctl('stop -m immediate');
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
