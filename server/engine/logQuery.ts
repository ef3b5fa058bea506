// Log queries: the selector and the pushable line filters run in SQL, ordered and limited there when nothing else
// remains; otherwise rows are paged through the TypeScript pipeline until `limit` entries survive.
import type { LogExpr } from '../logql/ast';
import { compileLogPipeline } from '../eval/pipeline';
import { renameMetadata } from '../eval/pipeline/builder';
import { splitPipeline } from '../plan/pushdown';
import { compileRowSelect } from '../sql/rowSelect';
import { rowsInSlices } from './slices';
import type { Direction, Labels, LogEntry, Stream } from './types';
import { prefilterFor, recordProcessed, runSql, type ExecContext } from './context';
import { startSpan } from '../telemetry/tracing';
import { canonicalLabels, labelsJson } from '../util/labels';

type EntryRow = {
  stream_id: bigint;
  ts: bigint;
  line: string;
  metadata: string | null;
};

export interface LogQueryArgs {
  expr: LogExpr;
  from: bigint; // inclusive
  to: bigint; // exclusive
  limit: number;
  direction: Direction;
  /** Stream the answer: entries are handed over in batches as they are read (each batch's streams in the query's
   *  direction; one label set may come in several batches) and the returned streams are empty. Memory stays bounded
   *  by a page of rows however large the limit; the caller's promise is awaited, so a slow client slows the reads. */
  sink?: (streams: Stream[]) => Promise<void>;
  /** LogEntry.parsed for categorize-labels answers (default true) */
  parsedLabels?: boolean;
}

/** entries collected before a batch goes to the sink; rows read per statement when streaming without TypeScript stages */
const SINK_BATCH = 10_000;
const SINK_PAGE = 50_000;

