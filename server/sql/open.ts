// Open a driver from a database URL.
//
//   duckdb::memory:          an in-memory DuckDB (gone when the process exits)
//   duckdb:PATH              a DuckDB file (relative to the working directory; parent directories are created)
//   postgres://… postgresql://…   PostgreSQL (node-postgres; the URL is passed to it as given)
//   clickhouse://[USER[:PASSWORD]@]HOST[:PORT][/DB]   a ClickHouse server over HTTP (@clickhouse/client; port 8123
//                            by default; clickhouses:// for HTTPS)
//   chdb:PATH                ClickHouse in-process via chDB, data kept in directory PATH (chdb::memory: for a
//                            temporary directory removed on close)
//
// Engine.open also takes `URL#mapping` to read an existing table instead of the native schema (schema/mapping.ts):
//   …#otel   …#flat:table=logs,ts=time,line=msg[,labels=a|b]   …#map:table=logs,ts=time,line=msg,labels=attrs

import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Driver } from './driver';
import { DuckDBDriver } from './dialects/duckdb/driver';
import { PostgresDriver } from './dialects/postgres/driver';
import type { TlsOptions } from './tls';

export const ACCEPTED_DATABASE_URLS = [
  'duckdb::memory:',
  'duckdb:PATH (e.g. duckdb:./data/logs.duckdb)',
  'postgres://USER:PASSWORD@HOST:PORT/DB',
  'clickhouse://USER:PASSWORD@HOST:PORT/DB',
  'chdb:PATH',
  'chdb::memory:',
];

export class UnsupportedDatabaseError extends Error {
  override readonly name = 'UnsupportedDatabaseError';
}

export interface OpenOptions {
  /** DuckDB / PostgreSQL: most pooled connections (default 8) */
  maxConnections?: number;
  /** DuckDB: worker threads (default: number of cores) */
  threads?: number;
  /** PostgreSQL / ClickHouse server: TLS mode and certificates (sql/tls.ts) */
  tls?: TlsOptions;
}

type Opener = (rest: string, url: string, opts: OpenOptions) => Promise<Driver>;

async function openDuckDB(rest: string, _url: string, opts: OpenOptions): Promise<Driver> {
  if (rest === ':memory:') return DuckDBDriver.open({ path: ':memory:', ...opts });
  // ':memory:#flat:…' reaching here (a mapping fragment not split off) once became a DuckDB file of that name in the
  // working directory: refuse anything that starts like the in-memory name instead
  if (rest.startsWith(':memory:')) {
    throw new UnsupportedDatabaseError(`duckdb: ${JSON.stringify(rest)} is neither :memory: nor a file path`);
  }
  if (rest === '') {
    throw new UnsupportedDatabaseError(
      'duckdb: needs a file path or :memory: (duckdb:./data/logs.duckdb, duckdb::memory:)',
    );
  }
  const path = resolve(rest.startsWith('//') ? rest.slice(2) : rest);
  await mkdir(dirname(path), { recursive: true });
  return DuckDBDriver.open({ path, ...opts });
}

async function openPostgres(_rest: string, url: string, opts: OpenOptions): Promise<Driver> {
  return PostgresDriver.open({ url, maxConnections: opts.maxConnections, tls: opts.tls });
}

async function openClickHouse(rest: string, url: string, opts: OpenOptions): Promise<Driver> {
  const { ClickHouseDriver } = await import('./dialects/clickhouse/driver');
  // TLS on: HTTPS, whatever the scheme said
  const tls = opts.tls && opts.tls.mode !== 'disable' ? opts.tls : undefined;
  const http = url.replace(/^clickhouse(s?):/i, (_m, s: string) => (s || tls ? 'https:' : 'http:'));
  return ClickHouseDriver.openServer(http, rest, tls);
}

async function openChdb(rest: string): Promise<Driver> {
  const { ClickHouseDriver } = await import('./dialects/clickhouse/driver');
  if (rest === ':memory:') return ClickHouseDriver.openChdb(undefined);
  if (rest === '')
    throw new UnsupportedDatabaseError('chdb: needs a directory path or :memory: (chdb:./data/chdb, chdb::memory:)');
  const path = resolve(rest.startsWith('//') ? rest.slice(2) : rest);
  await mkdir(path, { recursive: true });
  return ClickHouseDriver.openChdb(path);
}

/** scheme (without ':') → opener. Adding an engine is one entry here plus its driver under sql/dialects/. */
const OPENERS: Record<string, Opener> = {
  duckdb: openDuckDB,
  postgres: openPostgres,
  postgresql: openPostgres,
  clickhouse: openClickHouse,
  clickhouses: openClickHouse,
  chdb: openChdb,
};

/** Hide a password in `scheme://user:password@host`. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

export async function openDriver(url: string, opts: OpenOptions = {}): Promise<Driver> {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(url.trim());
  const opener = m ? OPENERS[m[1].toLowerCase()] : undefined;
  if (!m || !opener) {
    throw new UnsupportedDatabaseError(
      `unknown database URL ${JSON.stringify(redact(url))}; accepted forms: ${ACCEPTED_DATABASE_URLS.join(', ')}`,
    );
  }
  return opener(m[2], url, opts);
}
