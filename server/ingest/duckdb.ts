// DuckDB write path: one transaction per group of pushes (the Ingester's group commit, ingester.ts).
//
// The usual push carries, per stream, entries newer than anything stored for that stream (shippers send in time
// order). That case is recognised in memory and written the cheapest way:
//   - `stored` remembers, per stream id, the newest timestamp stored (streams.last_ts, loaded once per stream and
//     kept up to date after every commit). When every stream's entries in the group strictly increase and start
//     after that mark, no entry can duplicate a stored one or another entry of the group;
//   - then the streams' first/last ts are widened (an UPDATE when every stream is stored already, else an upsert)
//     and the rows are appended straight into `entries` inside the transaction (DuckDB appender fed with data
//     chunks), in the table's layout order (1-hour time chunk, stream_id, ts — schema/native.ts), and their counts
//     per stream and minute into `minute_counts` (schema/minuteCounts.ts, counted while appending): BEGIN, UPDATE,
//     append, COMMIT and nothing else (DuckDB costs a few ms a statement: the old path's staging table, duplicate
//     probe, INSERT … SELECT and DROP were most of an ingest's time).
//   - a group of at least a row group's rows (16,384) is written by DuckDB straight into the database file at COMMIT
//     instead of into the WAL and again at the next checkpoint; the Ingester gathers concurrent pushes to get there.
// Any other group goes through a staging table:
//   1. rows appended to a connection-local temp table,
//   2. de-duplicated within the batch (GROUP BY stream_id, ts, line, metadata: Loki's ingester keeps entries that
//      differ only in structured metadata; the first occurrence wins, by rowid — skipped
//      when every stream's timestamps strictly increase, so no duplicate can exist inside the batch) and against
//      stored rows with an anti-join restricted to the batch's stream ids and ts range (zone maps skip everything
//      else),
//   3. inserted into `entries` ordered by (time chunk, stream_id, ts), and counted per minute from the rows stored.
// Writes to one database are serialised (a per-driver lock shared by every Ingester of the driver), so neither the
// duplicate check nor the `stored` marks can race with another write of this process; DuckDB's file lock keeps
// other processes out. On any failure the marks are forgotten and reloaded from `streams`.

import { writeSync } from 'node:fs';
import type { LogEntry, PushStream } from '../engine/types';
import { BIGINT, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBAppender } from '@duckdb/node-api';
import {
  copy_data_to_vector,
  copy_data_to_vector_validity,
  data_chunk_get_vector,
  data_chunk_reset,
  data_chunk_set_size,
  vector_assign_string_element,
  vector_assign_string_element_len,
  vector_ensure_validity_writable,
  vector_size,
  type Vector,
} from '@duckdb/node-bindings';
import type { DuckDBDriver, DuckDBSession } from '../sql/dialects/duckdb/driver';
import { ENTRIES_TABLE, STREAMS_TABLE, TIME_CHUNK_NS, labelsJson } from '../schema/native';
import { lenientJsonLine } from '../sql/jsonQuirks';
import { namesFromText, namesText, otherSpellings, TOO_MANY_NAMES, unionNames } from '../sql/jsonSpellings';
import { countMinutesSql, MINUTE_COUNTS_TABLE, MinuteCounter } from '../schema/minuteCounts';
import { duckdbDialect } from '../sql/dialects/duckdb/dialect';

const DEBUG = !!process.env.LOGQLSQL_INGEST_DEBUG;
const STAGE = '_ingest_stage';
const NEW = '_ingest_new';
/** no entry stored for the stream */
const NONE = -1n;
const MAX_MARKS = 1_000_000;

export interface DuckGroupPush {
  streams: PushStream[];
  rows: number;
}

type StreamInfoFn = (labels: PushStream['labels']) => { id: bigint; json: string };

/** A stream a committed write stored entries for, with what `streams` now says of it: its labels' JSON, the
 *  write's oldest and newest entry (the row's bounds widen to them) and whether a line was quirky JSON. */
