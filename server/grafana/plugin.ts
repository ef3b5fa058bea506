// Plugin mode: Grafana starts our executable with `grafana_plugin_type=datasource` and `PLUGIN_PROTOCOL_VERSIONS`,
// reads exactly one handshake line from stdout (`1|2|tcp|127.0.0.1:<port>|grpc`), then talks gRPC. Nothing else may
// ever reach stdout; logs go to stderr as hclog JSON. SIGINT is ignored (Grafana's terminal Ctrl-C must not kill
// plugins); plugin.GRPCController/Shutdown or SIGTERM end the process.
import { createHclogLogger, hclogLine, levelFromEnv, type Logger } from './hclog';
import { startGrpcServer, type GrpcPluginServer } from './server';
import type { EngineFactory } from './settings';

export const MAGIC_COOKIE_KEY = 'grafana_plugin_type';
export const MAGIC_COOKIE_VALUE = 'datasource';
export const APP_PROTOCOL_VERSION = 2;
export const CORE_PROTOCOL_VERSION = 1;

/** True when the process was started by Grafana as a plugin (the CLI uses this to pick plugin mode). */
export function isPluginMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[MAGIC_COOKIE_KEY] !== undefined;
}

export interface PluginModeOptions {
  /** opens the engine of a data source instance (see `defaultEngineFactory` in engineFactory.ts) */
  engineFactory: EngineFactory;
  env?: NodeJS.ProcessEnv;
}

/** Check the environment; returns an error message or undefined. */
export function checkPluginEnv(env: NodeJS.ProcessEnv): string | undefined {
  const cookie = env[MAGIC_COOKIE_KEY];
  if (cookie !== MAGIC_COOKIE_VALUE) {
    return (
      `This is the logqlsql Grafana data source plugin backend. Grafana starts it with ${MAGIC_COOKIE_KEY}=${MAGIC_COOKIE_VALUE}` +
      (cookie === undefined ? '' : ` (got ${JSON.stringify(cookie)})`) +
      '; it is not meant to be run by hand. To run logqlsql yourself use `logqlsql serve` (Loki API, and `--grpc HOST:PORT` for Grafana).'
    );
  }
  const versions = env.PLUGIN_PROTOCOL_VERSIONS;
  if (versions !== undefined && versions.trim() !== '') {
    const list = versions.split(',').map((v) => v.trim());
    if (!list.includes(String(APP_PROTOCOL_VERSION))) {
      return `Grafana offers plugin protocol versions ${versions}, but this plugin speaks version ${APP_PROTOCOL_VERSION} only: upgrade Grafana (10.4 or newer).`;
    }
  }
  return undefined;
}

/** Route every later stdout write and console call to stderr as hclog JSON, so stdout carries the handshake only. */
function guardStdout(log: Logger): (line: string) => void {
  const realWrite = process.stdout.write.bind(process.stdout);
  const toStderr = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          );
    for (const line of text.split('\n'))
      if (line.trim() !== '') process.stderr.write(hclogLine('info', line, { stream: 'stdout' }) + '\n');
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') (done as () => void)();
    return true;
  };
  process.stdout.write = toStderr as typeof process.stdout.write;
  const fmt = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : safeJson(a))).join(' ');
  console.log = (...a: unknown[]) => log.info(fmt(a));
  console.info = (...a: unknown[]) => log.info(fmt(a));
  console.debug = (...a: unknown[]) => log.debug(fmt(a));
  console.warn = (...a: unknown[]) => log.warn(fmt(a));
  console.error = (...a: unknown[]) => log.error(fmt(a));
  console.trace = (...a: unknown[]) => log.trace(fmt(a));
  // Node prints warnings as plain text on stderr; make them hclog records too
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    log.warn(typeof warning === 'string' ? warning : warning.message, {
      warning: type ?? (warning as Error).name ?? 'Warning',
    });
  }) as typeof process.emitWarning;
  return (line: string) => {
    realWrite(line + '\n');
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return String(v);
  }
}

function portRange(env: NodeJS.ProcessEnv): number[] {
  const min = Number(env.PLUGIN_MIN_PORT);
  const max = Number(env.PLUGIN_MAX_PORT);
  if (Number.isInteger(min) && Number.isInteger(max) && min > 0 && max >= min && max <= 65535) {
    return Array.from({ length: max - min + 1 }, (_, i) => min + i);
  }
  return [0];
}

/**
 * Run as a Grafana backend plugin until Grafana shuts us down. Exits the process with 1 (and a message on stderr)
 * when not started by Grafana.
 */
export async function runPluginMode(opts: PluginModeOptions): Promise<void> {
  const env = opts.env ?? process.env;
  const problem = checkPluginEnv(env);
  if (problem) {
    process.stderr.write(problem + '\n');
    process.exit(1);
  }
  const log = createHclogLogger({ level: levelFromEnv(env), module: 'logqlsql' });
  const writeHandshake = guardStdout(log);
  process.on('SIGINT', () => log.debug('SIGINT ignored (Grafana manages this process)'));
  process.on('SIGPIPE', () => {});
  process.on('unhandledRejection', (err) =>
    log.error('Unhandled rejection', { error: String((err as Error)?.stack ?? err) }),
  );
  process.on('uncaughtException', (err) => {
    log.error('Uncaught exception', { error: String(err?.stack ?? err) });
  });

  let srv: GrpcPluginServer | undefined;
  let exiting = false;
  const exit = (why: string, code = 0) => {
    if (exiting) return;
    exiting = true;
    log.info('Plugin exiting', { reason: why });
    const hard = setTimeout(() => process.exit(code), 1500);
    hard.unref();
    void (srv ? srv.stop(500) : Promise.resolve()).finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => exit('SIGTERM'));

  let lastErr: unknown;
  for (const port of portRange(env)) {
    try {
      srv = await startGrpcServer(opts.engineFactory, '127.0.0.1', port, {
        logger: log,
        onShutdown: () => exit('plugin.GRPCController/Shutdown'),
      });
      break;
    } catch (e) {
      lastErr = e;
    }
  }
  if (!srv) {
    log.error('Cannot listen for Grafana', { error: String((lastErr as Error)?.message ?? lastErr) });
    process.exit(1);
  }
  writeHandshake(`${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${srv.port}|grpc`);
  log.info('Plugin started', { address: srv.address, pid: process.pid, node: process.version });
}
