// Loki's query statistics filled for real: the same numbers on DuckDB, PostgreSQL and chDB for the same data and
// query (log queries with and without TypeScript stages, metric queries with and without parsers), equal to counts
// made here from the fixture, in Loki's order (processed ≥ post-filter ≥ returned), from the cache as from SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine';
import type { PushStream, QueryRequest } from '../engine/types';
import { enginesToTest } from '../../tests/engines';
import { entriesReturned, lokiStats, summary } from './summary';
import { ProcessedCounter } from './processed';
import { parse } from '../logql/check';
import { deleteEntries } from '../retention/purge';
import type { LogExpr } from '../logql/ast';

const engines = await enginesToTest();
const SEC = 1_000_000_000n;
const MIN = 60n * SEC;
const HOUR = 60n * MIN;
const T0 = BigInt(Date.UTC(2026, 10, 20)) * 1_000_000n; // a settled past: every hour is cacheable
const utf8 = new TextEncoder();

// three streams over three hours and a bit, one line a minute each; lines of different byte lengths (UTF-8)
function fixture(): PushStream[] {
  const levels = ['info', 'error', 'warn'];
  return ['api', 'web', 'db'].map((app, a) => ({
    labels: { app, env: 'prod' },
    entries: Array.from({ length: 200 }, (_, i) => ({
      ts: T0 + BigInt(i) * MIN + BigInt(a) * SEC,
      line: `level=${levels[(i + a) % 3]} n=${i} msg="${'é'.repeat(i % 7)}${i % 5 === 0 ? ' timeout' : ''}"`,
    })),
  }));
}

/** Entries of `apps` with from ≤ ts < to, and their line bytes: what the query reads. */
function expected(apps: string[], from: bigint, to: bigint): { lines: number; bytes: number } {
  let lines = 0;
  let bytes = 0;
  for (const s of fixture()) {
    if (!apps.includes(s.labels.app)) continue;
    for (const e of s.entries) {
      if (e.ts >= from && e.ts < to) {
        lines++;
        bytes += utf8.encode(e.line).length;
      }
    }
  }
  return { lines, bytes };
}

interface Case {
  name: string;
  req: Partial<QueryRequest> & { query: string };
  /** apps and [from, to) the query reads */
  reads: [string[], bigint, bigint];
  /** post-filter lines when not all of those read (log queries) */
  postFilter?: number;
}

const END = T0 + 3n * HOUR;
const CASES: Case[] = [
  {
    name: 'log query, line filter in SQL',
    req: { query: '{app="api"} |= "timeout"', start: T0, end: END, limit: 1000 },
    reads: [['api'], T0, END],
    postFilter: 36, // i % 5 === 0 for i < 180
  },
  {
    name: 'log query, parser and label filter in TypeScript',
    req: { query: '{env="prod"} | logfmt | level="error"', start: T0, end: END, limit: 1000 },
    reads: [['api', 'web', 'db'], T0, END],
    postFilter: 180,
  },
  {
    name: 'log query stopped by its limit in the last hour',
    req: { query: '{app=~"api|web"} |~ "time(out)?"', start: T0, end: END, limit: 10, direction: 'backward' },
    reads: [['api', 'web'], END - HOUR, END],
    postFilter: 10,
  },
  {
    name: 'metric query, no parser',
    req: { query: 'sum(count_over_time({app="web"} |= "timeout" [5m]))', start: T0 + HOUR, end: END, step: 5n * MIN },
    reads: [['web'], T0 + HOUR - 5n * MIN, END + 1n],
  },
  {
    name: 'metric query with a parser',
    req: {
      query: 'sum by (level) (count_over_time({env="prod"} | logfmt | level!="warn" [10m]))',
      start: T0 + 30n * MIN,
      end: END,
      step: 10n * MIN,
    },
    reads: [['api', 'web', 'db'], T0 + 20n * MIN, END + 1n],
  },
  {
    name: 'instant metric query',
    req: { query: 'sum by (app) (rate({env="prod"}[1h]))', start: END, end: END, instant: true },
    reads: [['api', 'web', 'db'], END - HOUR, END + 1n],
  },
];

function request(c: Case): QueryRequest {
  return { instant: false, limit: 100, direction: 'backward', start: T0, end: END, ...c.req } as QueryRequest;
}

const seen = new Map<string, Record<string, unknown>[]>();