export async function runLogQuery(
  ctx: ExecContext,
  a: LogQueryArgs,
): Promise<{ streams: Stream[]; limitReached: boolean }> {
  const streams = await ctx.catalog.select(a.expr.matchers, a.from, a.to);
  const split = splitPipeline(a.expr.pipeline, ctx.dialect.capabilities, ctx.lineFiltersInSql !== false);
  ctx.stats.tsStages.push(...split.reasons);
  // translate plans the statement even when no stream matches yet (the editor's SQL preview on an empty database)
  if ((streams.length === 0 && ctx.execute) || a.limit <= 0) return { streams: [], limitReached: false };
  const byId = new Map(streams.map((s) => [s.id, s.labels]));
  const order: 'asc' | 'desc' = a.direction === 'backward' ? 'desc' : 'asc';
  const pipeline = split.rest.length > 0 ? compileLogPipeline(split.rest, a.parsedLabels !== false) : undefined;

  const out = new Map<string, { labels: Labels; entries: LogEntry[] }>();
  let count = 0;
  // pipelines hand back the stream's own labels object for every line they leave unchanged: keyed once
  let lastLabels: Labels | undefined;
  let last = { json: '', sorted: {} as Labels };
  const sameTs = new SameTimestamp();
  const add = (streamId: bigint, labels: Labels, e: LogEntry): void => {
    if (labels !== lastLabels) {
      lastLabels = labels;
      // (a pipeline hands changed sets over in canonical form already: LabelsBuilder.categorized)
      last = canonicalLabels(labels);
    }
    const key = last.json;
    if (sameTs.seen(e.ts, streamId, key, e)) return;
    let s = out.get(key);
    if (!s) {
      // the key is the labels' JSON: the answer's encoding prints it as it is
      s = { labels: last.sorted, entries: [] };
      out.set(key, s);
    }
    s.entries.push(e);
    count++;
  };
  let flushed = 0;
  const flush = async (): Promise<void> => {
    if (!a.sink || out.size === 0) return;
    const batch = [...out.values()];
    out.clear();
    flushed = count;
    await a.sink(batch);
  };

  const prefilter = prefilterFor(ctx, split.rest, streams);
  // the span of time read, for the processed-lines stats; kept lines counted as they pass
  let readFrom = a.to;
  let readTo = a.from;
  let kept = 0;
  // Time windows in the query's direction, newest first for `backward`: a limit query stops at the first windows that
  // fill it, so its cost follows the span it returns, not the span stored (exact: windows split on ts, and rows are
  // ordered by ts first within each).
  const perWindow = a.sink ? SINK_PAGE / 2 : Infinity; // windows of about half a page: one statement each, mostly
  for (const [from, to] of timeWindows(a.from, a.to, order, () => count, a.limit, ctx.execute, perWindow)) {
    if (from < readFrom) readFrom = from;
    if (to > readTo) readTo = to;
    const ids = streams.filter((s) => s.lastTs >= from && s.firstTs < to).map((s) => s.id);
    if (ids.length === 0 && ctx.execute) continue;
    const base = { streamIds: ids, from, to, filters: split.pushed, order, prefilter };
    if (!pipeline) {
      // one statement for the rest of the limit; paged when streaming, so memory holds one page
      let after: { ts: bigint; streamId: bigint; line: string } | undefined;
      for (;;) {
        const want = a.sink ? Math.min(a.limit - count, SINK_PAGE) : a.limit - count;
        const q = compileRowSelect(ctx.dialect, { ...base, limit: want, after });
        const rows = await runSql<EntryRow>(ctx, q.text, q.params);
        kept += rows.length;
        for (const r of rows) {
          const id = BigInt(r.stream_id);
          const stream = byId.get(id)!;
          add(id, stream, toEntry(r, stream));
        }
        if (count - flushed >= SINK_BATCH) await flush();
        if (count >= a.limit || rows.length < want || !ctx.execute) break;
        const last = rows[rows.length - 1]!;
        after = { ts: BigInt(last.ts), streamId: BigInt(last.stream_id), line: last.line };
      }
    } else {
      // Rows in order, a page at a time (TypeScript stages may drop many of them), in time slices of about a page
      // each within the window (engine/slices.ts)
      const pageSize = Math.min(Math.max(a.limit * 4, 2000), 50_000);
      for await (const rows of rowsInSlices<EntryRow>(ctx, base, from, to, pageSize)) {
        const span = startSpan('typescript pipeline', { 'logqlsql.rows.in': rows.length });
        const keptBefore = kept;
        for (const r of rows) {
          const id = BigInt(r.stream_id);
          const stream = byId.get(id)!;
          const ts = BigInt(r.ts);
          const res = pipeline({ ts, line: r.line, stream, metadata: parseMetadata(r) });
          if (res) {
            kept++;
            const e: LogEntry = { ts, line: res.line };
            if (res.metadata) e.metadata = res.metadata;
            if (res.parsed) e.parsed = res.parsed;
            add(id, res.labels, e);
          }
          if (count >= a.limit) break;
        }
        span?.setAttribute('logqlsql.rows.out', kept - keptBefore);
        span?.end();
        if (count - flushed >= SINK_BATCH) await flush();
        if (count >= a.limit) break;
      }
    }
    if (count >= a.limit) break;
  }
  await flush();
  ctx.stats.postFilterLines = (ctx.stats.postFilterLines ?? 0) + kept;
  if (readFrom < readTo) await recordProcessed(ctx, streams, readFrom, readTo, false);
  const result: Stream[] = [...out.values()].map((s) => ({ labels: s.labels, entries: s.entries }));
  return { streams: result, limitReached: count >= a.limit };
}

const HOUR = 3_600_000_000_000n;

/**
 * Consecutive [from, to) windows covering [start, end), walked in `order`. The first is an hour; each next one is
 * sized from the yield so far: the rows still needed at the rate seen, with a fifth more (the span grows with every
 * window that falls short, so a rare match still costs few statements), or double the last while nothing matched.
 * One window when planning only.
 * Streaming (`perWindow` finite): once rows were seen, each window is sized for about `perWindow` more rows, so every
 * statement reads one time slice instead of paging through the rest of the span.
 */
