// `npm run bench`, the public 8-query suite of ../shared/perf (issue 9), measured side by side in one run:
//   DuckDB      ./bin/logqlsql serve on a fresh DuckDB file, the suite's ~1 M lines pushed by push_bench.py, each
//               query timed through the HTTP API by api_bench.py (median of 5) against hand_sql/run.mjs on
//               hand_sql's DuckDB file; the server's peak RSS while it answers the suite.
//   --scale 10m the same server then holds the data shifted back nine times (30 days, ~10 M lines): every query over
//               30 days at a 1 h step, and the limit-1000 log queries over 30 days against the same over 3 days.
//   PostgreSQL  the same on our server backed by PostgreSQL and on chDB, each against hand-written SQL for that
//   chDB        engine (bench/perf/postgres.sql, clickhouse.sql) on the hand schema, whose answers are checked
//               against the DuckDB hand SQL's.
// BENCH_PERF_ENGINES=duckdb,postgres,chdb picks engines; BENCH_PERF_RUNS (5) sets the runs per query.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { createPostgresDatabase } from '../../tests/matrix/engines';
import { prepareSuiteData, runHandDuckDB, SUITE_HOURS, SUITE_START, whyNotRunnable, type SuiteData } from './data';
import { loadChdbHand, loadPostgresHand } from './handLoad';
import { fetchAnswer, sameAnswer, type Loki } from './answers';
import { chdbRunner, chdbSession, postgresRunner, readStatements, timeStatements, type SqlRunner } from './handSql';
import { DUCKDB_TARGETS, ENGINE_TARGETS, printTable, type Row } from './report';
import { benchScale } from './scale';
import { startServer, type Server } from './server';
import { readyUnderLoad } from './ready';
import { apiBench, pushBench, suiteQueries, type ApiTiming } from './tools';
import { chdbActiveBytes, diskBytes, postgresBytes, storageLine } from './storage';

const RUNS = Number(process.env.BENCH_PERF_RUNS ?? 5);
const HERE = join(__dirname, '..', 'bench', 'perf'); // build/bench.cjs → bench/perf

export interface PerfOptions {
  scale?: '10m';
}

const log = (s: string) => console.log(s);

/** Push the suite's data into a running server and time the suite through its HTTP API, with the server's peak
 *  RSS while it answers (VmHWM, reset after the push). */
async function oursOnSuite(
  d: SuiteData,
  server: Server,
  engine: string,
  afterPush?: () => Promise<void>,
  /** the database's bytes on disk (printed per stored line after the push) */
  storage?: () => Promise<number>,
) {
  try {
    return await suiteOn(d, server, engine, afterPush, storage);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nserver log (last lines):\n${server.logTail()}`);
  }
}

async function suiteOn(
  d: SuiteData,
  server: Server,
  engine: string,
  afterPush?: () => Promise<void>,
  storage?: () => Promise<number>,
) {
  const push = await pushBench(d.perfDir, server.url, d.payload);
  log(`${engine} ingest (push_bench.py, POST /loki/api/v1/push): ${push.line}`);
  await afterPush?.();
  if (storage) log(await storageLine(engine, await storage(), d.handDb));
  const ingestPeak = server.peakMB();
  const reset = server.resetPeak();
  const ours = await apiBench(d.perfDir, server.url, SUITE_START, SUITE_HOURS, RUNS);
  const peak = server.peakMB();
  // the same answers as the DuckDB hand SQL, or the ratio means nothing
  const want = JSON.parse(readFileSync(join(d.work, 'hand_results.json'), 'utf8')) as Record<string, Loki>;
  for (const q of await suiteQueries(d.perfDir)) {
    const o = ours.find((x) => x.id === q[0]);
    if (o && want[q[0]])
      o.mismatch = sameAnswer(await fetchAnswer(server.url, q, SUITE_START, SUITE_HOURS), want[q[0]]);
  }
  log(
    peak === undefined
      ? `${engine} server peak RSS: unknown (no /proc/${server.pid}/status)`
      : `${engine} server peak RSS while answering the suite: ${peak.toLocaleString()} MB` +
          (reset ? ` (peak up to then, ingest included: ${ingestPeak?.toLocaleString()} MB)` : ' (since its start)'),
  );
  return ours;
}

function rows(ours: ApiTiming[], hand: { id: string; ms: number; rows: number; mismatch?: string }[]): Row[] {
  return ours.map((o) => {
    const h = hand.find((x) => x.id === o.id);
    return {
      id: o.id,
      ours: o.ms,
      hand: h?.ms,
      oursRows: o.rows,
      handRows: h?.rows,
      note: [
        o.mismatch && `OUR ANSWER DIFFERS from hand_sql's: ${o.mismatch}`,
        h?.mismatch && `HAND SQL ANSWER DIFFERS from hand_sql's: ${h.mismatch}`,
        !h && 'no hand SQL',
      ]
        .filter(Boolean)
        .join('; '),
    };
  });
}

