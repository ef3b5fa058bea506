// The `logqlsql` command line: `serve` (Loki HTTP API), `query` (run LogQL against a database) and `translate`
// (show the SQL a query compiles to). Logs go to stderr as JSON (pino); stdout carries only command output.

import { labelsString } from '../util/labels';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pino, { type Logger } from 'pino';
import type { Direction, EngineApi, QueryRequest, QueryResult } from '../engine/types';
import { generateDemo, startTrickle } from '../demo';
import { startServer, VERSION } from '../http/server';
import { tenantEngines } from '../http/access';
import { DEFAULT_QUERY_LIMITS, setQueryLimits } from '../eval/limits';
import { DEFAULT_TEMPLATE_LIMITS, setTemplateLimits } from '../eval/template';
import {
  createHclogLogger,
  defaultEngineFactory,
  isPluginMode,
  runPluginMode,
  startGrpcServer,
  tenantEngineFactory,
} from '../grafana';
import type { Engine } from '../engine/engine';
import { redact } from '../sql/open';
import { ingestLimitOption, ingestLimitsFromOptions, type IngestLimits } from '../ingest/limits';
import { encodeQueryResponse } from '../http/marshal';
import {
  ParamError,
  defaultStep,
  nowNs,
  parseDirection,
  parseLimit,
  parsePromDuration,
  parseSecondsOrDuration,
  parseTimestamp,
} from '../http/params';

export const DEFAULT_DB = 'duckdb:./data/logs.duckdb';
export const DEFAULT_LISTEN = '127.0.0.1:3100';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** open the engine for a database URL (tests inject fakes) */
  openEngine: (dbUrl: string, opts: { maxLimit?: number }) => Promise<EngineApi>;
  /** the pino destination for `serve` logs; default stderr */
  logDestination?: pino.DestinationStream;
}

const defaultIO: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  openEngine: async (dbUrl, opts) => (await import('../engine/engine')).Engine.open(dbUrl, opts),
};

/** A failure the user should see as one line on stderr, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** HOST:PORT, :PORT or PORT → host and port. */
export function parseListen(s: string): { host: string; port: number } {
  const v = s.trim();
  let host: string;
  let portText: string;
  if (/^\d+$/.test(v)) {
    host = '127.0.0.1';
    portText = v;
  } else {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(v);
    if (!m) throw new InvalidArgumentError(`expected HOST:PORT (e.g. ${DEFAULT_LISTEN}), got ${JSON.stringify(s)}`);
    host = m[1] ?? (m[2] || '0.0.0.0');
    portText = m[3]!;
  }
  const port = Number(portText);
  if (port > 65535) throw new InvalidArgumentError(`port ${port} is out of range`);
  return { host, port };
}

/**
 * A CLI time: anything the HTTP API accepts (ns, seconds, float seconds, RFC3339), `now`, `now-1h`, or a bare
 * duration meaning that long ago (`15m`).
 */
export function parseCliTime(s: string, now = nowNs()): bigint {
  const v = s.trim();
  if (v === 'now') return now;
  const rel = /^now-(.+)$/.exec(v);
  if (rel) return now - parsePromDuration(rel[1]!);
  if (/^\d+(?:ms|[smhdwy])/.test(v) && !/^\d+$/.test(v)) {
    try {
      return now - parsePromDuration(v);
    } catch {
      /* fall through */
    }
  }
  return parseTimestamp(v, now);
}

function ask<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (e) {
    throw new CliError(`invalid ${what}: ${(e as Error).message}`, 2);
  }
}

