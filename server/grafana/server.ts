// A gRPC server carrying the Grafana backend-plugin services. Used by plugin mode (Grafana starts us) and by server
// mode (`logqlsql serve --grpc HOST:PORT`, reached by Grafana through the launcher script).
import * as grpc from '@grpc/grpc-js';
import { requireToken } from './auth';
import { silentLogger, type Logger } from './hclog';
import { PluginMetrics } from './metrics';
import { loadProtocol, serviceDef } from './proto';
import { makeServices } from './services';
import { InstanceCache, type EngineFactory } from './settings';
import { initTracingFromEnv } from '../telemetry/setup';

/** Grafana allows messages up to 2 GiB; grpc-js takes an int32 (−1 = unlimited). */
export const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

export interface GrpcServerOptions {
  logger?: Logger;
  /** close engines the factory opened when replaced or at stop (default true; false for one shared engine) */
  closeEngines?: boolean;
  /** what plugin.GRPCController/Shutdown does (default: nothing but a log line — right for server mode) */
  onShutdown?: (server: GrpcPluginServer) => void;
  metrics?: PluginMetrics;
  /** server mode with `--auth-token`: data calls must carry this token (see auth.ts); unset in plugin mode */
  authToken?: string;
}

export interface GrpcPluginServer {
  server: grpc.Server;
  host: string;
  port: number;
  /** `host:port` as bound (for the handshake line or the launcher) */
  address: string;
  cache: InstanceCache;
  metrics: PluginMetrics;
  /** stop accepting calls, end open streams, close engines (bounded by `graceMs`) */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Start the plugin services on host:port (port 0 = any free port). In server mode pass a factory that returns the
 * server's shared engine and `closeEngines: false`:
 *
 *   const g = await startGrpcServer(async () => engine, '0.0.0.0', 10001, { closeEngines: false, logger });
 */
export async function startGrpcServer(
  engineFactory: EngineFactory,
  host: string,
  port: number,
  opts: GrpcServerOptions = {},
): Promise<GrpcPluginServer> {
  initTracingFromEnv(); // OTLP export when the OTEL_* variables ask for it
  const log = opts.logger ?? silentLogger;
  const metrics = opts.metrics ?? new PluginMetrics();
  const cache = new InstanceCache(engineFactory, log, opts.closeEngines ?? true);
  const stopping = new AbortController();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const ref: { current?: GrpcPluginServer } = {};
  const services = makeServices({
    cache,
    log,
    metrics,
    stopping: stopping.signal,
    onShutdown: () => {
      if (opts.onShutdown && ref.current) opts.onShutdown(ref.current);
      else log.info('Shutdown ignored: this server outlives the Grafana plugin process');
    },
  });
  const pkg = loadProtocol();
  const token = opts.authToken;
  const guard = <T extends object>(impl: T, methods: (keyof T & string)[]): T =>
    token ? requireToken(token, impl, methods) : impl;
  server.addService(serviceDef(pkg, 'pluginv2.Data'), guard(services.Data, ['QueryData']) as never);
  server.addService(serviceDef(pkg, 'pluginv2.Diagnostics'), guard(services.Diagnostics, ['CheckHealth']) as never);
  server.addService(serviceDef(pkg, 'pluginv2.Resource'), guard(services.Resource, ['CallResource']) as never);
  server.addService(
    serviceDef(pkg, 'pluginv2.Stream'),
    guard(services.Stream, ['SubscribeStream', 'RunStream', 'PublishStream']) as never,
  );
  server.addService(serviceDef(pkg, 'plugin.GRPCController'), services.GRPCController as never);
  server.addService(serviceDef(pkg, 'plugin.GRPCStdio'), services.GRPCStdio as never);
  server.addService(serviceDef(pkg, 'plugin.GRPCBroker'), services.GRPCBroker as never);
  server.addService(serviceDef(pkg, 'grpc.health.v1.Health'), services.Health as never);

  const bindHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${bindHost}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  let stopped: Promise<void> | undefined;
  const self: GrpcPluginServer = {
    server,
    host,
    port: boundPort,
    address: `${host}:${boundPort}`,
    cache,
    metrics,
    stop(graceMs = 1000) {
      stopped ??= (async () => {
        stopping.abort();
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, graceMs);
          t.unref();
          server.tryShutdown(() => {
            clearTimeout(t);
            resolve();
          });
        });
        await Promise.race([cache.closeAll(), new Promise((r) => setTimeout(r, graceMs).unref())]);
      })();
      return stopped;
    },
  };
  ref.current = self;
  log.debug('gRPC plugin services listening', { address: self.address });
  return self;
}

/** Parse `HOST:PORT` / `[v6]:PORT` / `:PORT` (host defaults to 127.0.0.1) for `--grpc`. */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`invalid address ${JSON.stringify(s)}: use HOST:PORT`);
  const host = m[1] ?? (m[2] || '127.0.0.1');
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in ${JSON.stringify(s)}`);
  return { host, port };
}
