// Per-minute counts (DuckDB, schema/minuteCounts.ts): counting queries over whole minutes read `minute_counts`
// instead of the lines. Their answers must equal the line scan's whatever was written and removed: pushes taking each
// write path (appended in order, staged with duplicates and entries out of order), entries exactly on minute edges,
// multi-byte lines, deletes through the delete API (by range and by a pipeline) and retention, and a database made
// before the table existed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import type { MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { Rng } from '../hardening/fuzz/random';
import type { PushStream } from '../../server/engine/types';
import { MINUTE_NS, minuteEdge, minuteEdgeSql, MinuteCounter } from '../../server/schema/minuteCounts';
import { minuteCountsFor } from '../../server/sql/rangeAggregate';
import { duckdbDialect } from '../../server/sql/dialects/duckdb/dialect';
import { deleteEntries, expireEntries } from '../../server/retention/purge';
import { matrixDatabase, unavailable, type EngineHandle } from '../matrix/engines';

const S = 1_000_000_000n;
/** a whole minute (1,700,000,040 s) */
const B = 1_700_000_040n * S;
const sec = (s: number) => B + BigInt(s) * S;
const HOSTS = ['a', 'b', 'c'];

/** Seeded entries over ~40 minutes, a quarter of them on a minute edge or a nanosecond either side of one. */
function entries(rng: Rng, n: number, fromSec: number): { ts: bigint; line: string }[] {
  const out: { ts: bigint; line: string }[] = [];
  for (let i = 0; i < n; i++) {
    const s = fromSec + rng.int(0, 2400);
    const edge = sec(Math.floor(s / 60) * 60);
    const ts = rng.chance(0.25) ? edge + BigInt(rng.int(-1, 1)) : sec(s) + BigInt(rng.int(0, 999_999_999));
    const line = rng.chance(0.2)
      ? `héllo ✓ ${rng.text(20)}`
      : `level=${rng.chance(0.5) ? 'info' : 'error'} ${rng.text(30)}`;
    // (no NUL: PostgreSQL text cannot hold one)
    out.push({ ts, line: line.replaceAll('\0', ' ') });
  }
  return out;
}

const QUERIES = [
  'count_over_time({app="m"}[1m])',
  'sum by (host) (count_over_time({app="m"}[5m]))',
  'sum(rate({app="m"}[2m]))',
  'sum by (host) (bytes_over_time({app="m"}[3m]))',
  'bytes_rate({app="m"}[1m])',
  'sum by (host) (count_over_time({app="m"}[5m] offset 1m))',
  // not whole minutes: the line scan answers (the same)
  'sum by (host) (count_over_time({app="m"}[90s]))',
  'count_over_time({app="m"}[1m] offset 30s)',
];
/** [start s, end s, step s] relative to B */
const GRIDS: [number, number, number][] = [
  [600, 3000, 60],
  [660, 2940, 300],
  [600, 3000, 120],
  [630, 2970, 60], // start off the minute
  [600, 3000, 30], // step off the minute
  [3000, 1800, 0], // instant, at a whole minute
  [3000, 1830, 0], // instant, off the minute
];

