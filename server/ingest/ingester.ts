// Writes pushed streams into the native schema.
//
// Group commit: pushes that arrive while a write is running queue up and go into the next transaction together;
// each push's promise resolves only after the COMMIT that stored it (so a 204 means durably stored). A failing group
// is retried push by push so one bad push cannot fail the others. The engines' write paths: duckdb.ts, postgres.ts,
// clickhouse.ts (identical (stream, ts, line, metadata) entries are stored once on every engine).

import type { PushStream } from '../engine/types';
import type { Driver } from '../sql/driver';
import { DUCKDB_ROW_GROUP_SIZE, DuckDBDriver } from '../sql/dialects/duckdb/driver';
import { canonicalLabels, ensureNativeSchema, fnv1a64, labelsJson } from '../schema/native';
import { engineWriter, type GroupWriter } from './writers';
import { withDuckDBWriteLock, writeDuckDBGroup, type WrittenStream } from './duckdb';

export interface PushResult {
  /** entries stored by this push */
  entries: number;
  /** entries skipped because an identical (stream, ts, line, metadata) was already stored or came earlier in the batch */
  duplicates: number;
}

export interface IngesterOptions {
  /** most rows written in one transaction (pushes are never split; default 2,000,000) */
  maxGroupRows?: number;
  /** rows a group should reach before it is written while other pushers are active (default: DuckDB's row group
   *  size, 16,384 — a DuckDB transaction that large is written once, straight to the database file) */
  minGroupRows?: number;
  /** longest a gathering group waits for the next push to arrive (ms, default 25; 0 never waits); the whole wait is
   *  at most four times that */
  maxGroupWaitMs?: number;
}

interface Pending {
  streams: PushStream[];
  rows: number;
  resolve: (r: PushResult) => void;
  reject: (e: unknown) => void;
}

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
  private readonly minGroupRows: number;
  private readonly maxGroupWaitMs: number;
  /** rows waiting in the queue */
  private queuedRows = 0;
  /** pushes accepted and not yet answered */
  private outstanding = 0;
  /** how many concurrent pushes to expect in a group: the most outstanding at once, lowered when a wait times out */
  private expected = 1;
  /** transactions written so far (tests, metrics) */
  groupsWritten = 0;
  /** a group waiting for more pushes: called on every push that arrives meanwhile */
  private wake: (() => void) | undefined;
  private readonly duck: DuckDBDriver | undefined;
  /** PostgreSQL / ClickHouse write path (writers.ts); undefined for DuckDB */
  private readonly writer: GroupWriter | undefined;
  /** DuckDB: told after each commit which streams it wrote (the engine's stream catalog) */
  onStreamsWritten?: (streams: WrittenStream[]) => void;

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
    this.minGroupRows = Math.min(opts.minGroupRows ?? DUCKDB_ROW_GROUP_SIZE, this.maxGroupRows);
    this.maxGroupWaitMs = opts.maxGroupWaitMs ?? 25;
  }

  /** Store the streams; resolves after the commit that made them durable. */
  push(streams: PushStream[]): Promise<PushResult> {
    const rows = countRows(streams);
    if (rows === 0) return Promise.resolve({ entries: 0, duplicates: 0 });
    return new Promise<PushResult>((resolve, reject) => {
      const done = () => {
        this.outstanding--;
      };
      this.queue.push({
        streams,
        rows,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.queuedRows += rows;
      if (++this.outstanding > this.expected) this.expected = this.outstanding;
      this.wake?.();
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
    // DuckDB: behind the database's write lock, so that two ingesters of one fresh database do not both create it
    const create = () => ensureNativeSchema(this.driver);
    this.schemaReady ??= (this.duck ? withDuckDBWriteLock(this.duck, create) : create()).catch((e) => {
      this.schemaReady = undefined;
      throw e;
    });
    return this.schemaReady;
  }

  /** Enough queued to write now: the row target, or every push expected (all the concurrent pushers are in). */
  private groupReady(): boolean {
    return this.queuedRows >= this.minGroupRows || this.queue.length >= this.expected;
  }

  /**
   * Group commit with a short gathering delay. Concurrent pushers (each waiting for its answer before it sends the
   * next request) would otherwise settle into small alternating groups — whoever was answered last is still
   * sending and decoding its next request when the writer starts. When fewer rows than `minGroupRows` and fewer
   * pushes than have recently been outstanding at once are queued, wait for the others as long as they keep coming
   * (each within `maxGroupWaitMs` of the previous one, in all at most four times that); a wait that ends short lowers
   * the expectation to what came. A lone pusher never waits.
   */
  private async gather(): Promise<void> {
    if (this.maxGroupWaitMs <= 0 || this.groupReady()) return;
    const gap = this.maxGroupWaitMs;
    const deadline = performance.now() + 4 * gap;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout;
      const finish = (short: boolean) => {
        clearTimeout(timer);
        this.wake = undefined;
        if (short) this.expected = Math.max(1, this.queue.length);
        resolve();
      };
      const arm = () => {
        clearTimeout(timer);
        const left = deadline - performance.now();
        if (left <= 0) return finish(true);
        timer = setTimeout(() => finish(true), Math.min(gap, left));
      };
      this.wake = () => (this.groupReady() ? finish(false) : arm());
      arm();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      await this.gather();
      const group: Pending[] = [this.queue.shift()!];
      let rows = group[0].rows;
      while (this.queue.length > 0 && rows + this.queue[0].rows <= this.maxGroupRows) {
        const p = this.queue.shift()!;
        rows += p.rows;
        group.push(p);
      }
      this.queuedRows -= rows;
      try {
        await this.ensureSchema();
        const results = await this.writeGroup(group);
        this.groupsWritten++;
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

  private writeGroup(group: Pending[]): Promise<PushResult[]> {
    const info = (labels: PushStream['labels']) => this.streamInfo(labels);
    if (this.writer) return this.writer(group, info);
    return writeDuckDBGroup(this.duck!, group, info, (s) => this.onStreamsWritten?.(s));
  }
}