export interface WrittenStream {
  id: bigint;
  json: string;
  first: bigint;
  last: bigint;
  quirky: boolean;
  /** the names its JSON lines spell another way (streams.json_names, sql/jsonSpellings.ts) after the write;
   *  undefined: unknown */
  names: ReadonlySet<string> | undefined;
}

/** A slice [from, to) of one pushed stream's entries (strictly ascending when `asc`), cut per time chunk. */
interface Run {
  pn: number;
  id: bigint;
  entries: PushStream['entries'];
  from: number;
  to: number;
  chunk: bigint;
  first: bigint;
  last: bigint;
  asc: boolean;
}

interface StreamAcc {
  id: bigint;
  json: string;
  first: bigint;
  last: bigint;
  runs: Run[];
  /** a line of the group may be JSON only DuckDB's reader accepts (streams.json_quirks, sql/jsonQuirks.ts) */
  quirky: boolean;
  /** the names the group's JSON lines spell another way (sql/jsonSpellings.ts) */
  names: Set<string>;
}

interface DriverState {
  /** stream id → newest stored ts (NONE: no entry); absent: not loaded yet */
  stored: Map<bigint, bigint>;
  /** stream id → its stored json_names (undefined: unknown); absent: not loaded yet (loaded with `stored`) */
  names: Map<bigint, ReadonlySet<string> | undefined>;
  /** tail of the write chain */
  lock: Promise<unknown>;
}

const states = new WeakMap<DuckDBDriver, DriverState>();

function stateOf(d: DuckDBDriver): DriverState {
  let s = states.get(d);
  if (!s) states.set(d, (s = { stored: new Map(), names: new Map(), lock: Promise.resolve() }));
  return s;
}

/** Floor division (SQL's `//` on BIGINT floors too). */
function chunkOf(ts: bigint): bigint {
  const q = ts / TIME_CHUNK_NS;
  return ts < 0n && q * TIME_CHUNK_NS !== ts ? q - 1n : q;
}

/** Cut ascending runs at time-chunk boundaries; order by (chunk, stream id, first ts) — the table's layout order. */
function splitByChunk(runs: Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    let from = r.from;
    while (from < r.to) {
      const chunk = chunkOf(r.entries[from].ts);
      const next = (chunk + 1n) * TIME_CHUNK_NS;
      // the run ascends: binary-search the first entry of the next chunk
      let lo = from + 1;
      let hi = r.to;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (r.entries[mid].ts < next) lo = mid + 1;
        else hi = mid;
      }
      const to = lo;
      out.push({ ...r, from, to, chunk, first: r.entries[from].ts, last: r.entries[to - 1].ts });
      from = to;
    }
  }
  return out.sort((a, b) =>
    a.chunk !== b.chunk
      ? a.chunk < b.chunk
        ? -1
        : 1
      : a.id !== b.id
        ? a.id < b.id
          ? -1
          : 1
        : a.first < b.first
          ? -1
          : a.first > b.first
            ? 1
            : 0,
  );
}

/** Entries in non-decreasing ts order without exact (ts, line, metadata) repeats (Loki's ingester keeps entries
 *  differing only in structured metadata: unorderedHeadBlock.Append); the first of each wins. */
function dropRepeats(es: LogEntry[]): LogEntry[] {
  const out: LogEntry[] = [];
  let tieTs = -1n;
  let tieLines: Set<string> | undefined;
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    const next = es[i + 1];
    if (e.ts !== tieTs) {
      tieTs = e.ts;
      tieLines = undefined;
      if (next === undefined || next.ts !== e.ts) {
        out.push(e); // the usual case: a timestamp of its own
        continue;
      }
    }
    tieLines ??= new Set();
    const key = `${metadataText(e.metadata) ?? ''}\u0000${e.line}`;
    if (tieLines.has(key)) continue;
    tieLines.add(key);
    out.push(e);
  }
  return out;
}

/** Metadata column text: sorted-key JSON, or null when none. */
function metadataText(md: Record<string, string> | undefined): string | null {
  if (!md) return null;
  for (const _ in md) return labelsJson(md);
  return null;
}