async function duckdb(d: SuiteData, opts: PerfOptions): Promise<boolean> {
  const hand = await runHandDuckDB(d, RUNS);
  const dir = mkdtempSync(join(tmpdir(), 'logqlsql-bench-duckdb-'));
  const server = await startServer(`duckdb:${join(dir, 'ours.duckdb')}`);
  try {
    const ours = await oursOnSuite(d, server, 'DuckDB');
    const tableOk = printTable(
      `DuckDB, ~1 M lines over 3 days: ours through the HTTP API (api_bench.py, median of ${RUNS}) ÷ hand_sql (run.mjs, median of ${RUNS})`,
      rows(ours, hand),
      DUCKDB_TARGETS,
    );
    log(await readyUnderLoad(server.url, await suiteQueries(d.perfDir)));
    const scaleOk = opts.scale === '10m' ? await benchScale(d, server) : true;
    return tableOk && scaleOk;
  } finally {
    await server.stop();
    // at rest: the server checkpointed its write-ahead log into the file when it stopped
    const file = join(dir, 'ours.duckdb');
    log(await storageLine('DuckDB', diskBytes(file, `${file}.wal`), d.handDb, opts.scale === '10m' ? 10 : 1));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Our server on `db` against hand SQL in `runner` (loaded by `load`), both tables printed as one. */
async function otherEngine(
  d: SuiteData,
  engine: string,
  db: string,
  sqlFile: string,
  hand: () => Promise<SqlRunner>,
  afterPush?: () => Promise<void>,
  storage?: () => Promise<number>,
): Promise<boolean> {
  const server = await startServer(db);
  let ours: ApiTiming[];
  try {
    ours = await oursOnSuite(d, server, engine, afterPush, storage);
  } finally {
    await server.stop();
  }
  const t0 = performance.now();
  const runner = await hand();
  log(`${engine} hand schema loaded from hand_sql's DuckDB file in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const want = JSON.parse(readFileSync(join(d.work, 'hand_results.json'), 'utf8'));
    const timings = await timeStatements(runner, readStatements(sqlFile), RUNS, want);
    return printTable(
      `${engine}: ours through the HTTP API (median of ${RUNS}) ÷ hand-written SQL (bench/perf/${basename(sqlFile)}, median of ${RUNS}, answers checked against hand_sql's)`,
      rows(ours, timings),
      ENGINE_TARGETS,
    );
  } finally {
    await runner.close();
  }
}

async function postgres(d: SuiteData): Promise<boolean> {
  let oursDb, handDb;
  try {
    oursDb = await createPostgresDatabase('logqlsql_bench_ours');
    handDb = await createPostgresDatabase('logqlsql_bench_hand');
  } catch (e) {
    await oursDb?.drop();
    log(`\nPostgreSQL: SKIPPED — ${(e as Error).message}`);
    return true;
  }
  const dir = mkdtempSync(join(tmpdir(), 'logqlsql-bench-pg-'));
  try {
    return await otherEngine(
      d,
      'PostgreSQL',
      oursDb.url,
      join(HERE, 'postgres.sql'),
      async () => {
        await loadPostgresHand(handDb.url, d.handDb, dir);
        return postgresRunner(handDb.url);
      },
      // as autovacuum would soon after a load; the hand tables get the same (handLoad.ts)
      async () => {
        const c = new pg.Client({ connectionString: oursDb.url });
        await c.connect();
        await c.query('VACUUM ANALYZE').finally(() => c.end());
        log('PostgreSQL: VACUUM ANALYZE on our database after the push, as autovacuum would');
      },
      () => postgresBytes(oursDb.url),
    );
  } finally {
    await oursDb.drop();
    await handDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function chdb(d: SuiteData): Promise<boolean> {
  const oursDir = mkdtempSync(join(tmpdir(), 'logqlsql-bench-chdb-ours-'));
  const handDir = mkdtempSync(join(tmpdir(), 'logqlsql-bench-chdb-hand-'));
  try {
    const ok = await otherEngine(d, 'chDB', `chdb:${oursDir}`, join(HERE, 'clickhouse.sql'), async () => {
      const session = await chdbSession(join(handDir, 'db'));
      await loadChdbHand(session, d.handDb, handDir);
      return chdbRunner(session);
    });
    // read once our server has stopped (chDB holds its directory), from the active parts
    log(await storageLine('chDB', await chdbActiveBytes(oursDir), d.handDb));
    return ok;
  } finally {
    rmSync(oursDir, { recursive: true, force: true });
    rmSync(handDir, { recursive: true, force: true });
  }
}

/** Prints every table; a part that fails is reported and sets a failing exit code, missed targets do not. */
export async function benchPerfSuite(opts: PerfOptions = {}): Promise<void> {
  const perfDir = process.env.BENCH_PERF_SUITE ?? join(__dirname, '..', '..', 'shared', 'perf');
  console.log(`\n=== the public perf suite (${perfDir}) ===`);
  const why = whyNotRunnable(perfDir);
  if (why) {
    console.log(`perf suite: SKIPPED — ${why}`);
    return;
  }
  const d = await prepareSuiteData(perfDir, log);
  const queries = await suiteQueries(perfDir);
  log(`${queries.length} queries: ${queries.map((q) => q[0]).join(', ')}; data ${d.payload}`);
  const want = process.env.BENCH_PERF_ENGINES?.split(',') ?? ['duckdb', 'postgres', 'chdb'];
  // the other engines' hand SQL is checked against the DuckDB hand SQL's answers of this run
  if (!want.includes('duckdb')) await runHandDuckDB(d, 0);
  const parts: [string, () => Promise<boolean>][] = [
    ['duckdb', () => duckdb(d, opts)],
    ['postgres', () => postgres(d)],
    ['chdb', () => chdb(d)],
  ];
  const missed: string[] = [];
  const failed: string[] = [];
  for (const [name, part] of parts.filter(([n]) => want.includes(n))) {
    console.log('');
    try {
      if (!(await part())) missed.push(name);
    } catch (e) {
      console.log(`${name}: FAILED — ${(e as Error).stack ?? e}`);
      failed.push(name);
    }
  }
  console.log(
    `\nperf suite: ${failed.length ? `FAILED on ${failed.join(', ')}; ` : ''}` +
      (missed.length ? `targets missed on ${missed.join(', ')} (rows marked OVER)` : 'every target measured is met'),
  );
  if (failed.length) process.exitCode = 1;
}
