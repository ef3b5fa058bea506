// Writes pushed streams into the native schema.
//
// Group commit: pushes that arrive while a write is running queue up and go into the next transaction together;
// each push's promise resolves only after the COMMIT that stored it (so a 204 means durably stored). A failing group
// is retried push by push so one bad push cannot fail the others.
//
// One transaction (DuckDB):
//   1. rows are appended (DuckDB appender: the fastest path from JS) to a connection-local temp staging table,
//   2. de-duplicated within the batch (GROUP BY stream_id, ts, line; the first occurrence wins, by rowid — skipped
//      when every stream's timestamps strictly increase in the batch, so no duplicate can exist) and against stored rows with an anti-join restricted to the batch's stream ids and ts range (zone maps skip
//      everything else),
//   3. inserted into `entries` ordered by (time chunk, stream_id, ts) — see schema/native.ts for why,
//   4. streams upserted: new label sets inserted, first_ts/last_ts widened.
// Writes are serialised through this queue, so the duplicate check cannot race with another write of this process.

import { writeSync } from 'node:fs';
import type { PushStream } from '../engine/types';
import type { Driver } from '../sql/driver';
import { DuckDBDriver, type DuckDBSession } from '../sql/dialects/duckdb/driver';
import {
  ENTRIES_TABLE,
  STREAMS_TABLE,
  TIME_CHUNK_NS,
  canonicalLabels,
  ensureNativeSchema,
  fnv1a64,
  labelsJson,
} from '../schema/native';
import { engineWriter, type GroupWriter } from './writers';

export interface PushResult {
  /** entries stored by this push */
  entries: number;
  /** entries skipped because an identical (stream, ts, line) was already stored or came earlier in the batch */
  duplicates: number;
}

export interface IngesterOptions {
  /** most rows written in one transaction (pushes are never split; default 2,000,000) */
  maxGroupRows?: number;
}

interface Pending {
  streams: PushStream[];
  rows: number;
  resolve: (r: PushResult) => void;
  reject: (e: unknown) => void;
}

interface StreamInfo {
  id: bigint;
  json: string;
  first: bigint;
  last: bigint;
  /** timestamp of the stream's previous row in this batch */
  prev: bigint;
}

const DEBUG = !!process.env.LOGQLSQL_INGEST_DEBUG;

/** A slice [from, to) of one pushed stream's entries, all in one time chunk when split. */
interface Run {
  pn: number;
  id: bigint;
  entries: PushStream['entries'];
  from: number;
  to: number;
  chunk: bigint;
}

/** Floor division (SQL's `//` on BIGINT floors too). */
function chunkOf(ts: bigint): bigint {
  const q = ts / TIME_CHUNK_NS;
  return ts < 0n && q * TIME_CHUNK_NS !== ts ? q - 1n : q;
}

