// The DuckDB write path (duckdb.ts): the in-memory "newest stored ts" marks that let ascending pushes skip the
// duplicate probe, the gathering group commit (ingester.ts), and DuckDB's write-once path for large transactions.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEntry, PushStream } from '../engine/types';
import type { Driver } from '../sql/driver';
import { openDriver } from '../sql/open';
import { Ingester } from './ingester';

const dir = mkdtempSync(join(tmpdir(), 'logqlsql-duckingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const H = 3_600_000_000_000n;
const T0 = 1_795_168_800_000_000_000n;

function entries(from: number, n: number, step = 1_000_000n, tag = ''): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + BigInt(from + i) * step,
    line: `line ${from + i}${tag} ${'x'.repeat(150)}`,
  }));
}

async function count(d: Driver): Promise<number> {
  const [r] = await d.query<{ n: bigint }>('SELECT count(*) AS n FROM entries');
  return Number(r.n);
}

/**
 * Rows are stored in (hour chunk, stream_id, ts) order within each transaction: in table order, the order can only
 * break where one transaction's rows end and the next one's begin.
 */
async function expectLayoutOrder(d: Driver, transactions: number): Promise<void> {
  const rows = await d.query<{ c: bigint; s: bigint; ts: bigint }>(
    `SELECT ts // ${H} AS c, stream_id AS s, ts FROM entries ORDER BY rowid`,
  );
  let breaks = 0;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1];
    const b = rows[i];
    if (!(a.c < b.c || (a.c === b.c && (a.s < b.s || (a.s === b.s && a.ts < b.ts))))) breaks++;
  }
  expect(breaks).toBeLessThan(transactions);
}

