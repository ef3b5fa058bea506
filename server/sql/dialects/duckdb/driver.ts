// DuckDB driver (@duckdb/node-api, "Node Neo").
//
// Concurrency: one DuckDB instance, a small pool of connections. DuckDB runs one statement at a time per connection
// but several connections of one instance run in parallel (MVCC; one writer at a time is serialised by DuckDB
// itself). `query` borrows an idle connection (or opens one, up to `maxConnections`), so concurrent queries never
// share a connection and an interrupt for one query cannot hit another's statement.
//
// Parameters are positional (`$1…`) and always bound with an explicit type, so DuckDB never has to guess from the
// text of a value (and no value is ever spliced into SQL):
//   string → VARCHAR, bigint → BIGINT, integer number in int32 range → INTEGER, other number → DOUBLE,
//   boolean → BOOLEAN, null → NULL, string[] → VARCHAR[], bigint[] → BIGINT[], number[] → DOUBLE[],
//   [] → an untyped empty list (compares with any element type).
// Rows come back as plain objects: BIGINT/HUGEINT → bigint, INTEGER/DOUBLE/DECIMAL → number, VARCHAR → string,
// lists → arrays, NULL → null.
//
// Storage layout: a file database is ATTACHed with ROW_GROUP_SIZE 16384 (DESIGN §8: small row groups ordered by
// time chunk then stream let `limit` queries prune via zone maps / Top-N dynamic filters). `:memory:` databases
// ignore ROW_GROUP_SIZE (DuckDB keeps in-memory tables uncompressed in its default row groups).

import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBAppender,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBType,
  DuckDBTypeId,
  DuckDBValue,
  INTEGER,
  LIST,
  SQLNULL,
  VARCHAR,
  JSDuckDBValueConverter,
  listValue,
} from '@duckdb/node-api';
import type { Driver, EngineName, Row, SqlParam } from '../../driver';

/** Name under which the database file (or :memory:) is attached; every pooled connection `USE`s it. */
const CATALOG = 'logs';
export const DUCKDB_ROW_GROUP_SIZE = 16_384;
/** The file format new data is written in: v1.3.0 has DICT_FSST, which stores the suite's lines in 0.44× their bytes
 *  (the older default format offered FSST or nothing: schema/native.ts, docs/storage.md) */
export const DUCKDB_STORAGE_VERSION = 'v1.3.0';

/** Optimizer settings for every connection. The CTE filter pusher copies the filters of a materialised CTE's readers
 *  into the CTE, where they are written over the CTE's column *expressions*: the pipeline statements of
 *  sql/pipeline (one CTE whose label columns are costly regex and JSON probes, read by several filters) then evaluate
 *  every probe once per mention instead of once per row — 5× slower on `| logfmt | status >= 500`. */
const SESSION_SETTINGS = `SET disabled_optimizers = 'cte_filter_pusher'`;

export interface DuckDBDriverOptions {
  /** file path or ':memory:' */
  path: string;
  /** most connections open at once (default 8) */
  maxConnections?: number;
  /** DuckDB `threads` setting (default: DuckDB's own, the number of cores) */
  threads?: number;
  /** DuckDB `memory_limit` ('512MB', '2GB'; default: LOGQLSQL_DUCKDB_MEMORY_LIMIT, else DuckDB's own) */
  memoryLimit?: string;
}

/** A connection held exclusively for a sequence of statements (a transaction, an appender). */
export interface DuckDBSession {
  query<T extends Row = Row>(sql: string, params?: SqlParam[], signal?: AbortSignal): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** DuckDB appender on a table of the session's connection (temp tables: schema 'main', catalog 'temp'). */
  appender(table: string, schema?: string, catalog?: string): Promise<DuckDBAppender>;
  readonly connection: DuckDBConnection;
}

function attachSql(path: string): string {
  return `ATTACH ${quoteDuckDBString(path)} AS ${CATALOG} (ROW_GROUP_SIZE ${DUCKDB_ROW_GROUP_SIZE}, STORAGE_VERSION '${DUCKDB_STORAGE_VERSION}')`;
}

export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'query cancelled') {
    super(message);
  }
}

/** Quote an SQL string literal (DuckDB/standard SQL: double the single quotes). Only for DDL-time constants such as
 *  file paths, which cannot be bound parameters; refuses NUL. */