/** ns → RFC3339 with nanoseconds, trailing zeros trimmed (Go's RFC3339Nano). */
export function formatNs(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  let secs = s;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    secs -= 1n;
  }
  const iso = new Date(Number(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  const f = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso}${f}Z`;
}

/** Human-readable output: log lines like logcli, metric results as rows. */
export function formatTable(result: QueryResult, direction: Direction): string {
  const d = result.data;
  const out: string[] = [];
  switch (d.resultType) {
    case 'streams': {
      const rows: { ts: bigint; labels: string; line: string }[] = [];
      for (const s of d.result) {
        const labels = labelsString(s.labels);
        for (const e of s.entries)
          rows.push({
            ts: e.ts,
            labels: e.metadata ? labelsString({ ...s.labels, ...e.metadata }) : labels,
            line: e.line,
          });
      }
      rows.sort((a, b) => (a.ts === b.ts ? 0 : a.ts < b.ts === (direction === 'forward') ? -1 : 1));
      for (const r of rows) out.push(`${formatNs(r.ts)} ${r.labels} ${r.line}`);
      break;
    }
    case 'matrix':
      for (const s of d.result) {
        out.push(labelsString(s.metric));
        for (const [t, v] of s.values) out.push(`  ${new Date(t).toISOString()}  ${v}`);
      }
      break;
    case 'vector':
      for (const s of d.result) out.push(`${labelsString(s.metric)}  ${s.value[1]}`);
      break;
    case 'scalar':
      out.push(String(d.result[1]));
      break;
  }
  return out.length ? out.join('\n') + '\n' : '';
}

function logger(level: string, dest?: pino.DestinationStream): Logger {
  return pino({ level, base: { name: 'logqlsql' } }, dest ?? pino.destination({ dest: 2, sync: true }));
}

async function isEmpty(engine: EngineApi): Promise<boolean> {
  const names = await engine.labelNames(0n, 9_223_372_036_854_775_807n);
  return names.length === 0;
}

interface ServeOptions extends Partial<IngestLimits> {
  db: string;
  listen: { host: string; port: number };
  /** also serve Grafana's backend-plugin gRPC services here (server mode, for the launcher) */
  grpc?: { host: string; port: number };
  demo?: boolean;
  demoHours: number;
  maxLimit: number;
  logLevel: string;
  /** require this bearer token on the API (also LOGQLSQL_AUTH_TOKEN) */
  authToken?: string;
  /** X-Scope-OrgID multi-tenancy: one database per tenant */
  tenants?: boolean;
  /** rows waiting for the database before pushes get 429 */
  maxQueuedRows?: number;
  /** Loki's max_query_series */
  maxQuerySeries?: number;
  /** Prometheus' query.max-samples */
  queryMaxSamples?: number;
  /** bytes one template execution may produce */
  templateMaxOutputBytes?: number;
}

async function serve(opts: ServeOptions, io: CliIO): Promise<void> {
  const log = logger(opts.logLevel, io.logDestination);
  setQueryLimits({ maxQuerySeries: opts.maxQuerySeries, maxSamples: opts.queryMaxSamples });
  setTemplateLimits({ maxOutputBytes: opts.templateMaxOutputBytes });
  let engine: EngineApi;
  // multi-tenancy: each tenant's database opens on demand and closes when idle (http/access.ts); the server's own
  // engine (demo data) is tenant "fake", Loki's single-tenant name, so a `{tenant}` URL is never opened literally
  let tenants: ReturnType<typeof tenantEngines> | undefined;
  try {
    tenants = opts.tenants
      ? tenantEngines(opts.db, (url) => io.openEngine(url, { maxLimit: opts.maxLimit }))
      : undefined;
    engine = tenants ? await tenants.engineFor('fake') : await io.openEngine(opts.db, { maxLimit: opts.maxLimit });
  } catch (e) {
    throw new CliError(`cannot open database ${redact(opts.db)}: ${(e as Error).message}`);
  }
  let stopTrickle: (() => void) | undefined;
  if (opts.demo) {
    if (await isEmpty(engine)) {
      const end = nowNs();
      const start = end - BigInt(Math.round(opts.demoHours * 3600)) * 1_000_000_000n;
      const t0 = performance.now();
      const streams = generateDemo({ start, end, linesPerMinute: 300, seed: 1 });
      const { entries } = await engine.push(streams);
      log.info({ entries, ms: Math.round(performance.now() - t0) }, 'demo data loaded');
    } else {
      log.info('database is not empty: demo data not loaded');
    }
    stopTrickle = startTrickle(engine, { onError: (e) => log.warn({ err: e }, 'demo trickle push failed') });
  }
  const authToken = opts.authToken || process.env.LOGQLSQL_AUTH_TOKEN || undefined;
  let app;
  try {
    ({ app } = await startServer(engine, {
      host: opts.listen.host,
      port: opts.listen.port,
      logger: log,
      authToken,
      tenants,
      ingest: opts.maxQueuedRows ? { maxQueuedRows: opts.maxQueuedRows } : undefined,
      limits: ingestLimitsFromOptions(opts),
    }));
  } catch (e) {
    stopTrickle?.();
    await engine.close().catch(() => undefined);
    throw new CliError(`cannot listen on ${opts.listen.host}:${opts.listen.port}: ${(e as Error).message}`);
  }
  let grpcServer: { stop(): Promise<void> } | undefined;
  if (opts.grpc) {
    try {
      // Grafana's data source instances all share this process's database (server mode serves one database).
      const factory = tenants ? tenantEngineFactory(tenants) : async () => engine as Engine;
      grpcServer = await startGrpcServer(factory, opts.grpc.host, opts.grpc.port, {
        closeEngines: false,
        logger: createHclogLogger({ module: 'grpc' }),
        // the token covers the gRPC port too (Grafana sends it as the data source's secureJsonData.authToken)
        authToken,
      });
    } catch (e) {
      await app.close().catch(() => undefined);
      await engine.close().catch(() => undefined);
      throw new CliError(`cannot serve gRPC on ${opts.grpc.host}:${opts.grpc.port}: ${(e as Error).message}`);
    }
    log.info({ grpc: `${opts.grpc.host}:${opts.grpc.port}` }, 'serving the Grafana plugin protocol');
  }
  log.info({ db: redact(opts.db), version: VERSION, demo: opts.demo === true }, 'logqlsql ready');

  await new Promise<void>((resolve) => {
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      closing = true;
      log.info({ signal }, 'shutting down');
      stopTrickle?.();
      const force = setTimeout(() => {
        log.error('shutdown took too long: exiting');
        process.exit(1);
      }, 30_000);
      force.unref();
      void (async () => {
        try {
          await app.close();
          await grpcServer?.stop();
        } catch (e) {
          log.error({ err: e }, 'closing the HTTP server failed');
        }
        try {
          await engine.close();
        } catch (e) {
          log.error({ err: e }, 'closing the database failed');
        }
        log.info('stopped');
        log.flush?.();
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolve();
      })();
    };
    const onInt = () => shutdown('SIGINT');
    const onTerm = () => shutdown('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

interface QueryCliOptions {
  db: string;
  from?: string;
  to?: string;
  time?: string;
  step?: string;
  limit: string;
  direction: string;
  output: 'json' | 'table';
  maxLimit: number;
}

/** Build the request a `query` command line asks for (no database involved). */
export function queryRequest(
  query: string,
  o: Omit<QueryCliOptions, 'db' | 'output' | 'maxLimit'>,
  now = nowNs(),
): QueryRequest {
  const limit = ask(() => parseLimit(o.limit), '--limit');
  const direction = ask(() => parseDirection(o.direction), '--direction');
  if (o.time !== undefined) {
    const t = ask(() => parseCliTime(o.time!, now), '--time');
    return { query, start: t, end: t, instant: true, limit, direction };
  }
  const end = o.to !== undefined ? ask(() => parseCliTime(o.to!, now), '--to') : now;
  const start = o.from !== undefined ? ask(() => parseCliTime(o.from!, now), '--from') : end - 3_600_000_000_000n;
  if (end < start) throw new CliError('--to must not be before --from', 2);
  const step = o.step !== undefined ? ask(() => parseSecondsOrDuration(o.step!), '--step') : defaultStep(start, end);
  if (step <= 0n) throw new CliError('--step must be positive', 2);
  return { query, start, end, step, instant: false, limit, direction };
}

async function runQuery(query: string, o: QueryCliOptions, io: CliIO): Promise<void> {
  const req = queryRequest(query, o);
  const engine = await io.openEngine(o.db, { maxLimit: o.maxLimit }).catch((e: Error) => {
    throw new CliError(`cannot open database ${o.db}: ${e.message}`);
  });
  try {
    const result = await engine.query(req);
    if (o.output === 'json') {
      for (const chunk of encodeQueryResponse(result)) io.stdout(chunk);
    } else {
      io.stdout(formatTable(result, req.direction));
    }
  } finally {
    await engine.close();
  }
}

async function runTranslate(
  query: string,
  o: { db: string; dialect?: string; explain?: boolean },
  io: CliIO,
): Promise<void> {
  const engine = await io.openEngine(o.db, {}).catch((e: Error) => {
    throw new CliError(`cannot open database ${o.db}: ${e.message}`);
  });
  try {
    const t = await engine.translate(query, o.dialect);
    if (o.explain) {
      io.stdout(t.explain.endsWith('\n') ? t.explain : t.explain + '\n');
      return;
    }
    t.sql.forEach((s, i) => {
      if (t.sql.length > 1) io.stdout(`-- statement ${i + 1}\n`);
      io.stdout(s.text.trimEnd() + (s.text.trimEnd().endsWith(';') ? '\n' : ';\n'));
      if (s.params.length)
        io.stdout(`-- params: ${JSON.stringify(s.params, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
    });
    if (t.tsStages.length) io.stdout(`-- in TypeScript after the database: ${t.tsStages.join(', ')}\n`);
  } finally {
    await engine.close();
  }
}

