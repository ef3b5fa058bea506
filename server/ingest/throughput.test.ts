// Bulk ingest stores everything, once: a large push, the same push again (all duplicates), and 100 concurrent small
// pushes into the loaded table. With LOGQLSQL_BENCH=1 it runs at 1 M rows and its printed rows/s are a measurement;
// otherwise at 100 k rows as a correctness test (timing is never asserted).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../sql/open';
import { Ingester } from './ingester';
import { generateDemo } from '../demo/generate';

const START = 1_795_168_800_000_000_000n;
const HOUR = 3_600_000_000_000n;

const ROWS = process.env.LOGQLSQL_BENCH ? 1_000_000 : 100_000;

describe('bulk ingest', () => {
  for (const target of (process.env.LOGQLSQL_BENCH_TARGETS ?? 'memory,file').split(',')) {
    it(`${ROWS} rows into ${target}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'logqlsql-bench-'));
      const d = await openDriver(target === 'memory' ? 'duckdb::memory:' : `duckdb:${join(dir, 'b.duckdb')}`);
      const ing = new Ingester(d);
      const streams = generateDemo({
        start: START,
        end: START + 24n * HOUR,
        linesPerMinute: ROWS / 1440,
        seed: 1,
      });
      const t0 = performance.now();
      const r = await ing.push(streams);
      const ms = performance.now() - t0;
      console.log(
        `${target}: ${ROWS} rows in one push: ${ms.toFixed(0)} ms = ${Math.round(ROWS / (ms / 1000))} rows/s`,
        r,
      );
      // again: all duplicates (anti-join over the full range)
      const t1 = performance.now();
      const r2 = await ing.push(streams);
      console.log(`${target}: re-push (all duplicates): ${(performance.now() - t1).toFixed(0)} ms`, r2);
      // many concurrent small pushes (10 × 1000 rows per push, 100 pushes) into the loaded table
      const small = Array.from({ length: 100 }, (_, i) =>
        generateDemo({
          start: START + 25n * HOUR + BigInt(i) * 60_000_000_000n,
          end: START + 25n * HOUR + BigInt(i + 1) * 60_000_000_000n,
          linesPerMinute: 1000,
          seed: 100 + i,
        }),
      );
      const t2 = performance.now();
      const rs = await Promise.all(small.map((s) => ing.push(s)));
      const ms2 = performance.now() - t2;
      const n2 = rs.reduce((k, x) => k + x.entries, 0);
      console.log(
        `${target}: 100 concurrent pushes of ~1000 rows: ${ms2.toFixed(0)} ms = ${Math.round(n2 / (ms2 / 1000))} rows/s`,
      );
      const total = streams.reduce((n, s) => n + s.entries.length, 0);
      expect(r.entries + r.duplicates).toBe(total);
      expect(r2).toEqual({ entries: 0, duplicates: total });
      expect(n2).toBe(small.reduce((n, ss) => n + ss.reduce((m, s) => m + s.entries.length, 0), 0));
      const [{ n }] = await d.query<{ n: bigint }>('SELECT count(*) AS n FROM entries');
      expect(Number(n)).toBe(r.entries + n2);
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }, 300_000);
  }
});
