// The engine: parse → plan → SQL (+ TypeScript stages) → results. Adapters (HTTP, gRPC, CLI) only call EngineApi.
import { parse } from '../logql/check';
import type { Expr, Matcher } from '../logql/ast';
import { LogQLError } from '../logql/errors';
import { openDriver, type OpenOptions } from '../sql/open';
import type { Driver } from '../sql/driver';
import type { Dialect } from '../sql/dialect';
import { duckdbDialect } from '../sql/dialects/duckdb/dialect';
import { postgresDialect } from '../sql/dialects/postgres/dialect';
import { clickhouseDialect } from '../sql/dialects/clickhouse/dialect';
import { ensureNativeSchema, ENTRIES_TABLE } from '../schema/native';
import { Ingester, PushValidationError } from '../ingest';
import { StreamCatalog } from './streams';
import { Admission } from './admission';
import { mappedDialect, parseMapping, resolveMapping, type MappedSource, type MappingConfig } from '../schema/mapping';
import { newStats, runSql, type ExecContext } from './context';
import { runLogQuery } from './logQuery';
import { runMetricQueryWindowed } from './metricQuery';
import { defaultStep, stepGrid, nsToMs } from '../eval/steps';
import { toQueryData } from './results';
import { entriesWhere } from '../sql/rowSelect';
import { SqlWriter } from '../sql/dialect';
import { ProcessedCounter } from '../stats/processed';
import { inSpan, inSpanSync } from '../telemetry/tracing';
import type { EngineApi, IndexStats, Labels, PushStream, QueryRequest, QueryResult, Translation } from './types';

export interface EngineOptions {
  /** read an existing table instead of the native schema (schema/mapping.ts); pushes are then refused */
  mapping?: MappingConfig;
  /** upper bound for a log query's limit (Loki's max_entries_limit_per_query, default 5000) */
  maxLimit?: number;
  /** how to connect (TLS to a database server, pool size) */
  driver?: OpenOptions;
  /** queries running at once; later ones wait in arrival order (Loki's querier.max_concurrent; default 4) */
  maxConcurrent?: number;
}

export const DIALECTS: Record<string, Dialect> = {
  duckdb: duckdbDialect,
  postgres: postgresDialect,
  clickhouse: clickhouseDialect,
};

export class Engine implements EngineApi {
  readonly catalog: StreamCatalog;
  readonly maxLimit: number;

  private readonly ingester: Ingester | undefined;
  private readonly admission: Admission;
  /** Loki's processed lines/bytes per (stream, hour), shared by this engine's queries (stats/processed.ts) */
  private readonly processed: ProcessedCounter;

  private constructor(
    readonly driver: Driver,
    readonly dialect: Dialect,
    opts: EngineOptions,
    /** the existing table this engine reads, when mapped */
    readonly mapped?: MappedSource,
  ) {
    // a mapped table's catalog is an aggregate over the whole table: refresh it less often. A native DuckDB file is
    // written by this process alone (DuckDB's file lock), whose pushes and maintenance invalidate the catalog: no
    // periodic reload (it reads the whole streams table). PostgreSQL and ClickHouse may have other writers.
    this.catalog = mapped
      ? new StreamCatalog(driver, 30_000, { sql: mapped.streamsSql, toLabels: mapped.toLabels })
      : new StreamCatalog(driver, driver.engine === 'duckdb' ? Infinity : 2000);
    this.ingester = mapped ? undefined : new Ingester(driver);
    // the native DuckDB file's catalog follows this process's writes as they commit (no reload per push)
    if (this.ingester && driver.engine === 'duckdb') this.ingester.onStreamsWritten = (w) => this.catalog.applyWrite(w);
    this.maxLimit = opts.maxLimit ?? 5000;
    this.admission = new Admission(Math.max(1, opts.maxConcurrent ?? 4));
    this.processed = new ProcessedCounter(driver, dialect);
  }

  /** `dbUrl` may end in `#<mapping>` to read an existing table (schema/mapping.ts parseMapping), e.g.
   *  `clickhouse://host:8123/default#otel` or `postgres://…/db#flat:table=logs,ts=time,line=msg`. */
  static async open(dbUrl: string, opts: EngineOptions = {}): Promise<Engine> {
    const m = /^(.*)#((?:flat|map|otel)(?::.*)?)$/s.exec(dbUrl);
    if (m && !opts.mapping)
      return Engine.openWith(await openDriver(m[1], opts.driver), { ...opts, mapping: parseMapping(m[2]) });
    return Engine.openWith(await openDriver(dbUrl, opts.driver), opts);
  }

