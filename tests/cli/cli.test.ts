// The CLI against a real running server, as logcli is used: `logqlsql serve` (the built bundle, its own process,
// holding a DuckDB file) and the CLI's commands run in-process against it — query, instant, labels, series, stats,
// volume, tail, the auth token — plus the lock case (--db on the file the server holds) and translate --explain,
// which needs no database at all.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../server/cli/main';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'logqlsql');
const BUNDLE = join(ROOT, 'build', 'logqlsql.cjs');
const TOKEN = 'cli-test-token';
const S = 1_000_000_000n;
/** the fixture's first entry: 2026-11-20T10:00:00Z; one entry every 10 s for 10 minutes per stream */
const T0 = 1795168800n * S;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function fixture() {
  const streams = [
    { stream: { app: 'api', level: 'info' }, every: 1, line: (i: number) => `GET /orders/${i} 200` },
    { stream: { app: 'api', level: 'error' }, every: 3, line: (i: number) => `GET /orders/${i} 500 timeout` },
    { stream: { app: 'web', level: 'info' }, every: 2, line: (i: number) => `render page ${i}` },
  ];
  return {
    streams: streams.map((s) => ({
      stream: s.stream,
      values: Array.from({ length: 60 }, (_, i) => i)
        .filter((i) => i % s.every === 0)
        .map((i) => [String(T0 + BigInt(i) * 10n * S), s.line(i)]),
    })),
  };
}