export function quoteDuckDBString(s: string): string {
  if (s.includes('\0')) throw new Error('string literal must not contain NUL');
  return `'${s.replace(/'/g, "''")}'`;
}

function typeFor(p: SqlParam, index: number): [DuckDBValue, DuckDBType] {
  if (p === null || p === undefined) return [null, SQLNULL];
  switch (typeof p) {
    case 'string':
      return [p, VARCHAR];
    case 'bigint':
      if (p < -(2n ** 63n) || p >= 2n ** 63n)
        throw new RangeError(`parameter $${index + 1}: bigint out of BIGINT range`);
      return [p, BIGINT];
    case 'number':
      return Number.isInteger(p) && p >= -2147483648 && p <= 2147483647 ? [p, INTEGER] : [p, DOUBLE];
    case 'boolean':
      return [p, BOOLEAN];
  }
  if (Array.isArray(p)) {
    if (p.length === 0) return [listValue([]), LIST(SQLNULL)];
    const first = p[0];
    const kind = typeof first;
    for (const v of p) {
      if (typeof v !== kind) throw new TypeError(`parameter $${index + 1}: list mixes ${kind} and ${typeof v}`);
    }
    if (kind === 'string') return [listValue(p as string[]), LIST(VARCHAR)];
    if (kind === 'bigint') return [listValue(p as bigint[]), LIST(BIGINT)];
    if (kind === 'number') return [listValue(p as number[]), LIST(DOUBLE)];
  }
  throw new TypeError(`parameter $${index + 1}: unsupported value of type ${typeof p}`);
}

function bindParams(params: SqlParam[]): [DuckDBValue[], DuckDBType[]] {
  const values: DuckDBValue[] = new Array(params.length);
  const types: DuckDBType[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) [values[i], types[i]] = typeFor(params[i], i);
  return [values, types];
}

function isInterrupt(e: unknown): boolean {
  return e instanceof Error && /INTERRUPT/i.test(e.message);
}