  /** An engine over an open driver (closed with the engine, or here when the schema or mapping is unusable). */
  static async openWith(driver: Driver, opts: EngineOptions = {}): Promise<Engine> {
    try {
      const dialect = DIALECTS[driver.engine];
      if (!dialect) throw new Error(`no SQL dialect for ${driver.engine}`);
      if (opts.mapping) {
        const src = await resolveMapping(driver, opts.mapping);
        const engine = new Engine(driver, await mappedDialect(driver, dialect, src), opts, src);
        await engine.catalog.all(); // a mapping that validates but cannot be read fails here, at start-up
        return engine;
      }
      await ensureNativeSchema(driver);
      return new Engine(driver, dialect, opts);
    } catch (e) {
      await driver.close().catch(() => undefined);
      throw e;
    }
  }

  private context(query: string, signal?: AbortSignal, execute = true): ExecContext {
    return {
      driver: this.driver,
      dialect: this.dialect,
      catalog: this.catalog,
      stats: newStats(),
      query,
      signal,
      execute,
      processed: this.processed,
    };
  }

  async query(req: QueryRequest): Promise<QueryResult> {
    return inSpan('logql query', { 'logql.query': req.query, 'logql.instant': req.instant }, () => this.runQuery(req));
  }

  private async runQuery(req: QueryRequest): Promise<QueryResult> {
    const t0 = performance.now();
    const expr = inSpanSync('logql parse', undefined, () => parse(req.query));
    if (req.limit > this.maxLimit) {
      throw new LogQLError(
        'limit',
        `max entries limit per query exceeded, limit > max_entries_limit (${req.limit} > ${this.maxLimit})`,
      );
    }
    const ctx = this.context(req.query, req.signal);
    const release = await this.admission.acquire(req.signal);
    ctx.stats.queueMs = performance.now() - t0;
    try {
      const data = await this.execute(ctx, expr, req);
      ctx.stats.totalMs = performance.now() - t0;
      return { data, stats: ctx.stats };
    } finally {
      release();
    }
  }

  private async execute(ctx: ExecContext, expr: Expr, req: QueryRequest) {
    if (expr.kind === 'log') {
      // An instant log query reads (time − 0, time]: Loki treats it as a range query ending at `time`.
      const res = await runLogQuery(ctx, {
        expr,
        from: req.instant ? req.end - 3_600_000_000_000n : req.start,
        to: req.end,
        limit: req.limit,
        direction: req.direction,
        sink: req.onStreams,
        parsedLabels: req.parsedLabels,
      });
      ctx.stats.limitReached = res.limitReached;
      return { resultType: 'streams' as const, result: res.streams };
    }
    const step = req.step && req.step > 0n ? req.step : defaultStep(req.start, req.end);
    const grid = stepGrid(req.start, req.end, step, req.instant);
    const value = await runMetricQueryWindowed(ctx, expr, grid);
    return toQueryData(value, grid, req.instant, expr);
  }

  /** The dialect `translate` renders for: this engine's own (mapped relation included) or another engine's. */
  private dialectFor(name: string | undefined): Dialect {
    if (!name || name === this.dialect.name) return this.dialect;
    const alias: Record<string, string> = { postgresql: 'postgres', pg: 'postgres', chdb: 'clickhouse' };
    const d = DIALECTS[alias[name] ?? name];
    if (!d)
      throw new LogQLError(
        'unsupported',
        `unknown SQL dialect ${JSON.stringify(name)}: use ${Object.keys(DIALECTS).join(', ')}`,
      );
    return this.mapped ? { ...d, entries: undefined, minuteCounts: undefined } : d;
  }

  /** Plans the query without running SQL: the statements it would run and what stays in TypeScript. */
  async translate(query: string, dialectName?: string, req?: Partial<QueryRequest>): Promise<Translation> {
    const expr = parse(query);
    const dialect = this.dialectFor(dialectName);
    const ctx: ExecContext = { ...this.context(query, undefined, false), dialect, statements: [] };
    const end = req?.end ?? BigInt(Date.now()) * 1_000_000n;
    const start = req?.start ?? end - 3_600_000_000_000n;
    await this.execute(ctx, expr, {
      query,
      start,
      end,
      step: req?.step,
      instant: req?.instant ?? false,
      limit: req?.limit ?? 100,
      direction: req?.direction ?? 'backward',
    });
    const tsStages = [...new Set(ctx.stats.tsStages)];
    return {
      sql: ctx.statements!.map((st) => ({
        text: st.text,
        params: st.params.map((p) => (typeof p === 'bigint' ? p.toString() : Array.isArray(p) ? p.map(String) : p)),
      })),
      tsStages,
      explain: [
        `dialect: ${dialect.name}`,
        ...ctx.stats.sql.map((s, i) => `SQL ${i + 1}: ${s}`),
        tsStages.length ? `TypeScript stages:\n  - ${tsStages.join('\n  - ')}` : 'everything runs in the database',
      ].join('\n'),
    };
  }

