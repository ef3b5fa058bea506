// `serve`: Loki's HTTP API over a database (and, with --grpc, Grafana's backend-plugin protocol: server mode).
// Logs go to stderr as JSON (pino); stdout stays empty.
import { Command, InvalidArgumentError, Option } from 'commander';
import pino, { type Logger } from 'pino';
import type { EngineApi } from '../../engine/types';
import type { Engine } from '../../engine/engine';
import { loadDemo, startTrickle } from '../../demo';
import { startServer, VERSION } from '../../http/server';
import { tenantEngines } from '../../http/access';
import { DEFAULT_QUERY_LIMITS, setQueryLimits } from '../../eval/limits';
import { DEFAULT_TEMPLATE_LIMITS, setTemplateLimits } from '../../eval/template';
import { createHclogLogger, startGrpcServer, tenantEngineFactory } from '../../grafana';
import { redact } from '../../sql/open';
import { ingestLimitOption, ingestLimitsFromOptions, type IngestLimits } from '../../ingest/limits';
import { discoveryFromOptions, discoveryOptions } from '../../ingest/discover';
import { compactorFromOptions, retentionOptions } from '../../retention/options';
import { DEFAULT_LISTEN, intArg, parseListen } from '../args';
import { CliError, openFailure } from '../errors';
import type { CliIO } from '../io';
import { defaultDb } from '../target';

type OpenEngine = (dbUrl: string, opts: { maxLimit?: number; maxConcurrent?: number }) => Promise<EngineApi>;
const openEngine: OpenEngine = async (dbUrl, opts) => (await import('../../engine/engine')).Engine.open(dbUrl, opts);

function logger(level: string, dest?: pino.DestinationStream): Logger {
  return pino({ level, base: { name: 'logqlsql' } }, dest ?? pino.destination({ dest: 2, sync: true }));
}

interface ServeOptions extends Partial<IngestLimits> {
  db: string;
  listen: { host: string; port: number };
  /** also serve Grafana's backend-plugin gRPC services here (server mode, for the launcher) */
  grpc?: { host: string; port: number };
  demo?: boolean;
  demoHours: number;
  maxLimit: number;
  maxConcurrent: number;
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
    const engineOpts = { maxLimit: opts.maxLimit, maxConcurrent: opts.maxConcurrent };
    tenants = opts.tenants ? tenantEngines(opts.db, (url) => openEngine(url, engineOpts)) : undefined;
    engine = tenants ? await tenants.engineFor('fake') : await openEngine(opts.db, engineOpts);
  } catch (e) {
    throw openFailure(redact(opts.db), e, true);
  }
  let stopTrickle: (() => void) | undefined;
  if (opts.demo) {
    // an empty database gets the history; one with demo data gets the gap since its newest entry (server/demo/load.ts)
    const t0 = performance.now();
    const d = await loadDemo(engine, { hours: opts.demoHours });
    const ms = Math.round(performance.now() - t0);
    if (d.kind === 'full') log.info({ entries: d.entries, ms }, 'demo data loaded');
    else if (d.kind === 'backfill') log.info({ entries: d.entries, ms }, 'demo data backfilled up to now');
    else log.info('database holds other data: demo data not loaded');
    stopTrickle = startTrickle(engine, {
      from: d.to,
      onError: (e) => log.warn({ err: e }, 'demo trickle push failed'),
    });
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
      discovery: discoveryFromOptions(opts),
      compactor: compactorFromOptions(opts),
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

export function serveCommand(io: CliIO): Command {
  const db = defaultDb(io.env);
  return (
    new Command('serve')
      .description("serve Loki's HTTP API (/loki/api/v1/*, push, tail, /metrics) over a database")
      .addOption(new Option('--db <url>', 'database URL (forms: logqlsql --help; env LOGQLSQL_DB)').default(db, db))
      .addOption(
        new Option('--listen <host:port>', 'address to listen on')
          .argParser(parseListen)
          .default(parseListen(DEFAULT_LISTEN), DEFAULT_LISTEN),
      )
      .option(
        '--grpc <host:port>',
        "also serve Grafana's backend-plugin protocol (gRPC) here: server mode",
        parseListen,
      )
      .option(
        '--demo',
        'load demo logs (or the gap since the newest demo entry), then keep adding a few lines a second',
      )
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
      .addOption(
        new Option('--max-limit <n>', 'largest limit a log query may ask for (Loki: max_entries_limit_per_query)')
          .argParser(intArg('--max-limit'))
          .default(5000),
      )
      .addOption(
        new Option(
          '--max-concurrent <n>',
          'queries run at once per database; later ones wait in arrival order (Loki: querier.max_concurrent)',
        )
          .argParser(intArg('--max-concurrent'))
          .default(4),
      )
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
      // service_name / detected_level added at ingest when asked (server/ingest/discover.ts says why off by default)
      .addOption(discoveryOptions()[0])
      .addOption(discoveryOptions()[1])
      .addOption(discoveryOptions()[2])
      // retention and the delete API's cancel period (server/retention/options.ts)
      .addOption(retentionOptions()[0])
      .addOption(retentionOptions()[1])
      .addOption(retentionOptions()[2])
      .addOption(retentionOptions()[3])
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
      .action(async (o: ServeOptions) => serve(o, io))
  );
}