/** Split runs of ascending entries at time-chunk boundaries and order them by (chunk, stream id), stably. */
function splitByChunk(runs: Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    let from = r.from;
    while (from < r.to) {
      const chunk = chunkOf(r.entries[from].ts);
      const next = (chunk + 1n) * TIME_CHUNK_NS;
      let to = from + 1;
      while (to < r.to && r.entries[to].ts < next) to++;
      out.push({ ...r, from, to, chunk });
      from = to;
    }
  }
  return out.sort((a, b) =>
    a.chunk !== b.chunk ? (a.chunk < b.chunk ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}
const STAGE = '_ingest_stage';
const NEW = '_ingest_new';

function countRows(streams: PushStream[]): number {
  let n = 0;
  for (const s of streams) n += s.entries.length;
  return n;
}

export class Ingester {
  private readonly queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private schemaReady: Promise<void> | undefined;
  private readonly idCache = new Map<string, { id: bigint; json: string }>();
  private readonly maxGroupRows: number;
  private readonly duck: DuckDBDriver | undefined;
  /** PostgreSQL / ClickHouse write path (writers.ts); undefined for DuckDB */
  private readonly writer: GroupWriter | undefined;

  constructor(
    readonly driver: Driver,
    opts: IngesterOptions = {},
  ) {
    this.writer = engineWriter(driver);
    if (!this.writer && !(driver instanceof DuckDBDriver)) {
      throw new Error(`ingest into ${driver.engine} is not supported`);
    }
    this.duck = driver instanceof DuckDBDriver ? driver : undefined;
    this.maxGroupRows = opts.maxGroupRows ?? 2_000_000;
  }

  /** Store the streams; resolves after the commit that made them durable. */
  push(streams: PushStream[]): Promise<PushResult> {
    const rows = countRows(streams);
    if (rows === 0) return Promise.resolve({ entries: 0, duplicates: 0 });
    return new Promise<PushResult>((resolve, reject) => {
      this.queue.push({ streams, rows, resolve, reject });
      this.kick();
    });
  }

  /** Start the writer loop unless it runs; it restarts itself when pushes arrived while it was finishing. */
  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Wait until every push queued so far is written. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private ensureSchema(): Promise<void> {
    this.schemaReady ??= ensureNativeSchema(this.driver).catch((e) => {
      this.schemaReady = undefined;
      throw e;
    });
    return this.schemaReady;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group: Pending[] = [this.queue.shift()!];
      let rows = group[0].rows;
      while (this.queue.length > 0 && rows + this.queue[0].rows <= this.maxGroupRows) {
        const p = this.queue.shift()!;
        rows += p.rows;
        group.push(p);
      }
      try {
        await this.ensureSchema();
        const results = await this.writeGroup(group);
        group.forEach((p, i) => p.resolve(results[i]));
      } catch (e) {
        if (group.length === 1) {
          group[0].reject(e);
          continue;
        }
        for (const p of group) {
          try {
            p.resolve((await this.writeGroup([p]))[0]);
          } catch (e2) {
            p.reject(e2);
          }
        }
      }
    }
  }

  private streamInfo(labels: PushStream['labels']): { id: bigint; json: string } {
    const canon = canonicalLabels(labels);
    let info = this.idCache.get(canon);
    if (!info) {
      info = { id: fnv1a64(canon), json: labelsJson(labels) };
      if (this.idCache.size > 100_000) this.idCache.clear();
      this.idCache.set(canon, info);
    }
    return info;
  }

  private async writeGroup(group: Pending[]): Promise<PushResult[]> {
    if (this.writer) return this.writer(group, (labels) => this.streamInfo(labels));
    const duck = this.duck!;
    const streams = new Map<bigint, StreamInfo>();
    let minTs: bigint | undefined;
    let maxTs: bigint | undefined;
    const pushRows = group.map((p) => p.rows);
    // Duplicates inside the batch are only possible when some stream's timestamps do not strictly increase in
    // batch order; the usual push (ascending ts per stream) skips the GROUP BY over (stream_id, ts, line).
    let mayDup = false;

    const t0 = performance.now();
    const lap = (what: string) => {
      if (DEBUG) writeSync(2, `ingest ${what}: ${(performance.now() - t0).toFixed(0)} ms\n`);
    };
    return duck.transaction(async (s: DuckDBSession) => {
      lap('begun');
      await s.exec(
        `CREATE OR REPLACE TEMP TABLE ${STAGE} (push_no INTEGER, stream_id BIGINT, ts BIGINT, line VARCHAR, metadata VARCHAR)`,
      );
      // Pass 1: stream ids, first/last ts, and whether every stream's timestamps strictly increase.
      const runs: Run[] = [];
      for (let pn = 0; pn < group.length; pn++) {
        for (const ps of group[pn].streams) {
          if (ps.entries.length === 0) continue;
          const si = this.streamInfo(ps.labels);
          let st = streams.get(si.id);
          for (const e of ps.entries) {
            const ts = e.ts;
            if (!st) {
              st = { id: si.id, json: si.json, first: ts, last: ts, prev: ts };
              streams.set(si.id, st);
            } else {
              if (ts <= st.prev) mayDup = true;
              st.prev = ts;
              if (ts < st.first) st.first = ts;
              else if (ts > st.last) st.last = ts;
            }
          }
          runs.push({ pn, id: si.id, entries: ps.entries, from: 0, to: ps.entries.length, chunk: 0n });
        }
      }
      // Pass 2 (ascending streams): cut each stream's entries into runs per time chunk and append the runs in
      // (chunk, stream_id) order — the table's layout order — so the INSERT needs no ORDER BY (a sort of the whole
      // batch, lines included, cost more than the rest of the insert). Otherwise the INSERT sorts.
      const ordered = !mayDup;
      const appendOrder = ordered ? splitByChunk(runs) : runs;
      const app = await s.appender(STAGE, 'main', 'temp');
      lap('appender');
      try {
        for (const r of appendOrder) {
          const { pn, id, entries } = r;
          for (let i = r.from; i < r.to; i++) {
            const e = entries[i];
            app.appendInteger(pn);
            app.appendBigInt(id);
            app.appendBigInt(e.ts);
            app.appendVarchar(e.line);
            const md = e.metadata;
            if (md && Object.keys(md).length > 0) app.appendVarchar(labelsJson(md));
            else app.appendNull();
            app.endRow();
          }
        }
        app.flushSync();
      } finally {
        app.closeSync();
      }
      lap('appended');
      for (const st of streams.values()) {
        if (minTs === undefined || st.first < minTs) minTs = st.first;
        if (maxTs === undefined || st.last > maxTs) maxTs = st.last;
      }
      // Only bigints generated above are spliced into the SQL text (ids, ts bounds); nothing user-supplied.
      const ids = [...streams.keys()].join(', ');
      const old = `(SELECT stream_id, ts, line FROM ${ENTRIES_TABLE}
          WHERE stream_id IN (${ids}) AND ts BETWEEN ${minTs} AND ${maxTs}) AS old`;
      const stored = new Array<number>(group.length).fill(0);
      // The usual push has no duplicates at all: check that first (a semi-join over the stored rows of the batch's
      // streams and time range), then insert with a plain scan of the staging table, which keeps the appended
      // (chunk, stream_id, ts) order. A join's output order is not guaranteed, so any other case sorts.
      let clean = false;
      if (ordered) {
        // new data (no stored row of these streams in this time range, answered from zone maps) needs no join
        const [o] = await s.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${old}`);
        if (o.n === 0n) clean = true;
        else {
          const [r] = await s.query<{ n: bigint }>(
            `SELECT count(*) AS n FROM temp.main.${STAGE} AS b SEMI JOIN ${old} USING (stream_id, ts, line)`,
          );
          clean = r.n === 0n;
        }
        lap('checked');
      }
      if (clean) {
        await s.exec(
          `INSERT INTO ${ENTRIES_TABLE} (stream_id, ts, line, metadata) SELECT stream_id, ts, line, metadata FROM temp.main.${STAGE}`,
        );
        pushRows.forEach((n, i) => (stored[i] = n));
        lap('inserted');
      } else {
        const batch = mayDup
          ? `(SELECT stream_id, ts, line, arg_min_null(metadata, rowid) AS metadata, arg_min(push_no, rowid) AS push_no
              FROM temp.main.${STAGE} GROUP BY stream_id, ts, line)`
          : `temp.main.${STAGE}`;
        const fresh = `SELECT b.stream_id, b.ts, b.line, b.metadata, b.push_no FROM ${batch} AS b
          ANTI JOIN ${old} USING (stream_id, ts, line)`;
        const insert = (from: string) =>
          `INSERT INTO ${ENTRIES_TABLE} (stream_id, ts, line, metadata)
           SELECT stream_id, ts, line, metadata FROM ${from}
           ORDER BY ts // ${TIME_CHUNK_NS}, stream_id, ts`;
        if (group.length === 1) {
          // one push: the INSERT's row count is what it stored
          const [r] = await s.query<{ Count: bigint }>(insert(`(${fresh})`));
          stored[0] = Number(r.Count);
          lap('inserted');
        } else {
          // several pushes: materialise the new rows once to credit each push with what it stored
          await s.exec(`CREATE OR REPLACE TEMP TABLE ${NEW} AS ${fresh}`);
          lap('deduplicated');
          await s.exec(insert(`temp.main.${NEW}`));
          lap('inserted');
          const counts = await s.query<{ push_no: number; n: bigint }>(
            `SELECT push_no, count(*) AS n FROM temp.main.${NEW} GROUP BY push_no`,
          );
          for (const c of counts) stored[c.push_no] = Number(c.n);
          await s.exec(`DROP TABLE temp.main.${NEW}`);
        }
      }
      const list = [...streams.values()];
      await s.query(
        `INSERT INTO ${STREAMS_TABLE} (id, labels, first_ts, last_ts)
         SELECT unnest($1), unnest($2), unnest($3), unnest($4)
         ON CONFLICT (id) DO UPDATE SET
           first_ts = least(${STREAMS_TABLE}.first_ts, excluded.first_ts),
           last_ts = greatest(${STREAMS_TABLE}.last_ts, excluded.last_ts)`,
        [list.map((x) => x.id), list.map((x) => x.json), list.map((x) => x.first), list.map((x) => x.last)],
      );
      await s.exec(`DROP TABLE temp.main.${STAGE}`);
      lap('streams');
      return pushRows.map((rows, i) => ({ entries: stored[i], duplicates: rows - stored[i] }));
    });
  }
}
