import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, DuckDBDriver } from './driver';
import { openDriver } from '../../open';
import type { Driver } from '../../driver';

const HOSTILE = [
  "it's",
  "'); DROP TABLE entries; --",
  'back\\slash \\n \\\\',
  'nul\0inside',
  'double "quotes"',
  '$1 $2 ? :name',
  'ünïcödé 주문 생성 🚀',
  '',
  '\n\t\r',
];

describe('DuckDBDriver', () => {
  let d: Driver;
  beforeAll(async () => {
    d = await openDriver('duckdb::memory:');
    await d.exec('CREATE TABLE entries (x INTEGER); INSERT INTO entries VALUES (1)');
  });
  afterAll(() => d.close());

  it('binds scalar parameters with their types', async () => {
    const rows = await d.query(
      'SELECT $1 AS s, $2 AS b, $3 AS i, $4 AS f, $5 AS t, $6 AS n, typeof($2) AS bt, typeof($3) AS it',
      ['x', 9223372036854775807n, 42, 1.5, true, null],
    );
    expect(rows).toEqual([
      { s: 'x', b: 9223372036854775807n, i: 42, f: 1.5, t: true, n: null, bt: 'BIGINT', it: 'INTEGER' },
    ]);
  });

  it('binds hostile strings exactly, never as SQL', async () => {
    for (const s of HOSTILE) {
      const rows = await d.query<{ v: string; l: bigint }>('SELECT $1 AS v, length($1) AS l', [s]);
      expect(rows[0].v).toBe(s);
      expect(rows[0].l).toBe(BigInt([...s].length));
    }
    const eq = await d.query('SELECT count(*) AS n FROM (SELECT unnest($1) AS v) WHERE v = ANY($1)', [HOSTILE]);
    expect(eq[0].n).toBe(BigInt(HOSTILE.length));
    expect((await d.query('SELECT count(*) AS n FROM entries'))[0].n).toBe(1n);
  });

  it('binds lists', async () => {
    const rows = await d.query('SELECT $1 AS a, $2 AS b, $3 AS c, len($4) AS e, 5::BIGINT = ANY($4) AS z', [
      ['a', "b'c"],
      [1n, -2n],
      [1.5, 2],
      [],
    ]);
    expect(rows).toEqual([{ a: ['a', "b'c"], b: [1n, -2n], c: [1.5, 2], e: 0n, z: false }]);
    const r2 = await d.query('SELECT list_contains($1, 3::BIGINT) AS y', [[1n, 3n]]);
    expect(r2[0].y).toBe(true);
  });

  it('rejects mixed lists', async () => {
    await expect(d.query('SELECT $1', [['a', 1n] as unknown as string[]])).rejects.toThrow(/mixes/);
  });

  it('runs concurrent queries on separate connections', async () => {
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => d.query('SELECT $1::BIGINT * 2 AS v', [BigInt(i)])),
    );
    expect(rs.map((r) => r[0].v)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i * 2)));
  });

  it('honours AbortSignal', async () => {
    const ac = new AbortController();
    const p = d.query('SELECT count(*) FROM range(100000000000) a', [], ac.signal);
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toBeInstanceOf(AbortError);
    const pre = new AbortController();
    pre.abort();
    await expect(d.query('SELECT 1', [], pre.signal)).rejects.toBeInstanceOf(AbortError);
    expect((await d.query('SELECT 7 AS v'))[0].v).toBe(7);
  });

  it('rolls back a failed transaction', async () => {
    const dd = d as DuckDBDriver;
    await expect(
      dd.transaction(async (s) => {
        await s.exec('INSERT INTO entries VALUES (2)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await d.query('SELECT count(*) AS n FROM entries'))[0].n).toBe(1n);
  });
});

describe('DuckDB memory limit', () => {
  it('is set from the option, else from LOGQLSQL_DUCKDB_MEMORY_LIMIT, and a bad value fails the open', async () => {
    const setting = async (d: DuckDBDriver) =>
      (await d.query<{ v: string }>(`SELECT current_setting('memory_limit') AS v`))[0]!.v;
    const a = await DuckDBDriver.open({ path: ':memory:', memoryLimit: '300MB' });
    expect(await setting(a)).toBe('286.1 MiB');
    await a.close();
    const before = process.env.LOGQLSQL_DUCKDB_MEMORY_LIMIT;
    process.env.LOGQLSQL_DUCKDB_MEMORY_LIMIT = '1GB';
    try {
      const b = await DuckDBDriver.open({ path: ':memory:' });
      expect(await setting(b)).toBe('953.6 MiB');
      await b.close();
    } finally {
      if (before === undefined) delete process.env.LOGQLSQL_DUCKDB_MEMORY_LIMIT;
      else process.env.LOGQLSQL_DUCKDB_MEMORY_LIMIT = before;
    }
    await expect(DuckDBDriver.open({ path: ':memory:', memoryLimit: 'lots' })).rejects.toThrow(/memory/i);
  });
});

describe('openDriver', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logqlsql-open-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a file database, creating parent dirs, and keeps data', async () => {
    const path = join(dir, 'a', 'b', 'logs.duckdb');
    const d1 = await openDriver(`duckdb:${path}`);
    await d1.exec("CREATE TABLE t (s VARCHAR); INSERT INTO t VALUES ('kept')");
    await d1.close();
    expect(existsSync(path)).toBe(true);
    const d2 = await openDriver(`duckdb:${path}`);
    expect(await d2.query('SELECT s FROM t')).toEqual([{ s: 'kept' }]);
    await d2.close();
  });

  it('re-attaches a file after many written rows, at a quiet moment, without losing data or statements', async () => {
    const path = join(dir, 'reattach.duckdb');
    const d = await DuckDBDriver.open({ path });
    const threads = async () => (await d.query<{ t: string }>("SELECT current_setting('threads')::VARCHAR AS t"))[0]!.t;
    const threadsBefore = await threads();
    await d.exec('CREATE TABLE t AS SELECT range AS x FROM range(200000)');
    d.noteWritten(200_000);
    // statements keep coming while the write is recent: each one sees every row
    const counts = await Promise.all(
      Array.from({ length: 20 }, () => d.query<{ n: bigint }>('SELECT count(*) AS n FROM t')),
    );
    expect(counts.every((r) => r[0]!.n === 200_000n)).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    await d.query('SELECT 1');
    expect(d.reattached).toBe(1);
    // concurrent statements after the re-attach: every pooled connection uses the attached file again
    const after = await Promise.all(
      Array.from({ length: 8 }, () => d.query<{ n: bigint }>('SELECT count(*) AS n FROM t')),
    );
    expect(after.every((r) => r[0]!.n === 200_000n)).toBe(true);
    // the re-attach hands freed memory back by changing the thread count for a moment: it is set back
    expect(await threads()).toBe(threadsBefore);
    await d.close();
  });

  it('keeps a one-thread setting across the re-attach', async () => {
    const d = await DuckDBDriver.open({ path: join(dir, 'reattach1.duckdb'), threads: 1 });
    await d.exec('CREATE TABLE t AS SELECT range AS x FROM range(150000)');
    d.noteWritten(150_000);
    await d.query('SELECT 1'); // its release schedules the re-attach
    await new Promise((r) => setTimeout(r, 150));
    await d.query('SELECT 1');
    expect(d.reattached).toBe(1);
    expect(await d.query("SELECT current_setting('threads')::VARCHAR AS t, count(*) AS n FROM t")).toEqual([
      { t: '1', n: 150_000n },
    ]);
    await d.close();
  });

  it('names unreachable, unsupported and unknown URLs clearly', async () => {
    await expect(openDriver('postgres://u:secret@127.0.0.1:1/db')).rejects.toThrow(
      /cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127/,
    );
    await expect(openDriver('clickhouse://127.0.0.1:1/db')).rejects.toThrow(
      /cannot connect to ClickHouse at http:\/\/127\.0\.0\.1:1/,
    );
    await expect(openDriver('chdb:')).rejects.toThrow(/chdb: needs a directory path or :memory:/);
    await expect(openDriver('mysql://x')).rejects.toThrow(/accepted forms: duckdb::memory:/);
    await expect(openDriver('logs.duckdb')).rejects.toThrow(/unknown database URL/);
  });
});
