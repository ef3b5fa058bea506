// A group of pushes flattened into columns, for the engines whose write path takes whole columns (PostgreSQL arrays,
// ClickHouse JSONEachRow). DuckDB appends row by row instead (ingester.ts).
import type { PushStream } from '../engine/types';
import { labelsJson } from '../schema/native';
import { otherSpellings } from '../sql/jsonSpellings';

export interface BatchStream {
  id: bigint;
  json: string;
  first: bigint;
  last: bigint;
  /** the names its lines spell another way (sql/jsonSpellings.ts) */
  names: Set<string>;
}

export interface Batch {
  /** per row, in push order: which push of the group it came from */
  pushNo: number[];
  streamId: bigint[];
  ts: bigint[];
  line: string[];
  metadata: (string | null)[];
  streams: BatchStream[];
  minTs: bigint;
  maxTs: bigint;
  /** rows in each push */
  pushRows: number[];
}

export function buildBatch(
  group: { streams: PushStream[]; rows: number }[],
  streamInfo: (labels: PushStream['labels']) => { id: bigint; json: string },
): Batch {
  const b: Batch = {
    pushNo: [],
    streamId: [],
    ts: [],
    line: [],
    metadata: [],
    streams: [],
    minTs: 0n,
    maxTs: 0n,
    pushRows: group.map((p) => p.rows),
  };
  const streams = new Map<bigint, BatchStream>();
  for (let pn = 0; pn < group.length; pn++) {
    for (const ps of group[pn].streams) {
      if (ps.entries.length === 0) continue;
      const si = streamInfo(ps.labels);
      let st = streams.get(si.id);
      for (const e of ps.entries) {
        if (!st) {
          st = { id: si.id, json: si.json, first: e.ts, last: e.ts, names: new Set() };
          streams.set(si.id, st);
        } else if (e.ts < st.first) st.first = e.ts;
        else if (e.ts > st.last) st.last = e.ts;
        b.pushNo.push(pn);
        b.streamId.push(si.id);
        b.ts.push(e.ts);
        b.line.push(e.line);
        otherSpellings(e.line, st.names);
        const md = e.metadata;
        b.metadata.push(md && Object.keys(md).length > 0 ? labelsJson(md) : null);
      }
    }
  }
  b.streams = [...streams.values()];
  let first = true;
  for (const st of b.streams) {
    if (first || st.first < b.minTs) b.minTs = st.first;
    if (first || st.last > b.maxTs) b.maxTs = st.last;
    first = false;
  }
  return b;
}

/** Entries stored per push, from `(push_no, n)` rows. */
export function storedPerPush(pushes: number, counts: { push_no: number | bigint; n: number | bigint }[]): number[] {
  const stored = new Array<number>(pushes).fill(0);
  for (const c of counts) stored[Number(c.push_no)] = Number(c.n);
  return stored;
}
