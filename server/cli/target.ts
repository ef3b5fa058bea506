// Where a command's questions go. By default a running server (--addr, like logcli); with --db URL or --local the
// CLI opens the database itself and serves it on a private loopback port for the one command, so both ways run
// the same HTTP code and print the same answers.
import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine/engine';
import { LokiClient } from './client';
import { openFailure } from './errors';

export const DEFAULT_DB = 'duckdb:./data/logs.duckdb';
export const DEFAULT_ADDR = 'http://127.0.0.1:3100';

export interface TargetOptions {
  addr: string;
  authToken?: string;
  orgId?: string;
  /** open this database directly instead of asking a server */
  db?: string;
  /** open the default database (--db's default) directly */
  local?: boolean;
  maxLimit?: number;
}

export interface TargetContext {
  env: NodeJS.ProcessEnv;
  /** aborts requests in flight (Ctrl-C) */
  signal?: AbortSignal;
}

export interface Target {
  client: LokiClient;
  close(): Promise<void>;
}

/** The server address when none is given: ours, then logcli's variable, then Loki's default port. */
export function defaultAddr(env: NodeJS.ProcessEnv): string {
  return env.LOGQLSQL_ADDR || env.LOKI_ADDR || DEFAULT_ADDR;
}

export function defaultDb(env: NodeJS.ProcessEnv): string {
  return env.LOGQLSQL_DB || DEFAULT_DB;
}

export async function openTarget(o: TargetOptions, { env, signal }: TargetContext): Promise<Target> {
  const db = o.db ?? (o.local ? defaultDb(env) : undefined);
  if (db === undefined) {
    const client = new LokiClient({ addr: o.addr, authToken: o.authToken, orgId: o.orgId, signal });
    return { client, close: async () => undefined };
  }
  // loaded only here: a client command against a server never initialises the engines
  const [{ Engine: EngineClass }, { startServer }, { redact }] = await Promise.all([
    import('../engine/engine'),
    import('../http/server'),
    import('../sql/open'),
  ]);
  let engine: Engine;
  try {
    engine = await EngineClass.open(db, { maxLimit: o.maxLimit });
  } catch (e) {
    throw openFailure(redact(db), e);
  }
  // a token nobody else knows: other local users cannot use the database through this port meanwhile
  const token = randomBytes(18).toString('base64url');
  try {
    const { app, address } = await startServer(engine, { host: '127.0.0.1', port: 0, authToken: token });
    return {
      client: new LokiClient({ addr: address, authToken: token, signal }),
      close: async () => {
        await app.close();
        await engine.close();
      },
    };
  } catch (e) {
    await engine.close().catch(() => undefined);
    throw e;
  }
}
