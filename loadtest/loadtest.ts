// Load and fault test for `logqlsql serve` (not part of `npm test`): N concurrent pushers send a known set of lines
// for a fixed time while readers query; halfway the server process is killed with SIGKILL and restarted (DuckDB) or
// the PostgreSQL server is stopped and started (--db postgres://…). Pushers behave like real shippers: a batch is
// retried (same body) after a connection error, 429 or 5xx until it is acknowledged. Afterwards every
// acknowledged line must be stored exactly once.
//
// Lines are `… p=<pusher> s=<seq> …`; pusher p's acknowledged lines are exactly s ∈ [0, acked_p) because a pusher
// sends its batches in order and retries each until acknowledged. The check reads the database directly.
//
// Prints: lines/s pushed (overall, and before the fault), p50/p99 push latency, query latency under load, the
// outage, and lost / duplicated acknowledged lines (must be 0; exit code 1 otherwise).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { encodePushProtobuf } from '../server/ingest/protobuf';

interface Opts {
  durationS: number;
  pushers: number;
  batch: number;
  readers: number;
  db?: string;
  fault: 'kill' | 'none' | 'pg-restart';
  format: 'json' | 'protobuf';
  port: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Opts {
  const o: Opts = {
    durationS: 30,
    pushers: 8,
    batch: 5000,
    readers: 2,
    fault: 'kill',
    format: 'json',
    port: 31337,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => argv[++i]!;
    if (a === '--duration') o.durationS = Number(v());
    else if (a === '--pushers') o.pushers = Number(v());
    else if (a === '--batch') o.batch = Number(v());
    else if (a === '--readers') o.readers = Number(v());
    else if (a === '--db') o.db = v();
    else if (a === '--fault') o.fault = v() as Opts['fault'];
    else if (a === '--format') o.format = v() as Opts['format'];
    else if (a === '--port') o.port = Number(v());
    else if (a === '--keep') o.keep = true;
    else if (a === '--help') {
      console.log(
        'npm run loadtest -- [--duration 30] [--pushers 8] [--batch 5000] [--readers 2] [--format json|protobuf] [--fault kill|pg-restart|none] [--db duckdb:FILE | postgres]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (o.db?.startsWith('postgres') && o.fault === 'kill') o.fault = 'pg-restart';
  return o;
}

/**
 * `--db postgres`: a private, throw-away Debian PostgreSQL cluster (pg_createcluster on port 5499) so that stopping
 * it mid-run disturbs nobody else. Needs root and the Debian `postgresql` package.
 */
class PrivateCluster {
  readonly name = `logqlsql_load_${process.pid}`;
  readonly port = 5499;
  version = '';
  url = '';
  create(): void {
    const vs = spawnSync('ls', ['/usr/lib/postgresql'], { encoding: 'utf8' })
      .stdout.split(/\s+/)
      .filter(Boolean)
      .sort();
    if (vs.length === 0) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
    this.version = vs.at(-1)!;
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
    };
    run('pg_createcluster', [this.version, this.name, '-p', String(this.port), '--start', '--', '--auth-host=md5']);
    run('su', [
      'postgres',
      '-c',
      `psql -p ${this.port} -q -c "CREATE ROLE loadtest LOGIN PASSWORD 'loadtest'" -c "CREATE DATABASE loadtest OWNER loadtest"`,
    ]);
    this.url = `postgres://loadtest:loadtest@127.0.0.1:${this.port}/loadtest`;
  }
  stop(): void {
    spawnSync('pg_ctlcluster', [this.version, this.name, 'stop', '-m', 'fast'], { stdio: 'inherit' });
  }
  start(): void {
    spawnSync('pg_ctlcluster', [this.version, this.name, 'start'], { stdio: 'inherit' });
  }
  drop(): void {
    spawnSync('pg_dropcluster', [this.version, this.name, '--stop'], { stdio: 'inherit' });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const LEVELS = ['info', 'info', 'info', 'warn', 'error', 'debug'];
const PATHS = ['/api/v1/items', '/api/v1/orders', '/health', '/api/v1/users', '/static/app.js'];

class Server {
  proc: ChildProcess | undefined;
  /** unexpected exits (the supervisor restarts the server, as systemd would) */
  crashes: string[] = [];
  private stopping = false;
  private restarting: Promise<void> | undefined;
  constructor(
    private readonly db: string,
    private readonly port: number,
  ) {}
  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const bin = join(__dirname, '..', 'bin', 'logqlsql');
    this.stopping = false;
    const proc = spawn(
      process.execPath,
      [bin, 'serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`, '--log-level', 'warn'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    this.proc = proc;
    proc.once('exit', (code, signal) => {
      if (this.stopping || this.proc !== proc || this.restarting) return;
      this.crashes.push(`exit ${code ?? signal} at ${new Date().toISOString()}`);
      console.log(`!!! logqlsql serve exited unexpectedly (${code ?? signal}): restarting it`);
      this.restarting ??= (async () => {
        for (let i = 0; ; i++) {
          await sleep(Math.min(5000, 250 * 2 ** i));
          try {
            await this.start();
            return;
          } catch (e) {
            if (this.proc !== undefined && this.proc.exitCode === null) return; // a newer start is running
            console.log(`restart failed (${(e as Error).message}): retrying`);
          }
        }
      })().finally(() => (this.restarting = undefined));
    });
    const t0 = Date.now();
    for (;;) {
      try {
        const r = await fetch(`${this.base}/ready`);
        if (r.ok) return;
      } catch {
        /* not yet */
      }
      if (this.proc.exitCode !== null) throw new Error(`logqlsql serve exited with ${this.proc.exitCode}`);
      if (Date.now() - t0 > 60_000) throw new Error('logqlsql serve did not become ready in 60 s');
      await sleep(50);
    }
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    await this.restarting;
    const p = this.proc;
    this.stopping = true;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }
}

interface PushStats {
  acked: number[];
  latencies: number[];
  refused: Record<string, number>;
  errors: number;
}

function buildBody(
  pusher: number,
  from: number,
  n: number,
  format: Opts['format'],
): { body: Uint8Array | string; ct: string } {
  const ms = Date.now();
  const byLevel = new Map<string, string[]>();
  const entries = new Map<string, { ts: bigint; line: string }[]>();
  for (let s = from; s < from + n; s++) {
    const level = LEVELS[s % LEVELS.length]!;
    const ts = `${ms}${String(s % 1_000_000).padStart(6, '0')}`;
    const line = `level=${level} p=${pusher} s=${s} msg="request handled" path=${PATHS[s % PATHS.length]}/${s % 977} status=${s % 50 ? 200 : 500} dur=${(s % 1000) / 10}ms`;
    if (format === 'json') {
      let arr = byLevel.get(level);
      if (!arr) byLevel.set(level, (arr = []));
      arr.push(`["${ts}",${JSON.stringify(line)}]`);
    } else {
      let arr = entries.get(level);
      if (!arr) entries.set(level, (arr = []));
      arr.push({ ts: BigInt(ts), line });
    }
  }
  if (format === 'json') {
    const streams = [...byLevel].map(
      ([level, vals]) =>
        `{"stream":{"job":"loadtest","pusher":"p${pusher}","level":"${level}"},"values":[${vals.join(',')}]}`,
    );
    return { body: `{"streams":[${streams.join(',')}]}`, ct: 'application/json' };
  }
  const streams = [...entries].map(([level, es]) => ({
    labels: { job: 'loadtest', pusher: `p${pusher}`, level },
    entries: es,
  }));
  return { body: new Uint8Array(encodePushProtobuf(streams)), ct: 'application/x-protobuf' };
}

async function pusher(i: number, srv: Server, o: Opts, stopAt: () => boolean, st: PushStats): Promise<void> {
  let seq = 0;
  while (!stopAt()) {
    const { body, ct } = buildBody(i, seq, o.batch, o.format);
    // retry this batch until acknowledged, like a shipper
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${srv.base}/loki/api/v1/push`, {
          method: 'POST',
          headers: { 'content-type': ct },
          body: typeof body === 'string' ? body : new Uint8Array(body),
        });
        await r.arrayBuffer();
        if (r.status === 204) {
          st.latencies.push(performance.now() - t0);
          break;
        }
        st.refused[r.status] = (st.refused[r.status] ?? 0) + 1;
        const ra = Number(r.headers.get('retry-after') ?? '1');
        await sleep(Math.min(5000, (Number.isFinite(ra) ? ra : 1) * 1000 * (0.5 + Math.random())));
      } catch {
        st.errors++;
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 4)));
      }
    }
    seq += o.batch;
    st.acked[i] = seq;
  }
}

async function reader(
  srv: Server,
  stopAt: () => boolean,
  lat: Record<string, number[]>,
  errors: { n: number },
): Promise<void> {
  const queries: [string, (now: number) => string][] = [
    [
      'metric sum by level (5m)',
      (now) =>
        `/loki/api/v1/query_range?query=${encodeURIComponent('sum by (level) (count_over_time({job="loadtest"}[1m]))')}&start=${now - 300}&end=${now}&step=15`,
    ],
    [
      'logs limit 100, |= filter',
      (now) =>
        `/loki/api/v1/query_range?query=${encodeURIComponent('{job="loadtest", level="error"} |= "status=500"')}&start=${now - 300}&end=${now}&limit=100`,
    ],
    ['labels', (now) => `/loki/api/v1/labels?start=${now - 300}&end=${now}`],
  ];
  let k = 0;
  while (!stopAt()) {
    const [name, url] = queries[k++ % queries.length]!;
    const t0 = performance.now();
    try {
      const r = await fetch(srv.base + url(Math.floor(Date.now() / 1000)));
      await r.arrayBuffer();
      if (r.ok) (lat[name] ??= []).push(performance.now() - t0);
      else errors.n++;
    } catch {
      errors.n++;
      await sleep(200);
    }
    await sleep(100);
  }
}

async function verifyDuckDB(
  file: string,
  acked: number[],
): Promise<{ lost: number; dup: number; extra: number; stored: number }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(file);
  const con = await inst.connect();
  const rows = (
    await con.runAndReadAll(
      `SELECT CAST(regexp_extract(line, ' p=([0-9]+) ', 1) AS INTEGER) AS p, CAST(regexp_extract(line, ' s=([0-9]+) ', 1) AS BIGINT) AS s, count(*) AS n
       FROM entries WHERE line LIKE '%msg="request handled"%' GROUP BY ALL`,
    )
  ).getRowObjects() as { p: number; s: bigint; n: bigint }[];
  con.closeSync();
  return tally(
    rows.map((r) => ({ p: Number(r.p), s: Number(r.s), n: Number(r.n) })),
    acked,
  );
}

async function verifyPostgres(
  url: string,
  acked: number[],
): Promise<{ lost: number; dup: number; extra: number; stored: number }> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query(
    `SELECT substring(line from ' p=([0-9]+) ')::int AS p, substring(line from ' s=([0-9]+) ')::bigint AS s, count(*)::int AS n
     FROM entries WHERE line LIKE '%msg="request handled"%' GROUP BY 1, 2`,
  );
  await c.end();
  return tally(
    r.rows.map((x: { p: number; s: string; n: number }) => ({ p: x.p, s: Number(x.s), n: x.n })),
    acked,
  );
}

function tally(
  rows: { p: number; s: number; n: number }[],
  acked: number[],
): { lost: number; dup: number; extra: number; stored: number } {
  const present = acked.map(() => 0);
  let dup = 0;
  let extra = 0;
  let stored = 0;
  for (const r of rows) {
    stored += r.n;
    if (r.n > 1) dup += r.n - 1;
    if (r.s < (acked[r.p] ?? 0)) present[r.p]!++;
    else extra++;
  }
  const lost = acked.reduce((a, n, p) => a + (n - present[p]!), 0);
  return { lost, dup, extra, stored };
}

export async function main(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const cleanups: (() => void)[] = [];
  try {
    return await run(o, cleanups);
  } finally {
    for (const c of cleanups) c();
  }
}

async function run(o: Opts, cleanups: (() => void)[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'logqlsql-load-'));
  const file = join(dir, 'load.duckdb');
  let cluster: PrivateCluster | undefined;
  if (o.db === 'postgres') {
    const c = (cluster = new PrivateCluster());
    c.create();
    if (!o.keep) cleanups.push(() => c.drop());
    o.db = cluster.url;
  }
  const db = o.db ?? `duckdb:${file}`;
  const srv = new Server(db, o.port);
  console.log(
    `load test: ${o.pushers} pushers × ${o.batch}-line ${o.format} batches for ${o.durationS} s, ${o.readers} readers, fault: ${o.fault}, db: ${db}, ${cpus().length} CPUs`,
  );
  await srv.start();

  const st: PushStats = { acked: new Array(o.pushers).fill(0), latencies: [], refused: {}, errors: 0 };
  const qlat: Record<string, number[]> = {};
  const qerr = { n: 0 };
  const t0 = performance.now();
  const endAt = t0 + o.durationS * 1000;
  const stop = () => performance.now() >= endAt;
  const pushers = Array.from({ length: o.pushers }, (_, i) => pusher(i, srv, o, stop, st));
  const readers = Array.from({ length: o.readers }, () => reader(srv, stop, qlat, qerr));

  let beforeFault = { lines: 0, s: 0 };
  let outageMs = 0;
  if (o.fault !== 'none') {
    await sleep((o.durationS * 1000) / 2);
    beforeFault = { lines: st.acked.reduce((a, b) => a + b, 0), s: (performance.now() - t0) / 1000 };
    const f0 = performance.now();
    if (o.fault === 'kill') {
      console.log(
        `t=${beforeFault.s.toFixed(1)} s: SIGKILL logqlsql serve (${beforeFault.lines} lines acknowledged so far), restarting`,
      );
      await srv.kill('SIGKILL');
      await srv.start();
    } else {
      if (!cluster) throw new Error('--fault pg-restart needs --db postgres (a private cluster this test may stop)');
      console.log(
        `t=${beforeFault.s.toFixed(1)} s: stopping PostgreSQL for 3 s (${beforeFault.lines} lines acknowledged so far)`,
      );
      cluster.stop();
      await sleep(3000);
      cluster.start();
    }
    outageMs = performance.now() - f0;
    console.log(`back after ${(outageMs / 1000).toFixed(1)} s`);
  }
  await Promise.all([...pushers, ...readers]);
  const elapsed = (performance.now() - t0) / 1000;
  const total = st.acked.reduce((a, b) => a + b, 0);
  await srv.kill('SIGTERM');

  const v = db.startsWith('postgres') ? await verifyPostgres(db, st.acked) : await verifyDuckDB(file, st.acked);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log('');
  console.log(`acknowledged lines     ${fmt(total)} in ${elapsed.toFixed(1)} s`);
  console.log(`push throughput        ${fmt(total / elapsed)} lines/s overall (incl. the outage)`);
  if (beforeFault.s > 0)
    console.log(`                       ${fmt(beforeFault.lines / beforeFault.s)} lines/s before the fault`);
  console.log(
    `push latency           p50 ${pct(st.latencies, 50).toFixed(0)} ms, p99 ${pct(st.latencies, 99).toFixed(0)} ms (${st.latencies.length} batches)`,
  );
  console.log(
    `push refusals/errors   ${JSON.stringify(st.refused)} refused, ${st.errors} connection errors (all retried)`,
  );
  for (const [name, xs] of Object.entries(qlat)) {
    console.log(
      `query latency          ${name}: p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms (${xs.length} queries)`,
    );
  }
  console.log(`query errors           ${qerr.n} (during the outage)`);
  if (o.fault !== 'none') console.log(`outage                 ${(outageMs / 1000).toFixed(1)} s`);
  if (srv.crashes.length)
    console.log(`SERVER CRASHED         ${srv.crashes.length}× (${srv.crashes.join('; ')}) — restarted by this test`);
  console.log(`stored                 ${fmt(v.stored)} lines (${fmt(v.extra)} stored but never acknowledged)`);
  console.log(`lost                   ${v.lost}`);
  console.log(`duplicated             ${v.dup}`);
  if (!o.keep) rmSync(dir, { recursive: true, force: true });
  const ok = v.lost === 0 && v.dup === 0;
  console.log(
    ok ? 'PASS: every acknowledged line is stored exactly once' : 'FAIL: lost or duplicated acknowledged lines',
  );
  return ok ? 0 : 1;
}