describe('DuckDB ingest', () => {
  it('remembers what is stored across a restart: a re-push after reopening stores only the new entries', async () => {
    const url = `duckdb:${join(dir, 'restart.duckdb')}`;
    const s = { labels: { app: 'r' }, entries: entries(0, 1000) };
    const d1 = await openDriver(url);
    expect(await new Ingester(d1).push([s])).toEqual({ entries: 1000, duplicates: 0 });
    await d1.close();
    const d2 = await openDriver(url);
    const ing = new Ingester(d2);
    // the tail of the first push again plus new entries: ascending, but not after the newest stored entry
    expect(await ing.push([{ labels: { app: 'r' }, entries: entries(900, 200) }])).toEqual({
      entries: 100,
      duplicates: 100,
    });
    // strictly after the newest stored entry: the fast path
    expect(await ing.push([{ labels: { app: 'r' }, entries: entries(1100, 50) }])).toEqual({
      entries: 50,
      duplicates: 0,
    });
    // an entry at the newest stored timestamp with another line is not a duplicate
    expect(
      await ing.push([{ labels: { app: 'r' }, entries: [{ ts: T0 + 1149n * 1_000_000n, line: 'same ts, new line' }] }]),
    ).toEqual({ entries: 1, duplicates: 0 });
    expect(await count(d2)).toBe(1151);
    const [st] = await d2.query<{ first_ts: bigint; last_ts: bigint }>('SELECT first_ts, last_ts FROM streams');
    expect(st).toEqual({ first_ts: T0, last_ts: T0 + 1149n * 1_000_000n });
    await d2.close();
  });

  it('two ingesters on one database store a push they both receive once', async () => {
    const d = await openDriver('duckdb::memory:');
    const a = new Ingester(d);
    const b = new Ingester(d);
    const s: PushStream = { labels: { app: 'two' }, entries: entries(0, 500) };
    const [ra, rb] = await Promise.all([a.push([s]), b.push([s])]);
    expect(ra.entries + rb.entries).toBe(500);
    expect(ra.duplicates + rb.duplicates).toBe(500);
    // and again later, one after the other
    expect(await b.push([{ labels: { app: 'two' }, entries: entries(400, 200) }])).toEqual({
      entries: 100,
      duplicates: 100,
    });
    expect(await a.push([{ labels: { app: 'two' }, entries: entries(550, 100) }])).toEqual({
      entries: 50,
      duplicates: 50,
    });
    expect(await count(d)).toBe(650);
    await d.close();
  });

  it('one group holding pushes of one stream out of time order, not overlapping: all stored, in layout order', async () => {
    const d = await openDriver('duckdb::memory:');
    const ing = new Ingester(d);
    const step = H / 1000n; // 1000 entries an hour: the pushes cross chunk boundaries
    const rs = await Promise.all([
      ing.push([{ labels: { app: 'o' }, entries: entries(3000, 1500, step) }]),
      ing.push([
        { labels: { app: 'o' }, entries: entries(0, 1500, step) },
        { labels: { app: 'p' }, entries: entries(0, 2000, step) },
      ]),
      ing.push([{ labels: { app: 'o' }, entries: entries(1500, 1500, step) }]),
    ]);
    expect(rs.map((r) => r.entries)).toEqual([1500, 3500, 1500]);
    expect(await count(d)).toBe(6500);
    expect(ing.groupsWritten).toBe(1); // pushed in one tick: one transaction
    await expectLayoutOrder(d, 1);
    const [st] = await d.query<{ first_ts: bigint; last_ts: bigint }>(
      `SELECT first_ts, last_ts FROM streams WHERE labels = '{"app":"o"}'`,
    );
    expect(st).toEqual({ first_ts: T0, last_ts: T0 + 4499n * step });
    await d.close();
  });

  it('one group holding overlapping pushes of one stream stores each entry once', async () => {
    const d = await openDriver('duckdb::memory:');
    const ing = new Ingester(d);
    const rs = await Promise.all([
      ing.push([{ labels: { app: 'v' }, entries: entries(0, 1000) }]),
      ing.push([{ labels: { app: 'v' }, entries: entries(500, 1000) }]),
      ing.push([{ labels: { app: 'v' }, entries: entries(500, 1000, 1_000_000n, ' other') }]),
    ]);
    expect(rs.reduce((n, r) => n + r.entries, 0)).toBe(2500);
    expect(rs.reduce((n, r) => n + r.duplicates, 0)).toBe(500);
    expect(await count(d)).toBe(2500);
    await d.close();
  });

  // (Loki's ingester compares structured metadata too: unorderedHeadBlock.Append, stream.validateEntries)
  it('repeats of an entry inside a push in time order are stored once, other lines or metadata at the same ts all kept', async () => {
    const d = await openDriver('duckdb::memory:');
    const ing = new Ingester(d);
    const t = (k: number) => T0 + BigInt(k);
    const r = await ing.push([
      {
        labels: { app: 'rep' },
        entries: [
          { ts: t(1), line: 'a' },
          { ts: t(2), line: 'b', metadata: { first: 'yes' } },
          { ts: t(2), line: 'c' },
          { ts: t(2), line: 'b', metadata: { first: 'no' } },
          { ts: t(3), line: 'd' },
          { ts: t(3), line: 'd' },
          { ts: t(4), line: 'e' },
        ],
      },
    ]);
    expect(r).toEqual({ entries: 6, duplicates: 1 });
    const rows = await d.query<{ ts: bigint; line: string; metadata: string | null }>(
      'SELECT ts, line, metadata FROM entries ORDER BY ts, line, metadata',
    );
    expect(rows).toEqual([
      { ts: t(1), line: 'a', metadata: null },
      { ts: t(2), line: 'b', metadata: '{"first":"no"}' },
      { ts: t(2), line: 'b', metadata: '{"first":"yes"}' },
      { ts: t(2), line: 'c', metadata: null },
      { ts: t(3), line: 'd', metadata: null },
      { ts: t(4), line: 'e', metadata: null },
    ]);
    // the next push continues after the newest stored entry: stored whole
    expect(await ing.push([{ labels: { app: 'rep' }, entries: [{ ts: t(5), line: 'f' }] }])).toEqual({
      entries: 1,
      duplicates: 0,
    });
    await d.close();
  });

  it('a lone pusher never waits for a group to fill', async () => {
    const d = await openDriver('duckdb::memory:');
    // a wait would take 60 s per push and time the test out
    const ing = new Ingester(d, { maxGroupWaitMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      expect((await ing.push([{ labels: { app: 'lone' }, entries: entries(i * 10, 10) }])).entries).toBe(10);
    }
    expect(ing.groupsWritten).toBe(5);
    await d.close();
  }, 20_000);

  it('concurrent pushers are gathered into transactions of a row group, written once (not through the WAL)', async () => {
    const file = join(dir, 'gather.duckdb');
    const d = await openDriver(`duckdb:${file}`);
    await d.exec(`SET checkpoint_threshold = '1GB'`); // keep whatever goes through the WAL there
    const ing = new Ingester(d, { maxGroupWaitMs: 2_000 });
    const pushers = 4;
    const rounds = 6;
    const batch = 5_000;
    // each pusher sends its next batch only after the previous one was answered, as shippers do, and its request
    // takes a while to arrive and decode (staggered: 1, 6, 11, 16 ms)
    await Promise.all(
      Array.from({ length: pushers }, async (_, p) => {
        for (let r = 0; r < rounds; r++) {
          await new Promise((resolve) => setTimeout(resolve, 1 + 5 * p));
          const res = await ing.push([{ labels: { app: 'g', pusher: String(p) }, entries: entries(r * batch, batch) }]);
          expect(res).toEqual({ entries: batch, duplicates: 0 });
        }
      }),
    );
    expect(await count(d)).toBe(pushers * rounds * batch);
    // without gathering, the pushes settle into groups of one or two
    expect(ing.groupsWritten).toBeLessThanOrEqual(rounds + 2);
    await expectLayoutOrder(d, ing.groupsWritten);
    // 24 × 5,000 lines of ~165 bytes: ~20 MB written; only the first groups, before every pusher is seen (one push,
    // then three: ~3.3 MB), go through the WAL
    let wal = 0;
    try {
      wal = statSync(`${file}.wal`).size;
    } catch {
      /* no WAL at all */
    }
    expect(wal).toBeLessThan(8_000_000);
    const [v] = await d.query<{ v: string }>(`SELECT current_setting('max_vacuum_tasks')::VARCHAR AS v`);
    expect(v.v).toBe('0');
    await d.close();
  }, 60_000);
});