const intArg = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return Number(v);
};

/** The commander program; `io` carries the process boundary so tests can run commands in-process. */
export function buildProgram(io: CliIO = defaultIO): Command {
  const program = new Command('logqlsql')
    .description('LogQL over SQL databases: a Loki-compatible server, query runner and translator')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const dbOption = () =>
    new Option('--db <url>', 'database URL: duckdb:PATH or duckdb::memory:').default(
      process.env.LOGQLSQL_DB ?? DEFAULT_DB,
    );
  const maxLimitOption = () =>
    new Option('--max-limit <n>', 'largest limit a log query may ask for (Loki: max_entries_limit_per_query)')
      .argParser(intArg('--max-limit'))
      .default(5000);

  program
    .command('serve')
    .description("serve Loki's HTTP API (/loki/api/v1/*, push, /metrics)")
    .addOption(dbOption())
    .option('--listen <host:port>', 'address to listen on', parseListen, parseListen(DEFAULT_LISTEN))
    .option('--grpc <host:port>', "also serve Grafana's backend-plugin protocol (gRPC) here: server mode", parseListen)
    .option('--demo', 'load demo logs when the database is empty, then keep adding a few lines a second')
    .option(
      '--demo-hours <h>',
      'hours of demo history to generate',
      (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--demo-hours must be a positive number');
        return n;
      },
      6,
    )
    .addOption(maxLimitOption())
    .option(
      '--auth-token <token>',
      'require Authorization: Bearer <token> (or basic auth with it as password); env LOGQLSQL_AUTH_TOKEN',
    )
    .option('--tenants', 'multi-tenancy: require X-Scope-OrgID and keep each tenant in its own database')
    .addOption(
      new Option('--max-queued-rows <n>', 'rows waiting for the database before pushes are refused with 429')
        .argParser(intArg('--max-queued-rows'))
        .default(1_000_000),
    )
    // what one push may carry: Loki's limits, by Loki's names (server/ingest/limits.ts)
    .addOption(ingestLimitOption('maxDecompressedSize'))
    .addOption(ingestLimitOption('maxLineSize'))
    .addOption(ingestLimitOption('maxLineSizeTruncate'))
    .addOption(ingestLimitOption('maxLineSizeTruncateIdentifier'))
    .addOption(ingestLimitOption('maxLabelNamesPerSeries'))
    .addOption(ingestLimitOption('maxLabelNameLength'))
    .addOption(ingestLimitOption('maxLabelValueLength'))
    .addOption(ingestLimitOption('rejectOldSamples'))
    .addOption(ingestLimitOption('rejectOldSamplesMaxAge'))
    // what one query may cost (server/eval/limits.ts, server/eval/template/limits.ts)
    .addOption(
      new Option('--max-query-series <n>', 'most series a metric query may return (Loki: max_query_series)')
        .argParser(intArg('--max-query-series'))
        .default(DEFAULT_QUERY_LIMITS.maxQuerySeries),
    )
    .addOption(
      new Option(
        '--query-max-samples <n>',
        'most samples a range aggregation may hold at once (Prometheus: query.max-samples)',
      )
        .argParser(intArg('--query-max-samples'))
        .default(DEFAULT_QUERY_LIMITS.maxSamples),
    )
    .addOption(
      new Option(
        '--template-max-output-bytes <n>',
        'most bytes one line_format/label_format execution may produce; past it the line gets TemplateFormatErr',
      )
        .argParser(intArg('--template-max-output-bytes'))
        .default(DEFAULT_TEMPLATE_LIMITS.maxOutputBytes),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .action(async (o: ServeOptions) => serve(o, io));

  program
    .command('query')
    .description('run a LogQL query against the database and print the result')
    .argument('<logql>', 'the LogQL query')
    .addOption(dbOption())
    .option('--from <time>', 'range start: ns, seconds, RFC3339, now-1h or 1h (ago); default: --to minus 1h')
    .option('--to <time>', 'range end (exclusive for log queries); default: now')
    .option('--time <time>', 'run an instant query at this time instead of a range query')
    .option('--step <step>', 'metric query step: 30s, 1m or seconds; default: (to - from)/250, at least 1s')
    .option('--limit <n>', 'most log lines to return', '100')
    .addOption(new Option('--direction <dir>', 'log line order').choices(['forward', 'backward']).default('backward'))
    .addOption(new Option('--output <format>', 'output format').choices(['json', 'table']).default('table'))
    .addOption(maxLimitOption())
    .action(async (q: string, o: QueryCliOptions) => runQuery(q, o, io));

  program
    .command('translate')
    .description('print the SQL a LogQL query compiles to (nothing is run)')
    .argument('<logql>', 'the LogQL query')
    .addOption(dbOption())
    .option('--dialect <name>', 'SQL dialect', 'duckdb')
    .option('--explain', 'print the plan: what runs in the database and what in TypeScript')
    .action(async (q: string, o: { db: string; dialect?: string; explain?: boolean }) => runTranslate(q, o, io));

  return program;
}

/** Run the CLI; resolves with the process exit code (0 on success). */
export async function main(argv: string[] = process.argv, io: CliIO = defaultIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successes; commander already printed its message
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help'
        ? 0
        : e.exitCode || 2;
    }
    if (e instanceof CliError) {
      io.stderr(`error: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ParamError) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    const err = e as Error & { isUserError?: boolean };
    io.stderr(`error: ${err?.message ?? String(e)}\n`);
    return err?.name === 'LogQLError' && err.isUserError ? 2 : 1;
  }
}

/** Entry point of the bundle (dist/logqlsql.cjs) and of `bin/logqlsql`. */
export function run(argv: string[] = process.argv): void {
  if (isPluginMode()) {
    // Grafana started us as its plugin (env grafana_plugin_type): handshake on stdout, gRPC, nothing else.
    void runPluginMode({ engineFactory: defaultEngineFactory });
    return;
  }
  const exit = (code: number) => {
    // let piped stdout drain before exiting (DuckDB threads would otherwise keep the process alive)
    process.stdout.write('', () => process.exit(code));
  };
  main(argv).then(
    (code) => exit(code),
    (e) => {
      process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
      exit(1);
    },
  );
}

declare const require: { main?: unknown } | undefined;
declare const module: unknown;
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module && !process.env.VITEST)
  run();