/** Run `fn` after every earlier write to this database (of any Ingester) settled, before any later one. */
export function withDuckDBWriteLock<T>(driver: DuckDBDriver, fn: () => Promise<T>): Promise<T> {
  const st = stateOf(driver);
  const run = st.lock.then(fn, fn);
  st.lock = run.catch(() => undefined);
  return run;
}

/** Write one group of pushes; resolves after COMMIT with each push's stored / duplicate counts. */
export function writeDuckDBGroup(
  driver: DuckDBDriver,
  group: DuckGroupPush[],
  streamInfo: StreamInfoFn,
  /** called after the COMMIT with the streams it wrote (the stream catalog folds them in) */
  onWritten?: (streams: WrittenStream[]) => void,
): Promise<{ entries: number; duplicates: number }[]> {
  return withDuckDBWriteLock(driver, () => write(driver, stateOf(driver), group, streamInfo, onWritten));
}

async function write(
  driver: DuckDBDriver,
  st: DriverState,
  group: DuckGroupPush[],
  streamInfo: StreamInfoFn,
  onWritten?: (streams: WrittenStream[]) => void,
): Promise<{ entries: number; duplicates: number }[]> {
  const t0 = performance.now();
  const rowsTotal = group.reduce((n, p) => n + p.rows, 0);
  const lap = (what: string) => {
    if (DEBUG) writeSync(2, `ingest ${what}: ${(performance.now() - t0).toFixed(1)} ms ${group.length} ${rowsTotal}\n`);
  };
  // Pass 1: per stream, its runs (one per push), each run's first/last ts and whether it strictly increases.
  const streams = new Map<bigint, StreamAcc>();
  const pushRows = group.map((p) => p.rows);
  let ascending = true;
  /** per push: exact repeats of an entry dropped here (same stream, ts and line, in time order) */
  const repeats = new Array<number>(group.length).fill(0);
  for (let pn = 0; pn < group.length; pn++) {
    for (const ps of group[pn].streams) {
      let es = ps.entries;
      if (es.length === 0) continue;
      const si = streamInfo(ps.labels);
      let first = es[0].ts;
      let last = first;
      let min = first;
      let max = first;
      let asc = true;
      let ties = false;
      for (let i = 1; i < es.length; i++) {
        const ts = es[i].ts;
        if (ts < last) {
          asc = false;
          if (ts < min) min = ts;
        } else if (ts > max) max = ts;
        else if (ts === last) ties = true;
        last = ts;
      }
      if (!asc) {
        ascending = false;
        first = min;
        last = max;
      } else if (ties) {
        // entries sharing a timestamp: drop exact repeats here (the first wins, as in SQL) so that the group can
        // still take the fast path; other lines at the same timestamp are distinct entries
        const kept = dropRepeats(es);
        repeats[pn] += es.length - kept.length;
        es = kept;
      }
      let acc = streams.get(si.id);
      if (!acc)
        streams.set(
          si.id,
          (acc = { id: si.id, json: si.json, first: min, last: max, runs: [], quirky: false, names: new Set() }),
        );
      else {
        if (min < acc.first) acc.first = min;
        if (max > acc.last) acc.last = max;
      }
      acc.runs.push({ pn, id: si.id, entries: es, from: 0, to: es.length, chunk: 0n, first, last, asc });
      for (const e of es) {
        if (!acc.quirky && lenientJsonLine(e.line)) acc.quirky = true;
        otherSpellings(e.line, acc.names);
      }
    }
  }
  // Several runs of one stream (pushes of the same stream in one group) must not overlap.
  if (ascending) {
    for (const acc of streams.values()) {
      if (acc.runs.length < 2) continue;
      const rs = [...acc.runs].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
      for (let i = 1; i < rs.length && ascending; i++) if (rs[i].first <= rs[i - 1].last) ascending = false;
    }
  }
  lap('planned');
  try {
    // Every stream stored and its mark known (the usual case after the first push): BEGIN and the streams' UPDATE
    // go to DuckDB as one call — each round trip is a wait for the event loop, which is busy decoding other pushes.
    let known = true;
    for (const id of streams.keys()) {
      const m = st.stored.get(id);
      if (m === undefined || m === NONE || !st.names.has(id)) known = false;
    }
    let names = new Map<bigint, ReadonlySet<string> | undefined>();
    const result = await driver.withSession(async (s) => {
      if (known) {
        await s.exec(`BEGIN TRANSACTION; ${streamsUpdate(streams)}${quirksUpdate(streams)}`);
        names = await writeNames(s, st, streams);
        lap('begun+streams');
      } else {
        await s.exec('BEGIN TRANSACTION');
        await loadMarks(s, st, streams);
        for (const id of streams.keys()) if (st.stored.get(id) === NONE) known = false;
        // the streams first: DuckDB runs this small statement faster before the transaction holds appended rows
        await writeStreams(s, streams, known);
        const quirks = quirksUpdate(streams);
        if (quirks) await s.exec(quirks.slice(2));
        names = await writeNames(s, st, streams);
        lap('begun+marks+streams');
      }
      let clean = ascending;
      for (const acc of streams.values()) if (acc.first <= st.stored.get(acc.id)!) clean = false;
      const allRuns: Run[] = [];
      for (const acc of streams.values()) allRuns.push(...acc.runs);
      let stored: number[];
      if (clean) {
        const minutes = new MinuteCounter();
        await appendRuns(s, ENTRIES_TABLE, splitByChunk(allRuns), false, minutes);
        await appendMinutes(s, minutes);
        lap('appended');
        stored = pushRows.map((n, i) => n - repeats[i]);
      } else {
        stored = await writeStaged(s, group, allRuns, streams, ascending, lap);
      }
      await s.exec('COMMIT');
      return stored;
    });
    lap('committed');
    driver.noteWritten(rowsTotal);
    // the commit is durable: the streams' newest stored timestamps moved
    if (st.stored.size > MAX_MARKS) {
      st.stored.clear();
      st.names.clear();
    }
    for (const acc of streams.values()) {
      const m = st.stored.get(acc.id);
      if (m !== undefined && acc.last > m) st.stored.set(acc.id, acc.last);
    }
    for (const [id, n] of names) if (st.names.has(id)) st.names.set(id, n);
    onWritten?.(
      [...streams.values()].map((a) => ({
        id: a.id,
        json: a.json,
        first: a.first,
        last: a.last,
        quirky: a.quirky,
        names: names.has(a.id) ? names.get(a.id) : st.names.get(a.id),
      })),
    );
    return pushRows.map((rows, i) => ({ entries: result[i], duplicates: rows - result[i] }));
  } catch (e) {
    st.stored.clear();
    st.names.clear();
    throw e;
  }
}