describe('the minute rule', () => {
  const q = (from: bigint, to: bigint, step: bigint, range: bigint) => ({
    streamIds: [1n],
    filters: [],
    from,
    to,
    firstStep: from + range,
    step,
    steps: 10,
    range,
    offset: 0n,
  });
  it('takes windows whose edges are whole minutes, and only those', () => {
    const M = MINUTE_NS;
    expect(minuteCountsFor(duckdbDialect, q(B, B + 10n * M + 1n, M, 5n * M))).toBe('minute_counts');
    expect(minuteCountsFor(duckdbDialect, q(B + S, B + 10n * M + 1n, M, 5n * M))).toBeUndefined();
    expect(minuteCountsFor(duckdbDialect, q(B, B + 10n * M, M, 5n * M))).toBeUndefined();
    expect(minuteCountsFor(duckdbDialect, q(B, B + 10n * M + 1n, 30n * S, 5n * M))).toBeUndefined();
    expect(minuteCountsFor(duckdbDialect, q(B, B + 10n * M + 1n, M, 90n * S))).toBeUndefined();
    expect(minuteCountsFor(duckdbDialect, { ...q(B, B + 10n * M + 1n, M, M), byMetadata: true })).toBeUndefined();
    expect(
      minuteCountsFor(duckdbDialect, { ...q(B, B + 10n * M + 1n, M, M), filters: [{ op: '|=', value: 'x' }] as never }),
    ).toBeUndefined();
    expect(
      minuteCountsFor({ ...duckdbDialect, minuteCounts: undefined }, q(B, B + 10n * M + 1n, M, M)),
    ).toBeUndefined();
  });

  it('puts an entry in the minute whose edge ends it, as windows (t − range, t] do', () => {
    expect(minuteEdge(B)).toBe(B);
    expect(minuteEdge(B + 1n)).toBe(B + MINUTE_NS);
    expect(minuteEdge(B - 1n)).toBe(B);
    expect(minuteEdge(0n)).toBe(0n);
    expect(minuteEdge(-5n) <= 0n).toBe(true);
    const c = new MinuteCounter();
    for (const ts of [B - 1n, B, B + 1n, B + MINUTE_NS, B + MINUTE_NS + 1n]) c.add(7n, ts, 'é');
    expect(c.rows()).toBe(3);
    expect(c.edges).toEqual([B, B + MINUTE_NS, B + 2n * MINUTE_NS]);
    expect(c.counts).toEqual([2, 2, 1]);
    expect(c.bytes).toEqual([4, 4, 2]);
  });
});

/** DuckDB (a file, opened again by the tests) and PostgreSQL (a database of the test cluster) */
const WRITERS = [
  { name: 'duckdb', skip: undefined as string | undefined },
  { name: 'postgres', skip: await unavailable('postgres') },
];