describe.each(engines)('query statistics on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push(fixture());
  });
  afterAll(async () => engine?.close());

  it.skipIf(!!skip).each(CASES)('$name', async (c) => {
    const runs = [];
    for (let i = 0; i < 2; i++) runs.push(await engine.query(request(c))); // the second from the hour cache
    const [apps, from, to] = c.reads;
    const want = expected(apps, from, to);
    for (const r of runs) {
      const s = summary(r.stats, entriesReturned(r.data));
      expect(s.totalLinesProcessed).toBe(want.lines);
      expect(s.totalBytesProcessed).toBe(want.bytes);
      expect(s.totalPostFilterLines).toBe(c.postFilter ?? want.lines);
      expect(s.totalLinesProcessed).toBeGreaterThanOrEqual(s.totalPostFilterLines);
      if (r.data.resultType === 'streams')
        expect(s.totalPostFilterLines).toBeGreaterThanOrEqual(s.totalEntriesReturned);
      expect(s.totalEntriesReturned).toBeGreaterThan(0);
      expect(s.execTime).toBeGreaterThan(0);
      expect(s.bytesProcessedPerSecond).toBe(Math.trunc(want.bytes / s.execTime));
    }
    const stable = runs.map((r) => {
      const j = lokiStats(r.stats, entriesReturned(r.data)) as { summary: Record<string, unknown> };
      const {
        execTime: _e,
        queueTime: _q,
        bytesProcessedPerSecond: _b,
        linesProcessedPerSecond: _l,
        ...rest
      } = j.summary;
      return rest;
    });
    expect(stable[1]).toEqual(stable[0]);
    const k = c.name;
    seen.set(k, [...(seen.get(k) ?? []), stable[0]]);
    // every engine so far agrees
    for (const other of seen.get(k)!) expect(other).toEqual(stable[0]);
  });

  it.skipIf(!!skip)('a push into a cached hour is counted by the next query', async () => {
    const c = CASES[3];
    const before = (await engine.query(request(c))).stats.linesProcessed!;
    await engine.push([{ labels: { app: 'web', env: 'prod' }, entries: [{ ts: T0 + 2n * HOUR + 7n, line: 'late' }] }]);
    expect((await engine.query(request(c))).stats.linesProcessed).toBe(before + 1);
  });

  it.skipIf(!!skip)('rows removed by retention or a delete request are no longer counted', async () => {
    const c = CASES[3];
    const before = (await engine.query(request(c))).stats.linesProcessed!;
    const [id] = (await engine.catalog.select((parse('{app="web"}') as LogExpr).matchers, T0, END)).map((s) => s.id);
    const from = T0 + HOUR + 10n * MIN;
    const gone = expected(['web'], from, from + 5n * MIN).lines;
    // the delete path retention and delete requests take (it also recounts DuckDB's minute counts)
    await engine.maintain((t) =>
      deleteEntries(t, { streams: [{ id: id!, labels: { app: 'web' } }], from, to: from + 5n * MIN, stages: [] }),
    );
    expect(gone).toBe(5);
    expect((await engine.query(request(c))).stats.linesProcessed).toBe(before - gone);
  });

  it.skipIf(!!skip)('the counter: whole hours from the cache, edges and unsettled hours from SQL', async () => {
    let now = Number((T0 + 2n * HOUR + 30n * MIN) / 1_000_000n); // 02:30: hour 02 is not settled
    const counter = new ProcessedCounter(engine.driver, engine.dialect, { now: () => now, settleMs: 0 });
    const ids = await engine.catalog.select((parse('{app="api"}') as LogExpr).matchers, T0, END);
    const from = T0 + 17n * MIN;
    const to = T0 + 2n * HOUR + 42n * MIN;
    const want = expected(['api'], from, to);
    expect(await counter.count(ids, from, to)).toEqual(want);
    now += 3_600_000 * 24;
    expect(await counter.count(ids, from, to)).toEqual(want);
    expect(await counter.count(ids, T0, T0 + 10n * MIN)).toEqual(expected(['api'], T0, T0 + 10n * MIN));
    expect(await counter.count([], T0, END)).toEqual({ lines: 0, bytes: 0 });
    // before and after the stream's span: nothing to count, and no statement asked
    expect(await counter.count(ids, T0 - HOUR - 7n, T0)).toEqual({ lines: 0, bytes: 0 });
    expect(await counter.count(ids, T0 - 30n * MIN, T0 + 30n * SEC)).toEqual(expected(['api'], T0, T0 + 30n * SEC));
    expect(await counter.count(ids, T0 + 5n * HOUR, T0 + 6n * HOUR)).toEqual({ lines: 0, bytes: 0 });
  });
});