async function runQuery<T extends Row>(
  conn: DuckDBConnection,
  sql: string,
  params: SqlParam[] | undefined,
  signal: AbortSignal | undefined,
): Promise<T[]> {
  if (signal?.aborted) throw new AbortError();
  const onAbort = () => conn.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = params && params.length > 0 ? await conn.run(sql, ...bindParams(params)) : await conn.run(sql);
    // rows are converted a chunk (2,048 rows) at a time between awaits of the next chunk, so a large result does not
    // hold the event loop for its whole conversion (/ready and pushes answer in between)
    const rows: T[] = [];
    const names = result.deduplicatedColumnNames();
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      if (signal?.aborted) throw new AbortError();
      pushRowObjects(names, chunk, rows as Row[]);
    }
    return rows;
  } catch (e) {
    if (signal?.aborted || isInterrupt(e)) throw new AbortError();
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Column types whose vector items already are the values JSDuckDBValueConverter would make of them. */
const RAW_IS_JS = new Set<DuckDBTypeId>([
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.VARCHAR,
  DuckDBTypeId.SQLNULL,
]);

/** One chunk's rows as objects, the same values as the library's yieldRowObjectJs. Written here because that one
 *  asks the native side for the column count and the vector type of every value of every row (half the time of a
 *  2,000-row answer); this reads each column's vector once per chunk. */
function pushRowObjects(names: string[], chunk: DuckDBDataChunk, rows: Row[]): void {
  const n = chunk.rowCount;
  const vectors = names.map((_, c) => chunk.getColumnVector(c));
  const raw = vectors.map((v) => RAW_IS_JS.has(v.type.typeId));
  const start = rows.length;
  for (let i = 0; i < n; i++) rows.push({});
  for (let c = 0; c < names.length; c++) {
    const name = names[c]!;
    const v = vectors[c]!;
    if (raw[c]) {
      for (let i = 0; i < n; i++) rows[start + i]![name] = v.getItem(i) as Row[string];
    } else {
      const type = v.type;
      for (let i = 0; i < n; i++)
        rows[start + i]![name] = JSDuckDBValueConverter(v.getItem(i), type, JSDuckDBValueConverter) as Row[string];
    }
  }
}

/**
 * Hands the memory DuckDB freed back to the system. DuckDB's allocator (jemalloc) keeps freed pages for reuse and
 * purges them only at a few moments, none of them after a burst of writes: after the public suite's push (a million
 * lines) and the re-attach that frees the written table's state, the server held ~470 MB, ~250 MB of it freed pages,
 * until it exited. Changing the worker-thread count is the one such moment SQL can reach: DuckDB relaunches its
 * threads, then purges every arena and trims the system heap (`malloc_trim`, which also returns what Node's own
 * allocations freed). Measured after that push: 469 → 223 MB, in a few milliseconds. The count is set back at once;
 * the re-attach runs it at a quiet moment, so no query runs on fewer threads.
 */
async function returnFreedMemory(c: DuckDBConnection): Promise<void> {
  const threads = Number((await c.runAndReadAll(`SELECT current_setting('threads')`)).getRows()[0]?.[0]);
  if (!Number.isInteger(threads) || threads < 1) return;
  await c.run(`SET threads = ${threads === 1 ? 2 : threads - 1}`);
  await c.run(`SET threads = ${threads}`);
}

/** Rows written since the file was attached after which the driver re-attaches it (see `noteWritten`). */
const REATTACH_AFTER_ROWS = 100_000;
/** …once no write came for this long and no statement runs */
const REATTACH_QUIET_MS = 50;

export class DuckDBDriver implements Driver {
  readonly engine: EngineName = 'duckdb';
  readonly path: string;
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiters: ((c: DuckDBConnection) => void)[] = [];
  private open = 0;
  private closed = false;
  private readonly maxConnections: number;
  /** rows written since the file was attached, and when the last write ended */
  private written = 0;
  private lastWrite = 0;
  /** set while the file is re-attached: connections are handed out after it */
  private reattaching?: Promise<void>;
  private reattachTimer?: NodeJS.Timeout;
  /** how many times the file was re-attached (tests, diagnostics) */
  reattached = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    path: string,
    maxConnections: number,
  ) {
    this.path = path;
    this.maxConnections = Math.max(1, maxConnections);
  }

  static async open(opts: DuckDBDriverOptions): Promise<DuckDBDriver> {
    const config: Record<string, string> = {};
    if (opts.threads) config.threads = String(opts.threads);
    // DuckDB's own default is 80 % of the machine's memory, most of it its cache of table blocks (docs/storage.md)
    const limit = (opts.memoryLimit ?? process.env.LOGQLSQL_DUCKDB_MEMORY_LIMIT)?.trim();
    if (limit) config.memory_limit = limit;
    const instance = await DuckDBInstance.create(':memory:', config).catch((e: unknown) => {
      // DuckDB only says "Failed to set config"
      if (limit)
        throw new Error(`DuckDB memory limit ${JSON.stringify(limit)}: not a size DuckDB takes (512MB, 2GB, …)`);
      throw e;
    });
    const conn = await instance.connect();
    try {
      if (opts.path === ':memory:') {
        await conn.run(`ATTACH ':memory:' AS ${CATALOG}`);
      } else {
        await conn.run(attachSql(opts.path));
      }
      await conn.run(`USE ${CATALOG}`);
      await conn.run(SESSION_SETTINGS);
    } catch (e) {
      conn.closeSync();
      instance.closeSync();
      throw e;
    }
    const d = new DuckDBDriver(instance, opts.path, opts.maxConnections ?? 8);
    d.open = 1;
    d.idle.push(conn);
    return d;
  }

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('driver is closed');
    while (this.reattaching) await this.reattaching;
    const c = this.idle.pop();
    if (c) return c;
    if (this.open < this.maxConnections) {
      this.open++;
      try {
        const conn = await this.instance.connect();
        await conn.run(`USE ${CATALOG}`);
        await conn.run(SESSION_SETTINGS);
        return conn;
      } catch (e) {
        this.open--;
        throw e;
      }
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(c: DuckDBConnection): void {
    const w = this.waiters.shift();
    if (w) w(c);
    else this.idle.push(c);
    this.scheduleReattach();
  }

  private scheduleReattach(): void {
    if (this.written < REATTACH_AFTER_ROWS || this.reattachTimer || this.closed) return;
    const wait = Math.max(0, this.lastWrite + REATTACH_QUIET_MS - performance.now());
    this.reattachTimer = setTimeout(() => {
      this.reattachTimer = undefined;
      this.reattachIfQuiet();
    }, wait);
    this.reattachTimer.unref();
  }

  /**
   * The caller wrote `rows` rows (appended or deleted) and committed. Scans over rows this DuckDB instance wrote
   * itself are slower than over the same rows read from the file (per-table state DuckDB keeps in memory for them,
   * which a checkpoint does not drop): after a million pushed lines the suite's small queries took 20–40 % longer
   * than on the same file freshly attached (measured; FORCE CHECKPOINT, VACUUM, new connections and DuckDB's
   * allocator settings did not help, DETACH + ATTACH did). So once enough rows were written, the file is detached
   * and attached again at a quiet moment — no write for REATTACH_QUIET_MS and no statement running; statements that
   * arrive meanwhile wait for it (~30 ms, most of it the checkpoint DETACH does).
   */
  noteWritten(rows: number): void {
    if (this.path === ':memory:') return;
    this.written += rows;
    this.lastWrite = performance.now();
  }

  private reattachIfQuiet(): void {
    if (this.closed || this.reattaching || this.written < REATTACH_AFTER_ROWS) return;
    // busy: the next release looks again
    if (this.idle.length < this.open || this.waiters.length > 0) return;
    if (performance.now() - this.lastWrite < REATTACH_QUIET_MS) return this.scheduleReattach();
    const conns = this.idle.splice(0);
    this.reattaching = (async () => {
      try {
        const [first] = conns;
        if (!first) return;
        await first.run('USE memory');
        // IF EXISTS: an earlier attempt that detached but could not attach again is retried from here
        await first.run(`DETACH DATABASE IF EXISTS ${CATALOG}`);
        await first.run(attachSql(this.path));
        await returnFreedMemory(first);
        for (const c of conns) {
          await c.run(`USE ${CATALOG}`);
          await c.run(SESSION_SETTINGS);
        }
        this.written = 0;
        this.reattached++;
      } catch (e) {
        // the file could not be attached again: statements fail with DuckDB's reason until it can
        process.emitWarning(`re-attaching ${this.path} failed: ${String(e)}`);
      } finally {
        this.idle.push(...conns);
        this.reattaching = undefined;
      }
    })();
  }

  /** Run `fn` with one connection held exclusively (for transactions and appenders). On an error, an open
   *  transaction is rolled back before the connection returns to the pool. */
  async withSession<T>(fn: (s: DuckDBSession) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    const session: DuckDBSession = {
      connection: conn,
      query: <R extends Row = Row>(sql: string, params?: SqlParam[], signal?: AbortSignal) =>
        runQuery<R>(conn, sql, params, signal),
      exec: async (sql: string) => {
        await conn.run(sql);
      },
      appender: (table, schema, catalog) => conn.createAppender(table, schema ?? null, catalog ?? null),
    };
    try {
      return await fn(session);
    } catch (e) {
      try {
        await conn.run('ROLLBACK');
      } catch {
        /* no transaction open */
      }
      throw e;
    } finally {
      this.release(conn);
    }
  }

  /** Run `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (s: DuckDBSession) => Promise<T>): Promise<T> {
    return this.withSession(async (s) => {
      await s.exec('BEGIN TRANSACTION');
      const out = await fn(s);
      await s.exec('COMMIT');
      return out;
    });
  }

  async query<T extends Row = Row>(sql: string, params?: SqlParam[], signal?: AbortSignal): Promise<T[]> {
    if (signal?.aborted) throw new AbortError();
    const conn = await this.acquire();
    try {
      return await runQuery<T>(conn, sql, params, signal);
    } finally {
      this.release(conn);
    }
  }

  async exec(sql: string): Promise<void> {
    const conn = await this.acquire();
    try {
      await conn.run(sql);
    } finally {
      this.release(conn);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.reattachTimer);
    while (this.reattaching) await this.reattaching;
    // wait for borrowed connections to come back
    while (this.idle.length < this.open) {
      await new Promise<void>((resolve) =>
        this.waiters.push((c) => {
          this.idle.push(c);
          resolve();
        }),
      );
    }
    this.closed = true;
    const conn = this.idle[0];
    if (conn && this.path !== ':memory:') {
      try {
        await conn.run('CHECKPOINT');
      } catch {
        /* best effort: the WAL is replayed on the next open anyway */
      }
    }
    for (const c of this.idle) c.closeSync();
    this.idle.length = 0;
    this.instance.closeSync();
  }
}

export function isDuckDBDriver(d: Driver): d is DuckDBDriver {
  return d instanceof DuckDBDriver;
}