/** Load streams.last_ts for the group's streams not yet known. */
async function loadMarks(s: DuckDBSession, st: DriverState, streams: Map<bigint, StreamAcc>): Promise<void> {
  const missing: bigint[] = [];
  for (const id of streams.keys()) if (!st.stored.has(id) || !st.names.has(id)) missing.push(id);
  if (missing.length === 0) return;
  // only bigints computed here are spliced into the SQL text
  const rows = await s.query<{ id: bigint; last_ts: bigint; json_names: string | null }>(
    `SELECT id, last_ts, json_names FROM ${STREAMS_TABLE} WHERE id IN (${missing.join(', ')})`,
  );
  // a stream not stored yet is inserted knowing no names (writeStreams)
  for (const id of missing) {
    st.stored.set(id, NONE);
    st.names.set(id, new Set());
  }
  for (const r of rows) {
    st.stored.set(r.id, r.last_ts);
    st.names.set(r.id, namesFromText(r.json_names));
  }
}

/**
 * Appends rows through DuckDB data chunks of `vector_size()` rows: the BIGINT columns are filled in typed arrays and
 * copied once per chunk, strings are assigned into the chunk's vectors — one native call a row where the row
 * appender made five (two-thirds of the appender's time went to the calls for ids, timestamps, NULLs and row ends).
 */
class ChunkAppender {
  private readonly chunk: DuckDBDataChunk;
  private readonly cap = vector_size();
  private readonly pushNo: Int32Array<ArrayBuffer> | undefined;
  private readonly ids: BigInt64Array<ArrayBuffer>;
  private readonly ts: BigInt64Array<ArrayBuffer>;
  /** validity bits of the metadata column (1 = not NULL), 32 rows a word, little-endian as DuckDB's 64-bit words */
  private readonly mdValid: Uint32Array<ArrayBuffer>;
  private line!: Vector;
  private md!: Vector;
  private n = 0;