interface Served {
  base: string;
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** `logqlsql serve <args> --listen <free port>` from the built CLI, once it answers /ready. */
async function startServe(args: string[]): Promise<Served> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const proc = spawn(BIN, ['serve', ...args, '--listen', `127.0.0.1:${port}`], {
    // without VITEST in its environment (the CLI bundle does not run its main under vitest)
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VITEST: '' },
  });
  proc.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`serve did not start (exit ${proc.exitCode}):\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base: url, child: proc, log: () => log, stop };
}

async function push(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: JSON.stringify(body),
  });
  return res.status;
}

let server: Served | undefined;
let base = '';
let dir = '';
let dbFile = '';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Run the CLI in-process, as `logqlsql <args>` with LOGQLSQL_ADDR pointing at the test server. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}, signal?: AbortSignal, onOut?: (s: string) => void) {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (s) => {
      out += s;
      onOut?.(out);
    },
    stderr: (s) => (err += s),
    env: { LOGQLSQL_ADDR: base, LOGQLSQL_AUTH_TOKEN: TOKEN, ...env },
    signal,
  };
  const code = await main(['node', 'logqlsql', ...args], io);
  return { code, out, err } satisfies Run;
}

const range = ['--from', '2026-11-20T10:00:00Z', '--to', '2026-11-20T10:10:00Z'];

beforeAll(async () => {
  if (!existsSync(BUNDLE)) {
    if (process.env.CI === 'true') throw new Error(`${BUNDLE} is missing: npm run build first`);
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  dbFile = join(dir, 'logs.duckdb');
  server = await startServe(['--db', `duckdb:${dbFile}`, '--auth-token', TOKEN]);
  base = server.base;
  expect(await push(base, fixture())).toBe(204);
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const describeServer = existsSync(BUNDLE) || process.env.CI === 'true' ? describe : describe.skip;

describeServer('the CLI against a running server', () => {
  it('serve re-executed itself in place with the server allocator settings (server/util/allocator.ts)', () => {
    // the pid spawned is the pid answering: execve kept it
    const env = readFileSync(`/proc/${server!.child.pid}/environ`, 'utf8').split('\0');
    expect(env).toContain('MALLOC_MMAP_THRESHOLD_=131072');
    expect(env).toContain('LOGQLSQL_ALLOCATOR_SET=1');
    expect(env.find((v) => v.startsWith('NODE_OPTIONS='))).toMatch(/--max-semi-space-size=16/);
  });

  it('query: log lines as aligned columns, newest first', async () => {
    const r = await cli(['query', '{app="api"} |= "500"', ...range, '--limit', '5', '--include-common-labels']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const l of lines)
      // (ingest adds labels of its own, as Loki 3 does: service_name, detected_level)
      expect(l).toMatch(/^\S+Z {2}\{app="api", [^}]*level="error"[^}]*\} {2}GET \/orders\/\d+ 500 timeout$/);
    expect(lines[0]).toMatch(/^2026-11-20T10:09:30Z/);
    expect(lines[1]).toMatch(/^2026-11-20T10:09:00Z/);
    // the line column starts at the same place on every row
    expect(new Set(lines.map((l) => l.indexOf('GET'))).size).toBe(1);
  });

  it('query: mixed streams line up, forward direction', async () => {
    const r = await cli(['query', '{level="info"}', ...range, '--limit', '4', '--direction', 'forward']);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s{2,}/)[0])).toEqual([
      '2026-11-20T10:00:00Z',
      '2026-11-20T10:00:00Z',
      '2026-11-20T10:00:10Z',
      '2026-11-20T10:00:20Z',
    ]);
    const lineStart = lines.map((l) => l.search(/(GET|render)/));
    expect(new Set(lineStart).size).toBe(1);
    // labels every stream shares are printed once, on stderr, as logcli does
    expect(r.err).toMatch(/^Common labels: \{[^}]*level="info"[^}]*\}\n$/);
    expect(lines.map((l) => l.split(/\s{2,}/)[1])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\{app="api"/), expect.stringMatching(/^\{app="web"/)]),
    );
    for (const l of lines) expect(l).not.toContain('level="info"');
    const one = await cli(['query', '{app="web"}', ...range, '--limit', '1']);
    expect(one.out).toBe('2026-11-20T10:09:40Z  {}  render page 58\n');
  });

  it('query: a metric query is one row per series with a sparkline and last/min/max', async () => {
    const r = await cli(['query', 'sum by (level) (count_over_time({app="api"}[1m]))', ...range, '--step', '1m']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^2 series, 11 steps from 2026-11-20T10:00:00Z to 2026-11-20T10:10:00Z$/);
    expect(lines[1]!.split(/\s+/)).toEqual(['SERIES', 'TREND', 'LAST', 'MIN', 'MAX', 'POINTS']);
    const rows = Object.fromEntries(lines.slice(2).map((l) => [l.split(/\s+/)[0], l.split(/\s+/)]));
    expect(Object.keys(rows).sort()).toEqual(['{level="error"}', '{level="info"}']);
    // info: one line every 10 s: 1 in the first window (09:59, 10:00], 6 in full ones, 5 in the last (10:09, 10:10]
    expect(rows['{level="info"}']!.slice(2)).toEqual(['5', '1', '6', '11']);
    expect(rows['{level="info"}']![1]).toMatch(/^[▁▂▃▄▅▆▇█ ]+$/);
    expect(rows['{level="error"}']!.slice(3, 5)).toEqual(['1', '2']);
  });

  it('query: --output json is the server answer, raw the lines, jsonl one entry per line', async () => {
    const json = await cli(['query', '{app="web"}', ...range, '--limit', '3', '--output', 'json']);
    const body = JSON.parse(json.out);
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('streams');
    expect(body.data.result[0].values).toHaveLength(3);
    const raw = await cli(['query', '{app="web"}', ...range, '--limit', '2', '-o', 'raw']);
    expect(raw.out).toBe('render page 58\nrender page 56\n');
    const jsonl = await cli(['query', '{app="web"}', ...range, '--limit', '2', '-o', 'jsonl']);
    const entries = jsonl.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      timestamp: '2026-11-20T10:09:40Z',
      labels: { app: 'web', level: 'info' },
      line: 'render page 58',
    });
    expect(entries[1]).toMatchObject({ timestamp: '2026-11-20T10:09:20Z', line: 'render page 56' });
  });

  it('query --stats prints the statistics summary to stderr', async () => {
    const r = await cli(['query', 'count_over_time({app="web"}[10m])', ...range, '--stats']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/execTime/);
  });

  it('instant: a vector as SERIES VALUE rows; log queries are refused as Loki does', async () => {
    const r = await cli([
      'instant',
      'sum by (app) (count_over_time({app=~".+"}[10m]))',
      '--time',
      '2026-11-20T10:10:00Z',
    ]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('at 2026-11-20T10:10:00Z');
    expect(lines[1]!.split(/\s+/)).toEqual(['SERIES', 'VALUE']);
    const values = Object.fromEntries(lines.slice(2).map((l) => l.split(/\s+/)));
    // the window (10:00, 10:10] misses the entries at 10:00 itself
    expect(values).toEqual({ '{app="api"}': String(59 + 19), '{app="web"}': '29' });
    const bad = await cli(['instant', '{app="api"}']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(
      /^error: 400 Bad Request from http:\/\/127\.0\.0\.1:\d+: log queries are not supported as an instant query type/,
    );
  });

  it('labels, label values and series', async () => {
    expect((await cli(['labels', ...range])).out.split('\n')).toEqual(expect.arrayContaining(['app', 'level']));
    expect((await cli(['labels', 'level', ...range])).out).toBe('error\ninfo\n');
    expect((await cli(['labels', 'app', '--query', '{level="error"}', ...range])).out).toBe('api\n');
    const series = (await cli(['series', '{app="api"}', ...range])).out.trimEnd().split('\n');
    expect(series).toHaveLength(2);
    expect(series[0]).toMatch(/^\{app="api", [^}]*level="error"[^}]*\}$/);
    expect(series[1]).toMatch(/^\{app="api", [^}]*level="info"[^}]*\}$/);
    const analyzed = await cli(['series', '{app=~".+"}', '--analyze-labels', ...range]);
    const rows = analyzed.out
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows.slice(0, 2)).toEqual([
      ['3', 'series'],
      ['LABEL', 'VALUES', 'SERIES'],
    ]);
    expect(rows).toContainEqual(['app', '2', '3']);
    expect(rows).toContainEqual(['level', '2', '3']);
  });

  it('stats: streams, entries and bytes of a selector', async () => {
    const r = await cli(['stats', '{app="api"}', ...range]);
    const kv = Object.fromEntries(
      r.out
        .trimEnd()
        .split('\n')
        .map((l) => /^(\w+)\s+(.*)$/.exec(l)!.slice(1)),
    );
    expect(kv.streams).toBe('2');
    expect(kv.entries).toBe(String(60 + 20));
    expect(kv.bytes).toMatch(/^\d+(\.\d)? (B|KiB)$/);
    const json = JSON.parse((await cli(['stats', '{app="api"}', ...range, '-o', 'json'])).out);
    expect(json).toMatchObject({ streams: 2, entries: 80 });
  });

  it('volume: bytes per series now and over time', async () => {
    const r = await cli(['volume', '{app=~".+"}', ...range]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[1]!.split(/\s+/)).toEqual(['SERIES', 'VALUE']);
    expect(
      lines
        .slice(2)
        .map((l) => l.split(/\s+/)[0])
        .sort(),
    ).toEqual(['{app="api"}', '{app="web"}']);
    const byLevel = await cli(['volume', '{app=~".+"}', '--target-labels', 'level', ...range, '-o', 'jsonl']);
    expect(
      byLevel.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).metric)
        .sort((a, b) => (a.level < b.level ? -1 : 1)),
    ).toEqual([{ level: 'error' }, { level: 'info' }]);
    const over = await cli(['volume', '{app="web"}', '--range', '--step', '5m', ...range]);
    expect(over.out.split('\n')[0]).toMatch(/^1 series, \d+ steps from /);
  });

  it('tail: prints lines pushed while it runs, until stopped', async () => {
    const ac = new AbortController();
    const now = BigInt(Date.now()) * 1_000_000n;
    let seen!: () => void;
    const arrived = new Promise<void>((r) => (seen = r));
    const tail = cli(['tail', '{app="tail"}', '-o', 'raw'], {}, ac.signal, (out) => {
      if (out.includes('second line')) seen();
    });
    // the tailer starts with the history, then follows pushes
    await new Promise((r) => setTimeout(r, 500));
    for (const [i, line] of ['first line', 'second line'].entries()) {
      expect(
        await push(base, { streams: [{ stream: { app: 'tail' }, values: [[String(now + BigInt(i)), line]] }] }),
      ).toBe(204);
    }
    await arrived;
    ac.abort();
    const r = await tail;
    expect(r.code).toBe(0);
    expect(r.out).toBe('first line\nsecond line\n');
  });

  it('sends the auth token; says what to do without the token or the server', async () => {
    const noToken = await cli(['labels'], { LOGQLSQL_AUTH_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toMatch(/^error: 401 Unauthorized .*--auth-token/);
    const flag = await cli(['labels', '--auth-token', TOKEN, ...range], { LOGQLSQL_AUTH_TOKEN: '' });
    expect(flag.out).toMatch(/^app\n/);
    const logcliEnv = await cli(['labels', ...range], { LOGQLSQL_ADDR: '', LOKI_ADDR: base });
    expect(logcliEnv.out).toMatch(/^app\n/);
    const closed = await freePort();
    const down = await cli(['labels', '--addr', `127.0.0.1:${closed}`]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(
      new RegExp(`^error: cannot reach the server at http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\).*--db URL\n$`),
    );
  });
});

describeServer('the DuckDB lock: the server holds the file', () => {
  it('the CLI queries through --addr while a direct --db open says what to do', async () => {
    const viaServer = await cli(['query', '{app="web"}', ...range, '--limit', '1', '-o', 'raw']);
    expect(viaServer.out).toBe('render page 58\n');
    const direct = await cli(['query', '{app="web"}', '--db', `duckdb:${dbFile}`]);
    expect(direct.code).toBe(1);
    expect(direct.err).toMatch(
      /^error: cannot open database duckdb:.*: another process \(PID \d+\) holds this DuckDB file/,
    );
    expect(direct.err).toMatch(/drop --db\/--local .*--addr.*or stop the server first\.\n$/);
    expect(direct.err.split('\n')).toHaveLength(2);
  });

  it('the built CLI prints the same single line, no stack trace', () => {
    const r = spawnSync(BIN, ['query', '{app="web"}', '--db', `duckdb:${dbFile}`], {
      encoding: 'utf8',
      env: { ...process.env, VITEST: '' },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: cannot open database .*another process .*stop the server first\.\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a second serve on the same file says so', async () => {
    const r = await cli(['serve', '--db', `duckdb:${dbFile}`, '--listen', '127.0.0.1:0']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: cannot open database .*another `logqlsql serve`: stop it, or serve another file/);
  });

  it('--db on another database answers locally through the same code', async () => {
    const r = await cli(['labels', '--db', 'duckdb::memory:']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const s = await cli(['stats', '{app="x"}', '--db', 'duckdb::memory:', '-o', 'jsonl']);
    expect(JSON.parse(s.out)).toEqual({ streams: 0, chunks: 0, entries: 0, bytes: 0 });
  });
});

describeServer('tenants: --org-id is X-Scope-OrgID', () => {
  it('each tenant sees its own streams, on queries and on tail', async () => {
    const tdir = mkdtempSync(join(tmpdir(), 'cli-tenants-'));
    const t = await startServe(['--tenants', '--db', `duckdb:${tdir}/logs.duckdb`]);
    try {
      const one = { streams: [{ stream: { app: 'one' }, values: [[String(T0), 'from tenant one']] }] };
      expect(await push(t.base, one, { 'x-scope-orgid': 'team-one' })).toBe(204);
      const env = { LOGQLSQL_ADDR: t.base, LOGQLSQL_AUTH_TOKEN: '' };
      const asOne = await cli(['query', '{app="one"}', ...range, '-o', 'raw', '--org-id', 'team-one'], env);
      expect(asOne.out).toBe('from tenant one\n');
      const viaEnv = await cli(['labels', 'app', ...range], { ...env, LOKI_ORG_ID: 'team-one' });
      expect(viaEnv.out).toBe('one\n');
      const asTwo = await cli(['labels', 'app', ...range, '--org-id', 'team-two'], env);
      expect(asTwo.out).toBe('');
      const none = await cli(['labels', ...range], env);
      expect(none.code).toBe(2);
      expect(none.err).toMatch(/^error: 401 Unauthorized .*no org id/);
    } finally {
      await t.stop();
      rmSync(tdir, { recursive: true, force: true });
    }
  });
});

describe('translate needs no database', () => {
  const q = '{app="api"} |= "timeout" | line_format "{{.level}}"';
  const explainArgs = ['--from', '2026-11-20T10:00:00Z', '--to', '2026-11-20T11:00:00Z', '--explain'];

  it('--explain: formatted SQL, parameters inlined, times in comments, TypeScript stages with reasons', async () => {
    const r = await cli(['translate', q, ...explainArgs]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`-- LogQL: ${q}`);
    expect(lines[1]).toMatch(/^-- planned without a database/);
    expect(lines[2]).toMatch(/^-- dialect: duckdb; 1 SQL statement \(parameters inlined/);
    expect(r.out).toMatch(/^-- statement 1 of 1\nSELECT\n/m);
    expect(r.out).not.toMatch(/\$\d+::/);
    expect(r.out).toContain("contains(line, 'timeout')");
    expect(r.out).toContain('ts >= 1795168800000000000 /* 2026-11-20T10:00:00Z */');
    expect(r.out).toContain('ts < 1795172400000000000 /* 2026-11-20T11:00:00Z */');
    expect(r.out).toMatch(/\n {2}\S/); // indented by the formatter
    expect(r.out).toMatch(/-- runs in TypeScript after the database.*\n-- {3}1\. line_format runs in TypeScript\n/);
  });

  it('every dialect, placeholders replaced by literals in its syntax', async () => {
    const pg = await cli(['translate', '{app="a"} |~ "x.*y"', '--dialect', 'postgres', ...explainArgs]);
    expect(pg.out).toMatch(/stream_id = ANY \('\{\}'::bigint\[\]\)/);
    expect(pg.out).toMatch(/-- {3}1\. regex line filter: .*not RE2/);
    const ch = await cli(['translate', '{app="a"} |= "it\'s"', '--dialect', 'clickhouse', ...explainArgs]);
    expect(ch.out).not.toMatch(/\{p\d+:/);
    expect(ch.out).toContain("'it\\'s'");
    expect(ch.out).toContain('-- everything runs in the database');
    const bad = await cli(['translate', '{app="a"}', '--dialect', 'mysql']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/Allowed choices are duckdb, postgres, clickhouse/);
  });

  it('plain translate prints the statements and their parameters', async () => {
    const r = await cli(['translate', '{app="a"} |= "x"']);
    expect(r.out).toMatch(/^SELECT .*\$1::BIGINT\[\].*;\n-- params: \[\[\],"\d+","\d+","x",\d+\]\n$/s);
    const bad = await cli(['translate', '{app="a"']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: parse error/);
  });
});

describe('help', () => {
  it('lists every --db URL form, the --dialect choices and --listen plainly', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const form of [
      'duckdb:./data/logs.duckdb',
      'duckdb::memory:',
      'postgres://',
      'clickhouse://',
      'chdb:',
      '#flat:table=',
      '#map:table=',
      '#otel',
    ])
      expect(top.out).toContain(form);
    for (const c of ['serve', 'query', 'instant', 'labels', 'series', 'stats', 'volume', 'tail', 'translate'])
      expect(top.out).toMatch(new RegExp(`\\n  ${c}\\b`));
    const serve = await cli(['serve', '--help']);
    expect(serve.out).toContain('(default: 127.0.0.1:3100)');
    expect(serve.out).not.toContain('{"host"');
    const tr = await cli(['translate', '--help']);
    expect(tr.out).toMatch(/choices: "duckdb", "postgres",\s+"clickhouse"/);
    const v = await cli(['--version']);
    expect(v.out).toMatch(/^\d+\.\d+\.\d+/);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/unknown command/);
  });
});
