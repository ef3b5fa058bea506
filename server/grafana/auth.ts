// Server mode's gRPC port under `--auth-token`: every call that reads or writes data must carry the token.
//
// Grafana's plugin client (hashicorp/go-plugin) opens a plain gRPC connection to the address the launcher prints and
// sends no credentials of its own. What it does send with every data call is the data source's settings, including
// its decrypted secure fields. So a call is authorized when either
//   - its gRPC metadata has `authorization: Bearer <token>` (scripts and other gRPC clients), or
//   - its PluginContext's data source carries the token in `secureJsonData.authToken` — set by provisioning
//     (`secureJsonData: { authToken: … }`) — or in the secure `password` field (the config editor's Password box; in
//     server mode the server owns its database, so that field has no other use there).
// Calls that carry no data stay open: the gRPC health check go-plugin makes before anything else, the controller's
// Shutdown (ignored in server mode), stdio/broker streams, and CollectMetrics (like HTTP /metrics).
// Plugin mode (Grafana started the executable itself, loopback only) has no token and checks nothing.
import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';

const UNAUTHENTICATED_MESSAGE =
  'unauthenticated: this server runs with --auth-token; set the token in the data source (secureJsonData.authToken, ' +
  'or the Password field) or send gRPC metadata authorization: Bearer <token>';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface WithPluginContext {
  pluginContext?: {
    dataSourceInstanceSettings?: { decryptedSecureJsonData?: Record<string, string> } | null;
  } | null;
}

/** Whether a call carries the token (metadata or the data source's secure settings). */
export function callAuthorized(
  token: string,
  metadata: grpc.Metadata | undefined,
  request: WithPluginContext | undefined,
): boolean {
  for (const v of metadata?.get('authorization') ?? []) {
    const m = /^Bearer\s+(.+)$/i.exec(String(v).trim());
    if (m && same(m[1]!, token)) return true;
  }
  const secure = request?.pluginContext?.dataSourceInstanceSettings?.decryptedSecureJsonData ?? {};
  for (const key of ['authToken', 'password']) {
    const v = secure[key];
    if (typeof v === 'string' && v !== '' && same(v, token)) return true;
  }
  return false;
}

const unauthenticated = (): Partial<grpc.StatusObject> => ({
  code: grpc.status.UNAUTHENTICATED,
  details: UNAUTHENTICATED_MESSAGE,
});

/**
 * Wraps a service implementation so that each of the named methods refuses calls without the token
 * (UNAUTHENTICATED); unary and server-streaming handlers alike.
 */
export function requireToken<T extends object>(token: string, impl: T, methods: (keyof T & string)[]): T {
  const out = { ...impl };
  for (const name of methods) {
    const fn = (impl as Record<string, (call: unknown, cb?: unknown) => void>)[name]!;
    const guarded = (
      call: grpc.ServerUnaryCall<WithPluginContext, unknown> | grpc.ServerWritableStream<WithPluginContext, unknown>,
      cb?: grpc.sendUnaryData<unknown>,
    ) => {
      if (callAuthorized(token, call.metadata, call.request)) return fn(call, cb);
      if (cb) return cb(unauthenticated());
      (call as grpc.ServerWritableStream<unknown, unknown>).emit('error', unauthenticated());
    };
    (out as Record<string, unknown>)[name] = guarded;
  }
  return out;
}