  constructor(
    private readonly app: DuckDBAppender,
    staging: boolean,
  ) {
    const types = staging ? [INTEGER, BIGINT, BIGINT, VARCHAR, VARCHAR] : [BIGINT, BIGINT, VARCHAR, VARCHAR];
    this.chunk = DuckDBDataChunk.create(types);
    this.pushNo = staging ? new Int32Array(this.cap) : undefined;
    this.ids = new BigInt64Array(this.cap);
    this.ts = new BigInt64Array(this.cap);
    this.mdValid = new Uint32Array(Math.ceil(this.cap / 64) * 2);
    this.reset();
  }

  private col(i: number): Vector {
    return data_chunk_get_vector(this.chunk.chunk, this.pushNo ? i + 1 : i);
  }

  private reset(): void {
    data_chunk_reset(this.chunk.chunk);
    this.line = this.col(2);
    this.md = this.col(3);
    this.mdValid.fill(0);
    this.n = 0;
  }

  add(pn: number, id: bigint, ts: bigint, line: string, md: string | null): void {
    const i = this.n;
    if (this.pushNo) this.pushNo[i] = pn;
    this.ids[i] = id;
    this.ts[i] = ts;
    assignString(this.line, i, line);
    if (md !== null) {
      assignString(this.md, i, md);
      this.mdValid[i >>> 5] |= 1 << (i & 31);
    }
    if (++this.n === this.cap) this.flush();
  }

  flush(): void {
    const n = this.n;
    if (n === 0) return;
    const raw = this.chunk.chunk;
    if (this.pushNo) copy_data_to_vector(data_chunk_get_vector(raw, 0), 0, this.pushNo.buffer, 0, n * 4);
    copy_data_to_vector(this.col(0), 0, this.ids.buffer, 0, n * 8);
    copy_data_to_vector(this.col(1), 0, this.ts.buffer, 0, n * 8);
    vector_ensure_validity_writable(this.md);
    copy_data_to_vector_validity(this.md, 0, this.mdValid.buffer, 0, Math.ceil(n / 64) * 8);
    data_chunk_set_size(raw, n);
    this.app.appendDataChunk(this.chunk);
    this.reset();
  }
}

/** A string into a VARCHAR vector; one with a NUL character goes by its UTF-8 bytes (the plain call takes a C string). */
function assignString(v: Vector, i: number, s: string): void {
  if (s.includes('\0')) vector_assign_string_element_len(v, i, Buffer.from(s, 'utf8'));
  else vector_assign_string_element(v, i, s);
}

/** Append runs to `table` (entries, or the staging table with push_no first), counting them per minute when asked. */
async function appendRuns(
  s: DuckDBSession,
  table: string,
  runs: Run[],
  staging: boolean,
  minutes?: MinuteCounter,
): Promise<void> {
  const app = staging ? await s.appender(table, 'main', 'temp') : await s.appender(table);
  try {
    const out = new ChunkAppender(app, staging);
    for (const r of runs) {
      const { pn, id, entries } = r;
      for (let i = r.from; i < r.to; i++) {
        const e = entries[i];
        out.add(pn, id, e.ts, e.line, metadataText(e.metadata));
        minutes?.add(id, e.ts, e.line);
      }
    }
    out.flush();
    app.flushSync();
  } finally {
    app.closeSync();
  }
}