describe.each(WRITERS)('minute counts on $name', ({ name, skip }) => {
  let dir: string;
  let engine: Engine;
  let db: EngineHandle | undefined;
  let url = () => `duckdb:${join(dir, 'm.duckdb')}`;
  /** statements the engine ran that read minute_counts */
  let minuteReads = 0;

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'logqlsql-minutes-'));
    if (name === 'postgres') {
      const pg = (db = await matrixDatabase('postgres'));
      url = () => pg.url;
    }
    engine = await Engine.open(url());
    const rng = new Rng(20261205);
    // in order, then again (duplicates: the staged path), then out of order and overlapping (staged, deduplicated)
    const first: PushStream[] = HOSTS.map((host) => ({
      labels: { app: 'm', host },
      entries: entries(rng, 400, 0).sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0)),
    }));
    await engine.push(first);
    await engine.push(first.slice(0, 1));
    await engine.push(HOSTS.map((host) => ({ labels: { app: 'm', host }, entries: entries(rng, 300, 600) })));
    // several pushes at once: one group
    await Promise.all(
      HOSTS.map((host) =>
        engine.push([
          {
            labels: { app: 'm', host },
            entries: entries(rng, 200, 3000).sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0)),
          },
        ]),
      ),
    );
    const query = engine.driver.query.bind(engine.driver);
    engine.driver.query = (async (sql: string, ...rest: never[]) => {
      if (sql.includes('minute_counts')) minuteReads++;
      return query(sql, ...rest);
    }) as typeof engine.driver.query;
  });
  afterAll(async () => {
    await engine?.close();
    await db?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const answer = async (query: string, grid: [number, number, number], minutes: boolean) => {
    const ctx = execContext(engine, query, true);
    if (!minutes) ctx.dialect = { ...ctx.dialect, minuteCounts: undefined };
    const [s, e, step] = grid;
    // step 0: an instant query at the end
    const instant = step === 0;
    return runMetricQuery(ctx, parse(query) as MetricExpr, stepGrid(sec(s), sec(e), BigInt(step) * S, instant));
  };

  const compareAll = async () => {
    const before = minuteReads;
    for (const query of QUERIES)
      for (const grid of GRIDS) {
        const fast = await answer(query, grid, true);
        const scan = await answer(query, grid, false);
        expectSameSeries(fast as never, scan, 9);
      }
    // the whole-minute cases did read the table
    expect(minuteReads - before).toBeGreaterThanOrEqual(10);
  };

  it.skipIf(!!skip)('answers as the line scan after pushes down every write path', compareAll);

  it.skipIf(!!skip)(
    'gives every timestamp the same minute in SQL as in TypeScript, up to the ends of BIGINT',
    async () => {
      const MAX = 9_223_372_036_854_775_807n;
      const MIN = -MAX - 1n;
      const last = (MAX / MINUTE_NS) * MINUTE_NS;
      const values = [MIN, MIN + 1n, -MINUTE_NS - 1n, -1n, 0n, 1n, B - 1n, B, B + 1n, last - 1n, last, last + 1n, MAX];
      const rows = await engine.driver.query<{ ts: bigint; e: bigint }>(
        `SELECT ts, ${minuteEdgeSql(engine.dialect, 'ts')} AS e FROM (SELECT unnest($1::BIGINT[]) AS ts) AS v`,
        [values],
      );
      for (const r of rows) expect([r.ts, r.e]).toEqual([r.ts, minuteEdge(r.ts)]);
      expect(minuteEdge(MAX)).toBe(MAX);
      expect(minuteEdge(last)).toBe(last);
    },
  );

  it.skipIf(!!skip)('answers as the line scan after deletes by range, by pipeline and by retention', async () => {
    const streams = (await engine.catalog.all()).map((s) => ({ id: s.id, labels: s.labels }));
    // a range off the minutes
    expect(
      await deleteEntries(engine, { streams, from: sec(700) + 17n, to: sec(815) + 3n, stages: [] }),
    ).toBeGreaterThan(0);
    // lines a pipeline selects (deleted row by row)
    const [stage] = (parse('{app="m"} | logfmt | level="error"') as unknown as { pipeline: never[] }).pipeline;
    expect(
      await deleteEntries(engine, {
        streams: streams.slice(0, 1),
        from: sec(1000),
        to: sec(1400) + 1n,
        stages: [stage],
      }),
    ).toBeGreaterThan(0);
    // retention below a cutoff off the minute
    await expireEntries(engine, [{ cutoff: sec(640) + 5n, ids: [streams[1]!.id], oldest: B }], undefined);
    await compareAll();
  });

  it.skipIf(!!skip)('counts the stored entries once when a database made before the table is opened', async () => {
    const want = await answer(QUERIES[1]!, GRIDS[0]!, false);
    await engine.driver.exec('DROP TABLE minute_counts');
    await engine.close();
    engine = await Engine.open(url());
    const rows = await engine.driver.query<{ n: bigint }>('SELECT count(*) AS n FROM minute_counts');
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    expectSameSeries((await answer(QUERIES[1]!, GRIDS[0]!, true)) as never, want, 9);
    // opened again: not counted twice
    await engine.close();
    engine = await Engine.open(url());
    expectSameSeries((await answer(QUERIES[1]!, GRIDS[0]!, true)) as never, want, 9);
  });

  // (DuckDB: one writer, checked at open; PostgreSQL's count(*) is a scan of the whole table, so it is not)
  if (name === 'duckdb')
    it.skipIf(!!skip)(
      'counts again a table that no longer adds up to the entries (written by an older version)',
      async () => {
        const want = await answer(QUERIES[1]!, GRIDS[0]!, false);
        await engine.driver.exec(`DELETE FROM minute_counts WHERE rowid % 3 = 0`);
        await engine.close();
        engine = await Engine.open(url());
        expectSameSeries((await answer(QUERIES[1]!, GRIDS[0]!, true)) as never, want, 9);
      },
    );
});