  private async streamsFor(query: string | undefined, start: bigint, end: bigint): Promise<Labels[]> {
    if (!query)
      return (await this.catalog.all()).filter((s) => s.lastTs >= start && s.firstTs <= end).map((s) => s.labels);
    const expr = parse(query);
    const matchers = selectorOf(expr);
    return (await this.catalog.select(matchers, start, end)).map((s) => s.labels);
  }

  async labelNames(start: bigint, end: bigint, query?: string): Promise<string[]> {
    const names = new Set<string>();
    for (const l of await this.streamsFor(query, start, end)) for (const k of Object.keys(l)) names.add(k);
    return [...names].sort();
  }

  async labelValues(name: string, start: bigint, end: bigint, query?: string): Promise<string[]> {
    const values = new Set<string>();
    for (const l of await this.streamsFor(query, start, end)) if (l[name] !== undefined) values.add(l[name]);
    return [...values].sort();
  }

  async series(match: string[], start: bigint, end: bigint): Promise<Labels[]> {
    const seen = new Map<string, Labels>();
    for (const m of match.length ? match : [undefined]) {
      for (const l of await this.streamsFor(m, start, end)) seen.set(JSON.stringify(l), l);
    }
    return [...seen.values()];
  }

  async indexStats(query: string, start: bigint, end: bigint): Promise<IndexStats> {
    const expr = parse(query);
    const streams = await this.catalog.select(selectorOf(expr), start, end);
    if (streams.length === 0) return { streams: 0, chunks: 0, entries: 0, bytes: 0 };
    const w = new SqlWriter(this.dialect);
    const where = entriesWhere(
      w,
      streams.map((s) => s.id),
      start,
      end,
      [],
    );
    const ctx = this.context(query);
    const rows = await runSql<{ n: bigint | number; b: bigint | number | null }>(
      ctx,
      `SELECT count(*) AS n, sum(${this.dialect.byteLength('line')}) AS b FROM ${this.dialect.entries ?? ENTRIES_TABLE} WHERE ${where.join(' AND ')}`,
      w.params,
    );
    const entries = Number(rows[0]?.n ?? 0);
    return { streams: streams.length, chunks: streams.length, entries, bytes: Number(rows[0]?.b ?? 0) };
  }

  async push(streams: PushStream[]): Promise<{ entries: number }> {
    if (!this.ingester) {
      throw new PushValidationError(
        `push is disabled: this server reads the existing ${this.mapped?.describe ?? 'table'}`,
        405,
      );
    }
    const ingester = this.ingester;
    // hours this push writes into are counted again by the next query's stats
    let oldest: bigint | undefined;
    let entries = 0;
    for (const s of streams) {
      entries += s.entries.length;
      for (const e of s.entries) if (oldest === undefined || e.ts < oldest) oldest = e.ts;
    }
    let res;
    try {
      res = await inSpan('push', { 'logqlsql.streams': streams.length, 'logqlsql.entries': entries }, () =>
        ingester.push(streams),
      );
    } catch (e) {
      this.catalog.invalidate();
      throw e;
    }
    if (oldest !== undefined) this.processed.invalidateFrom(oldest);
    // (DuckDB: the ingester told the catalog what it wrote; other engines' writers do not)
    if (this.driver.engine !== 'duckdb') this.catalog.invalidate();
    return { entries: res.entries };
  }

  /** retention and delete requests (server/retention) work on this engine's driver, catalog and dialect */
  maintain<T>(fn: (target: Engine) => Promise<T>): Promise<T> {
    // rows removed: the processed-lines counts kept per hour are stale
    return fn(this).finally(() => this.processed.clear());
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

function selectorOf(expr: Expr): Matcher[] {
  switch (expr.kind) {
    case 'log':
      return expr.matchers;
    case 'rangeAgg':
      return expr.log.matchers;
    case 'vectorAgg':
    case 'labelReplace':
      return selectorOf(expr.expr);
    default:
      throw new LogQLError('check', 'a stream selector is required here');
  }
}

export { nsToMs };
