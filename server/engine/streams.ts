// The stream catalog: the `streams` table held in memory (it is small: one row per label set) so selectors resolve
// in TypeScript with exact RE2 semantics on every engine, and only matching stream ids reach the entries scan.
import type { Matcher } from '../logql/ast';
import type { Labels } from './types';
import type { Driver } from '../sql/driver';
import type { WrittenStream } from '../ingest/duckdb';
import { nativeStreamsQuery } from '../schema/native';
import { namesOfRow } from '../sql/jsonSpellings';
import { compileRE2 } from '../eval/re2';
import { inSpan, inSqlSpan } from '../telemetry/tracing';

export interface StreamInfo {
  id: bigint;
  labels: Labels;
  firstTs: bigint;
  lastTs: bigint;
  /** the stream may hold JSON lines only the engine's reader accepts (sql/jsonQuirks.ts): true when the ingester
   *  saw one, or when nothing says it did not (a DuckDB table without the mark) */
  jsonQuirks?: boolean;
  /** the label names the stream's JSON lines spell other than as one plain top-level key (sql/jsonSpellings.ts);
   *  undefined: unknown */
  jsonNames?: ReadonlySet<string>;
}

export type StreamMatcher = (labels: Labels) => boolean;

export function compileMatchers(matchers: Matcher[]): StreamMatcher {
  const tests = matchers.map((m) => {
    switch (m.op) {
      case '=':
        return (l: Labels) => (l[m.name] ?? '') === m.value;
      case '!=':
        return (l: Labels) => (l[m.name] ?? '') !== m.value;
      default: {
        const re = compileRE2(m.value, { anchored: true });
        const want = m.op === '=~';
        return (l: Labels) => re.test(l[m.name] ?? '') === want;
      }
    }
  });
  return (l) => tests.every((t) => t(l));
}

export class StreamCatalog {
  private streams: StreamInfo[] = [];
  private loadedAt = 0;
  /** reload on the next read, whatever its age (nothing loaded yet, or invalidated) */
  private stale = true;
  private loading?: Promise<void>;
  /** the loaded list by id (built on the first applyWrite after a load) */
  private byId?: Map<bigint, StreamInfo>;

  private readonly sql: string;
  private readonly toLabels: (row: Record<string, unknown>) => Labels;

  /** `source.sql` loads (id, first_ts, last_ts, …) rows and `source.toLabels` reads a row's labels: by default the
   *  native `streams` table (labels as JSON text), or what an existing-table mapping derives (schema/mapping.ts). */
  constructor(
    private readonly driver: Driver,
    private readonly maxAgeMs = 2000,
    source?: { sql: string; toLabels: (row: Record<string, unknown>) => Labels },
  ) {
    this.sql = source?.sql ?? nativeStreamsQuery(driver);
    this.toLabels = source?.toLabels ?? ((r) => JSON.parse(r.labels as string) as Labels);
  }

  /** Forget the cache (after this process removed entries, or wrote where applyWrite is not told). */
  invalidate(): void {
    this.stale = true;
  }

  /**
   * Fold a committed write into the loaded list as `streams` now holds it (a native DuckDB file, whose only writer
   * is this process): bounds widened, new label sets added, quirk marks set. Under continuous ingest the catalog then
   * stays loaded instead of reading the whole `streams` table again for every query. Nothing loaded, or a load under
   * way that may or may not have seen the write: the next read loads.
   */
  applyWrite(written: WrittenStream[]): void {
    if (this.stale || this.loading) {
      this.stale = true;
      return;
    }
    this.byId ??= new Map(this.streams.map((s) => [s.id, s]));
    const added: StreamInfo[] = [];
    for (const w of written) {
      const s = this.byId.get(w.id);
      if (s) {
        // widening in place is safe for readers holding the list: a bound only grows to what is stored
        if (w.first < s.firstTs) s.firstTs = w.first;
        if (w.last > s.lastTs) s.lastTs = w.last;
        if (w.quirky) s.jsonQuirks = true;
        s.jsonNames = w.names;
        continue;
      }
      const info = {
        id: w.id,
        labels: this.toLabels({ labels: w.json }),
        firstTs: w.first,
        lastTs: w.last,
        jsonQuirks: w.quirky,
        jsonNames: w.names,
      };
      this.byId.set(w.id, info);
      added.push(info);
    }
    // a new array: a reader iterating the old one sees the list as it was
    if (added.length > 0) this.streams = [...this.streams, ...added];
  }

  async all(): Promise<StreamInfo[]> {
    if (this.stale || Date.now() - this.loadedAt > this.maxAgeMs) {
      this.loading ??= this.load().finally(() => (this.loading = undefined));
    }
    // a load under way (started here or by another caller) holds what the catalog is now
    if (this.loading) await this.loading;
    return this.streams;
  }

  private async load(): Promise<void> {
    const startedAt = Date.now();
    // an invalidation while this load runs marks the catalog stale again: the next read reloads
    this.stale = false;
    let rows: { id: bigint; first_ts: bigint; last_ts: bigint }[];
    try {
      rows = await inSqlSpan(this.driver.engine, this.sql, () =>
        this.driver.query<{ id: bigint; first_ts: bigint; last_ts: bigint }>(this.sql),
      );
    } catch (e) {
      this.stale = true;
      throw e;
    }
    this.streams = rows.map((r) => ({
      id: BigInt(r.id),
      labels: this.toLabels(r),
      firstTs: BigInt(r.first_ts),
      lastTs: BigInt(r.last_ts),
      // only the native DuckDB table keeps the mark; a NULL or a missing column says nothing
      jsonQuirks: (r as { json_quirks?: boolean | null }).json_quirks !== false,
      jsonNames: namesOfRow(r as { json_names?: unknown; json_names_known?: unknown }),
    }));
    this.byId = undefined;
    this.loadedAt = startedAt;
  }

  /** Streams matching the selector with entries overlapping [from, to]. */
  async select(matchers: Matcher[], from: bigint, to: bigint): Promise<StreamInfo[]> {
    // the plan's first step: the selector resolved to stream ids (what the entries scans will read)
    return inSpan('plan streams', undefined, async (span) => {
      const match = compileMatchers(matchers);
      const out = (await this.all()).filter((s) => s.lastTs >= from && s.firstTs <= to && match(s.labels));
      span?.setAttribute('logqlsql.streams', out.length);
      return out;
    });
  }
}
