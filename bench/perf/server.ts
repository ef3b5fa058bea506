// Our server as a separate process (`./bin/logqlsql serve`), as a user runs it, and its memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

export interface Server {
  url: string;
  pid: number;
  /** peak resident set since start or the last resetPeak(), MB (VmHWM); undefined when /proc cannot tell */
  peakMB(): number | undefined;
  /** start a new peak from the current RSS (writes 5 to /proc/<pid>/clear_refs) */
  resetPeak(): boolean;
  /** the last lines of its log, for a failure report */
  logTail(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(db: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    join(ROOT, 'bin', 'logqlsql'),
    ['serve', '--db', db, '--listen', `127.0.0.1:${port}`],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const keep = (b: Buffer) => (log = (log + b.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const status = (): Record<string, string> => {
    const f = `/proc/${child.pid}/status`;
    if (!existsSync(f)) return {};
    return Object.fromEntries(
      readFileSync(f, 'utf8')
        .split('\n')
        .map((l) => l.split(/:\s+/, 2)),
    );
  };
  const server: Server = {
    url,
    pid: child.pid!,
    peakMB: () => {
      const hwm = status().VmHWM; // "1234567 kB"
      return hwm ? Math.round(parseInt(hwm, 10) / 1024) : undefined;
    },
    resetPeak: () => {
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    logTail: () => log.split('\n').slice(-20).join('\n'),
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(t);
    },
  };
  for (let i = 0; i < 240 && !exited; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return server;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await server.stop();
  throw new Error(`logqlsql serve --db ${db} did not become ready:\n${server.logTail()}`);
}