/** The minute counts of appended rows into minute_counts (schema/minuteCounts.ts), in the same transaction. */
async function appendMinutes(s: DuckDBSession, m: MinuteCounter): Promise<void> {
  const n = m.rows();
  if (n === 0) return;
  const app = await s.appender(MINUTE_COUNTS_TABLE);
  try {
    for (let i = 0; i < n; i++) {
      app.appendBigInt(m.ids[i]);
      app.appendBigInt(m.edges[i]);
      app.appendBigInt(BigInt(m.counts[i]));
      app.appendBigInt(BigInt(m.bytes[i]));
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
}

/** The UPDATE widening stored streams' first/last ts; only bigints computed here are spliced into its text. */
function streamsUpdate(streams: Map<bigint, StreamAcc>): string {
  const rows = [...streams.values()].map((x) => `(${x.id}::BIGINT, ${x.first}::BIGINT, ${x.last}::BIGINT)`);
  return `UPDATE ${STREAMS_TABLE} SET first_ts = least(${STREAMS_TABLE}.first_ts, u.f), last_ts = greatest(${STREAMS_TABLE}.last_ts, u.l)
    FROM (VALUES ${rows.join(', ')}) AS u(id, f, l) WHERE ${STREAMS_TABLE}.id = u.id`;
}

/** `; UPDATE …` marking the group's streams that received a JSON line only DuckDB's reader accepts ('' when none).
 *  Only bigints computed here are spliced into the SQL text. */
function quirksUpdate(streams: Map<bigint, StreamAcc>): string {
  const ids = [...streams.values()].filter((x) => x.quirky).map((x) => `${x.id}::BIGINT`);
  return ids.length ? `; UPDATE ${STREAMS_TABLE} SET json_quirks = TRUE WHERE id IN (${ids.join(', ')})` : '';
}

/** Store the names the group's lines add to their streams' json_names (sql/jsonSpellings.ts); returns the streams'
 *  sets after the write where they changed (applied to `st` once the write commits). */
async function writeNames(
  s: DuckDBSession,
  st: DriverState,
  streams: Map<bigint, StreamAcc>,
): Promise<Map<bigint, ReadonlySet<string> | undefined>> {
  const changed = new Map<bigint, ReadonlySet<string> | undefined>();
  for (const acc of streams.values()) {
    if (acc.names.size === 0) continue;
    const stored = st.names.get(acc.id);
    const next = unionNames(stored, acc.names);
    if (next !== stored) changed.set(acc.id, next);
  }
  if (changed.size === 0) return changed;
  await s.query(
    `UPDATE ${STREAMS_TABLE} SET json_names = u.n
     FROM (SELECT unnest($1::BIGINT[]) AS id, unnest($2::VARCHAR[]) AS n) AS u WHERE ${STREAMS_TABLE}.id = u.id`,
    [[...changed.keys()], [...changed.values()].map((n) => namesText(n) ?? TOO_MANY_NAMES)],
  );
  return changed;
}

/** Widen the streams' first/last ts; insert the label sets not stored yet (`known`: every stream is stored). */
async function writeStreams(s: DuckDBSession, streams: Map<bigint, StreamAcc>, known: boolean): Promise<void> {
  const list = [...streams.values()];
  const ids = list.map((x) => x.id);
  const firsts = list.map((x) => x.first);
  const lasts = list.map((x) => x.last);
  if (known) {
    // an UPDATE of existing rows costs half the upsert
    await s.query(
      `UPDATE ${STREAMS_TABLE} SET first_ts = least(${STREAMS_TABLE}.first_ts, u.f), last_ts = greatest(${STREAMS_TABLE}.last_ts, u.l)
       FROM (SELECT unnest($1) AS id, unnest($2) AS f, unnest($3) AS l) AS u WHERE ${STREAMS_TABLE}.id = u.id`,
      [ids, firsts, lasts],
    );
    return;
  }
  await s.query(
    `INSERT INTO ${STREAMS_TABLE} (id, labels, first_ts, last_ts, json_quirks, json_names)
     SELECT unnest($1), unnest($2), unnest($3), unnest($4), FALSE, '[]'
     ON CONFLICT (id) DO UPDATE SET
       first_ts = least(${STREAMS_TABLE}.first_ts, excluded.first_ts),
       last_ts = greatest(${STREAMS_TABLE}.last_ts, excluded.last_ts)`,
    [ids, list.map((x) => x.json), firsts, lasts],
  );
}

/** The staging path: dedupe in SQL. Returns the entries stored per push. */
async function writeStaged(
  s: DuckDBSession,
  group: DuckGroupPush[],
  runs: Run[],
  streams: Map<bigint, StreamAcc>,
  ascending: boolean,
  lap: (what: string) => void,
): Promise<number[]> {
  const pushRows = group.map((p) => p.rows);
  await s.exec(
    `CREATE OR REPLACE TEMP TABLE ${STAGE} (push_no INTEGER, stream_id BIGINT, ts BIGINT, line VARCHAR, metadata VARCHAR)`,
  );
  // Ascending streams: append in the table's layout order so the INSERT needs no ORDER BY (a sort of the whole
  // batch, lines included, costs more than the rest of the insert). Otherwise in push order, and the INSERT sorts.
  await appendRuns(s, STAGE, ascending ? splitByChunk(runs) : runs, true);
  lap('staged');
  let minTs = 0n;
  let maxTs = 0n;
  let firstStream = true;
  for (const acc of streams.values()) {
    if (firstStream || acc.first < minTs) minTs = acc.first;
    if (firstStream || acc.last > maxTs) maxTs = acc.last;
    firstStream = false;
  }
  // Only bigints generated above are spliced into the SQL text (ids, ts bounds); nothing user-supplied.
  const ids = [...streams.keys()].join(', ');
  const old = `(SELECT stream_id, ts, line, coalesce(metadata, '') AS md FROM ${ENTRIES_TABLE}
      WHERE stream_id IN (${ids}) AND ts BETWEEN ${minTs} AND ${maxTs}) AS old`;
  const same = `b.stream_id = old.stream_id AND b.ts = old.ts AND b.line = old.line AND coalesce(b.metadata, '') = old.md`;
  const stored = new Array<number>(group.length).fill(0);
  // Ascending streams overlapping stored rows (a retried push, say): probe for duplicates first; none means a plain
  // scan of the staging table, which keeps the appended order. A join's output order is not guaranteed, so any
  // other case sorts.
  let clean = false;
  if (ascending) {
    const [r] = await s.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM temp.main.${STAGE} AS b SEMI JOIN ${old} ON ${same}`,
    );
    clean = r.n === 0n;
    lap('checked');
  }
  if (clean) {
    await s.exec(
      `INSERT INTO ${ENTRIES_TABLE} (stream_id, ts, line, metadata) SELECT stream_id, ts, line, metadata FROM temp.main.${STAGE}`,
    );
    await s.exec(`INSERT INTO ${MINUTE_COUNTS_TABLE} ${countMinutesSql(duckdbDialect, `temp.main.${STAGE}`)}`);
    pushRows.forEach((n, i) => (stored[i] = n));
    lap('inserted');
  } else {
    const batch = ascending
      ? `temp.main.${STAGE}`
      : `(SELECT stream_id, ts, line, metadata, arg_min(push_no, rowid) AS push_no
          FROM temp.main.${STAGE} GROUP BY stream_id, ts, line, metadata)`;
    const fresh = `SELECT b.stream_id, b.ts, b.line, b.metadata, b.push_no FROM ${batch} AS b
      ANTI JOIN ${old} ON ${same}`;
    // the new rows materialised once: inserted, counted per minute, and credited to the push that stored them
    await s.exec(`CREATE OR REPLACE TEMP TABLE ${NEW} AS ${fresh}`);
    lap('deduplicated');
    await s.exec(
      `INSERT INTO ${ENTRIES_TABLE} (stream_id, ts, line, metadata)
       SELECT stream_id, ts, line, metadata FROM temp.main.${NEW}
       ORDER BY ts // ${TIME_CHUNK_NS}, stream_id, ts`,
    );
    await s.exec(`INSERT INTO ${MINUTE_COUNTS_TABLE} ${countMinutesSql(duckdbDialect, `temp.main.${NEW}`)}`);
    lap('inserted');
    const counts = await s.query<{ push_no: number; n: bigint }>(
      `SELECT push_no, count(*) AS n FROM temp.main.${NEW} GROUP BY push_no`,
    );
    for (const c of counts) stored[c.push_no] = Number(c.n);
    await s.exec(`DROP TABLE temp.main.${NEW}`);
  }
  await s.exec(`DROP TABLE temp.main.${STAGE}`);
  return stored;
}
