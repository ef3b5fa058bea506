// Lines and bytes a query processes, Loki's `totalLinesProcessed` / `totalBytesProcessed`: every entry of the
// selected streams inside the time range the query reads, whatever its filters keep. The same count on every engine
// by construction (one aggregate over selector + range), and cheap: the database pushes filters, limits and
// aggregations down, so these numbers cannot come from the rows it returns — they come from a companion aggregate,
// and that aggregate is kept per (stream, hour) for hours that no longer receive data. A dashboard refreshing the
// same range then pays only for the partial hours at its edges.
import type { Driver } from '../sql/driver';
import type { Dialect } from '../sql/dialect';
import { SqlWriter } from '../sql/dialect';
import { ENTRIES_TABLE } from '../schema/tables';
import { inSpan, inSqlSpan } from '../telemetry/tracing';

const HOUR = 3_600_000_000_000n;

export interface Processed {
  lines: number;
  bytes: number;
}

export interface ProcessedCounterOptions {
  /** a cached hour is dropped after this long, so that rows written by another process or removed by retention
   *  are seen again (default 10 min) */
  ttlMs?: number;
  /** hours ending later than now − settleMs are never cached: late pushes still land there (default 5 min) */
  settleMs?: number;
  /** cached (stream, hour) pairs kept at most; the cache starts over beyond (default 500 000, ~50 MB) */
  maxEntries?: number;
  /** the clock, in ms (tests) */
  now?: () => number;
}

/** A (stream, hour) pair's counts are [lines, bytes]. */
type Counts = [number, number];

/** A selected stream and the time span its entries cover (the stream catalog's): hours and edges outside it are
 *  known to hold nothing, and no SQL asks about them. */
export interface StreamSpan {
  id: bigint;
  firstTs: bigint;
  lastTs: bigint;
}

export class ProcessedCounter {
  private hours = new Map<bigint, Map<number, Counts>>();
  private entries = 0;
  /** the newest hour cached: pushes into the current hours (the usual case) invalidate nothing, in O(1) */
  private newest = -Infinity;
  private bornAt: number;
  private readonly ttlMs: number;
  private readonly settleMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly driver: Driver,
    private readonly dialect: Dialect,
    opts: ProcessedCounterOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 600_000;
    this.settleMs = opts.settleMs ?? 300_000;
    this.maxEntries = opts.maxEntries ?? 500_000;
    this.now = opts.now ?? Date.now;
    this.bornAt = this.now();
  }

  /** Forget hours from the one holding `ts` on (a push wrote there). */
  invalidateFrom(ts: bigint): void {
    const h = Number(floorDiv(ts, HOUR));
    if (h > this.newest) return;
    this.newest = h - 1;
    for (const m of this.hours.values()) {
      for (const k of m.keys()) {
        if (k >= h) {
          m.delete(k);
          this.entries--;
        }
      }
    }
  }

  clear(): void {
    this.hours.clear();
    this.entries = 0;
    this.newest = -Infinity;
    this.bornAt = this.now();
  }

  /** Entries and line bytes of `selected` streams with from ≤ ts < to. */
  async count(selected: StreamSpan[], from: bigint, to: bigint, signal?: AbortSignal): Promise<Processed> {
    const streams = selected.filter((s) => s.firstTs < to && s.lastTs >= from);
    if (streams.length === 0 || to <= from) return { lines: 0, bytes: 0 };
    const streamIds = streams.map((s) => s.id);
    return inSpan('stats.processed', { 'logqlsql.streams': streamIds.length }, async () => {
      if (this.now() - this.bornAt > this.ttlMs) this.clear();
      const settled = floorDiv(BigInt(this.now() - this.settleMs) * 1_000_000n, HOUR) * HOUR;
      const h0 = -floorDiv(-from, HOUR) * HOUR; // first whole hour
      let h1 = floorDiv(to, HOUR) * HOUR; // end of the last whole hour
      if (h1 > settled) h1 = settled;
      const pairs = (Number(h1 - h0) / Number(HOUR)) * streamIds.length;
      if (h1 <= h0 || pairs > this.maxEntries) return this.direct(streams, [[from, to]], signal);
      const edges: [bigint, bigint][] = [];
      if (from < h0) edges.push([from, h0]);
      if (h1 < to) edges.push([h1, to]);
      const out = edges.length ? await this.direct(streams, edges, signal) : { lines: 0, bytes: 0 };
      const first = Number(h0 / HOUR);
      const last = Number(h1 / HOUR); // exclusive
      await this.fill(streamIds, first, last, signal);
      for (const id of streamIds) {
        const m = this.hours.get(id);
        for (let h = first; h < last; h++) {
          const c = m?.get(h);
          // a push or a maintenance pass dropped hours while this query waited: count the range directly
          if (!c) return this.direct(streams, [[from, to]], signal);
          out.lines += c[0];
          out.bytes += c[1];
        }
      }
      return out;
    });
  }

  /** Load the hours [first, last) missing from the cache, for the streams missing any, in one grouped statement. */
  private async fill(streamIds: bigint[], first: number, last: number, signal?: AbortSignal): Promise<void> {
    let missing: bigint[] = [];
    let lo = last;
    let hi = first - 1;
    for (const id of streamIds) {
      const m = this.hours.get(id);
      let gap = false;
      for (let h = first; h < last; h++) {
        if (m?.has(h)) continue;
        gap = true;
        if (h < lo) lo = h;
        if (h > hi) hi = h;
      }
      if (gap) missing.push(id);
    }
    if (missing.length === 0) return;
    if (this.entries + missing.length * (hi - lo + 1) > this.maxEntries) {
      this.clear();
      missing = streamIds;
      lo = first;
      hi = last - 1;
    }
    const w = new SqlWriter(this.dialect);
    const text =
      this.dialect.minuteCounts && lo > 0
        ? hoursFromMinutes(w, this.dialect.minuteCounts, missing, lo, hi)
        : hoursFromEntries(w, missing, lo, hi);
    const rows = await inSqlSpan(this.driver.engine, text, () =>
      this.driver.query<{ stream_id: unknown; h: unknown; n: unknown; b: unknown }>(text, w.params, signal),
    );
    // every asked pair is stored, zero when the database has no row for it
    for (const id of missing) {
      let m = this.hours.get(id);
      if (!m) this.hours.set(id, (m = new Map()));
      for (let h = lo; h <= hi; h++) {
        if (!m.has(h)) {
          m.set(h, [0, 0]);
          this.entries++;
          if (h > this.newest) this.newest = h;
        }
      }
    }
    for (const r of rows) {
      const c = this.hours.get(BigInt(r.stream_id as bigint))?.get(Number(r.h));
      if (c) {
        c[0] = Number(r.n);
        c[1] = Number(r.b ?? 0);
      }
    }
  }

  /** Count [a, b) ranges in SQL, each over the streams with entries in it; none: no statement. */
  private async direct(streams: StreamSpan[], ranges: [bigint, bigint][], signal?: AbortSignal): Promise<Processed> {
    const w = new SqlWriter(this.dialect);
    const d = this.dialect;
    const conds: string[] = [];
    for (const [a, b] of ranges) {
      const ids = streams.filter((s) => s.firstTs < b && s.lastTs >= a).map((s) => s.id);
      if (ids.length === 0) continue;
      conds.push(
        `(${d.inArray('stream_id', w.bind(ids, 'int64[]'))} AND ts >= ${w.bind(a, 'int64')} AND ts < ${w.bind(b, 'int64')})`,
      );
    }
    if (conds.length === 0) return { lines: 0, bytes: 0 };
    const text =
      `SELECT count(*) AS n, sum(${d.byteLength('line')}) AS b FROM ${d.entries ?? ENTRIES_TABLE}` +
      ` WHERE ${conds.join(' OR ')}`;
    const rows = await inSqlSpan(this.driver.engine, text, () =>
      this.driver.query<{ n: unknown; b: unknown }>(text, w.params, signal),
    );
    return { lines: Number(rows[0]?.n ?? 0), bytes: Number(rows[0]?.b ?? 0) };
  }
}

