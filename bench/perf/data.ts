// The public suite's data and DuckDB baseline, prepared once and cached like ../shared/perf/run.sh does it:
//   $BENCH_PERF_DIR (default <tmpdir>/logqlsql-perf)/big.json      gen_logs.py 2024 2026-11-10T00:00:00Z 4320
//                                                   /hand/          a copy of hand_sql with its npm install
//                                                   /hand/logs.duckdb   built by hand_sql/load.mjs
// Each cached file records what made it (a hash of the generator or loader and its arguments) and is rebuilt when
// that changes or when an earlier build stopped half-way.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './tools';

export const SUITE_START = '2026-11-10T00:00:00Z';
export const SUITE_HOURS = 72;
const GEN_ARGS = ['2024', SUITE_START, String(SUITE_HOURS * 60)];

export interface SuiteData {
  perfDir: string;
  work: string;
  payload: string;
  handDir: string;
  handDb: string;
}

/** Why the suite cannot run here, or undefined. */
export function whyNotRunnable(perfDir: string): string | undefined {
  if (!existsSync(join(perfDir, 'api_bench.py')) || !existsSync(join(perfDir, 'hand_sql', 'queries.sql')))
    return `the public suite is not at ${perfDir} (set BENCH_PERF_SUITE to its directory)`;
  if (spawnSync('python3', ['--version']).status !== 0) return 'python3 is not installed (its clients are Python)';
  return undefined;
}

const hash = (...parts: (string | Buffer)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
};
const fresh = (file: string, key: string) =>
  existsSync(file) && existsSync(`${file}.key`) && readFileSync(`${file}.key`, 'utf8') === key;

export async function prepareSuiteData(perfDir: string, log: (s: string) => void): Promise<SuiteData> {
  const work = process.env.BENCH_PERF_DIR ?? join(tmpdir(), 'logqlsql-perf');
  mkdirSync(work, { recursive: true });

  const payload = join(work, 'big.json');
  const genKey = hash(readFileSync(join(perfDir, 'gen_logs.py')), ...GEN_ARGS);
  if (!fresh(payload, genKey)) {
    log(`generating the suite's data: gen_logs.py ${GEN_ARGS.join(' ')} → ${payload} …`);
    rmSync(`${payload}.key`, { force: true });
    await run('python3', [join(perfDir, 'gen_logs.py'), ...GEN_ARGS, `${payload}.tmp`]);
    renameSync(`${payload}.tmp`, payload);
    writeFileSync(`${payload}.key`, genKey);
  }

  // hand_sql is copied fresh every run (an improved queries.sql is used at once); npm install only when missing
  const handDir = join(work, 'hand');
  mkdirSync(handDir, { recursive: true });
  const src = join(perfDir, 'hand_sql');
  for (const f of readdirSync(src, { withFileTypes: true }))
    if (f.isFile()) copyFileSync(join(src, f.name), join(handDir, f.name));
  if (!existsSync(join(handDir, 'node_modules', '@duckdb', 'node-api'))) {
    log(`npm install in ${handDir} (hand_sql's DuckDB client) …`);
    await run('npm', ['install', '-q', '--no-audit', '--no-fund'], handDir);
  }
  const handDb = join(handDir, 'logs.duckdb');
  const loadKey = hash(genKey, readFileSync(join(src, 'load.mjs')));
  if (!fresh(handDb, loadKey)) {
    log(`building the hand SQL's DuckDB file with hand_sql/load.mjs …`);
    rmSync(`${handDb}.key`, { force: true });
    await run(process.execPath, ['load.mjs', payload, handDb], handDir);
    writeFileSync(`${handDb}.key`, loadKey);
  }
  return { perfDir, work, payload, handDir, handDb };
}

export interface HandDuckTiming {
  id: string;
  ms: number;
  rows: number;
}

/** hand_sql/run.mjs: 1 warm-up + `runs` runs of each statement, median (runs = 0: answers only); its answers go to
 *  <work>/hand_results.json. */
export async function runHandDuckDB(d: SuiteData, runs: number): Promise<HandDuckTiming[]> {
  const out = join(d.work, 'hand_results.json');
  await run(
    process.execPath,
    ['run.mjs', 'queries.sql', '--time', String(runs), '--out', out, '--db', d.handDb],
    d.handDir,
  );
  if (runs === 0) return []; // answers only
  const t = JSON.parse(readFileSync(join(d.work, 'hand_results.timings.json'), 'utf8')) as Record<
    string,
    { median_ms: number; rows: number }
  >;
  return Object.entries(t).map(([id, x]) => ({ id, ms: x.median_ms, rows: x.rows }));
}