function* timeWindows(
  start: bigint,
  end: bigint,
  order: 'asc' | 'desc',
  found: () => number,
  limit: number,
  execute: boolean,
  perWindow = Infinity,
): Generator<[bigint, bigint]> {
  if (!execute || end - start <= 2n * HOUR) {
    yield [start, end];
    return;
  }
  let width = HOUR;
  let done = 0n;
  while (done < end - start) {
    let w = width < end - start - done ? width : end - start - done;
    // inner window edges on whole hours: the processed-lines stats then come from their per-hour cache instead of a
    // count of the partial hour at each edge (stats/processed.ts)
    if (order === 'desc') {
      const lo = end - done - w;
      if (lo > start) w = end - done - (lo - (lo % HOUR) > start ? lo - (lo % HOUR) : start);
    } else {
      const hi = start + done + w;
      if (hi < end && hi % HOUR !== 0n)
        w = (hi - (hi % HOUR) + HOUR < end ? hi - (hi % HOUR) + HOUR : end) - start - done;
    }
    yield order === 'desc' ? [end - done - w, end - done] : [start + done, start + done + w];
    done += w;
    const got = found();
    if (got >= limit) return;
    // rows per ns so far → the span that should hold the rest, ×1.1: a query over a longer span pays for the whole
    // margin, where a shorter one is capped at its own start (×1.5 made a 30-day query read half again the span a
    // 3-day one reads; ×1.2 still 1.19× its time: the suite's json log query); a window that falls short is followed
    // by one sized the same way for the rest. With nothing found yet, double
    const rows = Math.min(limit - got, perWindow);
    const need = got > 0 ? BigInt(Math.ceil((Number(done) / got) * rows * 1.1)) : 0n;
    width = got > 0 ? (need > HOUR / 4n ? need : HOUR / 4n) : 2n * w;
  }
}

function parseMetadata(r: EntryRow): Labels | undefined {
  return r.metadata ? (JSON.parse(r.metadata) as Labels) : undefined;
}

/** An entry no stage touches: its metadata named as Loki's no-op pipeline names it (LabelsBuilder.Add). */
function toEntry(r: EntryRow, stream: Labels): LogEntry {
  const e: LogEntry = { ts: BigInt(r.ts), line: r.line };
  const md = parseMetadata(r);
  if (md) e.metadata = renameMetadata(stream, md);
  return e;
}

/**
 * Loki's querier drops an entry equal to one already met at the same timestamp in the same stream (iter
 * mergeEntryIterator.fillBuffer: same stream hash — the selected stream's, before any stage — and Entry.Equal: time,
 * line, structured metadata and parsed labels, all as the pipeline left them). So entries differing only in metadata
 * both stay, unless stages made them equal. Here the entry's labels key (stream + parsed labels) stands for the parsed
 * labels. Rows come in timestamp order, so only the entries of the current timestamp are remembered — compared one by
 * one (most timestamps hold one entry: no key is built), and through a set once a timestamp holds many.
 */
class SameTimestamp {
  private ts: bigint | undefined;
  /** entries on the current timestamp, in the first `n` slots (slots are reused: emptying an array frees its store) */
  private n = 0;
  private readonly ids: bigint[] = [];
  private readonly keys: string[] = [];
  private readonly entries: LogEntry[] = [];
  private set?: Set<string>;

  /** whether this entry was seen already; remembers it otherwise */
  seen(ts: bigint, streamId: bigint, key: string, e: LogEntry): boolean {
    if (ts !== this.ts) {
      this.ts = ts;
      this.n = 0;
      this.set = undefined;
    } else if (this.set) {
      const id = identity(streamId, key, e);
      if (this.set.has(id)) return true;
      this.set.add(id);
      return false;
    } else {
      for (let i = 0; i < this.n; i++) {
        const o = this.entries[i]!;
        if (
          o.line === e.line &&
          this.ids[i] === streamId &&
          this.keys[i] === key &&
          sameMetadata(o.metadata, e.metadata)
        )
          return true;
      }
      if (this.n >= 32) {
        this.set = new Set();
        for (let i = 0; i < this.n; i++) this.set.add(identity(this.ids[i]!, this.keys[i]!, this.entries[i]!));
        this.set.add(identity(streamId, key, e));
        return false;
      }
    }
    this.ids[this.n] = streamId;
    this.keys[this.n] = key;
    this.entries[this.n++] = e;
    return false;
  }
}

function identity(streamId: bigint, key: string, e: LogEntry): string {
  return `${streamId}\u0000${key}\u0000${e.metadata ? labelsJson(e.metadata) : '{}'}\u0000${e.line}`;
}

function sameMetadata(a: Labels | undefined, b: Labels | undefined): boolean {
  if (a === b) return true;
  return (a ? labelsJson(a) : '{}') === (b ? labelsJson(b) : '{}');
}