/** Per stream and hour h in [lo, hi] (ts // 1 h), the entries and their line bytes, read from the lines. */
function hoursFromEntries(w: SqlWriter, ids: bigint[], lo: number, hi: number): string {
  const d = w.dialect;
  return (
    `SELECT stream_id, ${d.exactDiv('ts', w.bind(HOUR, 'int64'))} AS h, count(*) AS n, sum(${d.byteLength('line')}) AS b` +
    ` FROM ${d.entries ?? ENTRIES_TABLE} WHERE ${d.inArray('stream_id', w.bind(ids, 'int64[]'))}` +
    ` AND ts >= ${w.bind(BigInt(lo) * HOUR, 'int64')} AND ts < ${w.bind(BigInt(hi + 1) * HOUR, 'int64')}` +
    ` GROUP BY stream_id, h`
  );
}

/**
 * The same from the per-minute counts (DuckDB, schema/minuteCounts.ts), without reading lines: a minute ending at
 * edge e holds the entries of (e − 1 min, e], all in hour (e − 1) // 1 h except one exactly at e when e starts an
 * hour — so the entries exactly on an hour's first nanosecond (found from the ts column alone) move back to their
 * hour. Hours > 0 only (the integer divisions round alike there on every engine).
 */
function hoursFromMinutes(w: SqlWriter, table: string, ids: bigint[], lo: number, hi: number): string {
  const d = w.dialect;
  const hour = w.bind(HOUR, 'int64');
  const inIds = d.inArray('stream_id', w.bind(ids, 'int64[]'));
  const a = w.bind(BigInt(lo) * HOUR, 'int64');
  const b = w.bind(BigInt(hi + 1) * HOUR, 'int64');
  const len = d.byteLength('line');
  // the entries on an hour's first nanosecond, found in one scan of the ts column: counted by their minute in the
  // hour before (taken off there) and belonging to the hour they start
  const starts =
    `SELECT stream_id, ${d.exactDiv('ts', hour)} AS hh, count(*) AS n, sum(${len}) AS b FROM ${ENTRIES_TABLE}` +
    ` WHERE ${inIds} AND ts >= ${a} AND ts <= ${b} AND ts % ${hour} = 0 GROUP BY stream_id, hh`;
  return (
    `WITH starts AS (${starts}) SELECT stream_id, h, sum(n) AS n, sum(b) AS b FROM (` +
    `SELECT stream_id, ${d.exactDiv(`(ts - 1)`, hour)} AS h, n, bytes AS b FROM ${table}` +
    ` WHERE ${inIds} AND ts > ${a} AND ts <= ${b}` +
    ` UNION ALL SELECT stream_id, hh - 1 AS h, -n AS n, -b AS b FROM starts WHERE hh > ${lo}` +
    ` UNION ALL SELECT stream_id, hh AS h, n, b FROM starts WHERE hh <= ${hi}` +
    `)${d.derivedAlias} GROUP BY stream_id, h`
  );
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
