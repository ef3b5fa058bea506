// ClickHouse driver: one class over two transports,
//   - a ClickHouse server over HTTP (@clickhouse/client; `clickhouse://user:password@host:8123/db`),
//   - chDB, the ClickHouse engine in-process (npm `chdb`; `chdb:PATH`), used by the tests and for single-node use.
//
// Parameters: the SQL compiler writes `{pN:Type}` placeholders (sql/dialects/clickhouse/dialect.ts); values travel
// as query parameters ({p1: …, p2: …}) and ClickHouse parses them with the declared type, so nothing is spliced into
// SQL text (both transports support server-side binding: chdb's queryBindAsync, the HTTP client's query_params).
// Rows: read as JSONCompactEachRowWithNamesAndTypes with 64-bit integers quoted (exact) and inf/nan quoted, then
// converted by column type: (U)Int64/128/256 → bigint, floats → number (inf/nan included), the rest as JSON gives.
import type { Driver, EngineName, Row, SqlParam } from '../../driver';
import { AbortError } from '../duckdb/driver';
import { DatabaseUnreachableError } from '../postgres/driver';
import { Agent as HttpsAgent } from 'node:https';
import { nodeTls, type TlsOptions } from '../../tls';

const OUTPUT_SETTINGS = {
  output_format_json_quote_64bit_integers: 1,
  output_format_json_quote_denormals: 1,
} as const;

interface Transport {
  /** result text in JSONCompactEachRowWithNamesAndTypes */
  select(sql: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<string>;
  command(sql: string): Promise<void>;
  insertRows(table: string, rows: Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

const BIG = /^(?:Nullable\(|LowCardinality\(|SimpleAggregateFunction\(\w+, )*U?Int(64|128|256)\)*$/;
const FLOAT = /^(Nullable\()?Float(32|64)\)?$/;

function convertFloat(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v === 'inf' || v === '+inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan' || v === '-nan') return NaN;
  return Number(v);
}

/** Parse JSONCompactEachRowWithNamesAndTypes text into row objects. */
export function parseCompactRows<T extends Row>(text: string): T[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length < 2) return [];
  const names = JSON.parse(lines[0]) as string[];
  const types = JSON.parse(lines[1]) as string[];
  const conv = types.map((t) => (BIG.test(t) ? 'big' : FLOAT.test(t) ? 'float' : ''));
  const out: T[] = new Array(lines.length - 2);
  for (let i = 2; i < lines.length; i++) {
    const vals = JSON.parse(lines[i]) as unknown[];
    const r: Row = {};
    for (let c = 0; c < names.length; c++) {
      const v = vals[c];
      r[names[c]] =
        v === null ? null : conv[c] === 'big' ? BigInt(v as string) : conv[c] === 'float' ? convertFloat(v) : v;
    }
    out[i - 2] = r as T;
  }
  return out;
}

function paramObject(params: SqlParam[] | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  (params ?? []).forEach((p, i) => (o[`p${i + 1}`] = p));
  return o;
}

// JSON.stringify writes a lone surrogate (a JSON push's "\ud800") as an escape ClickHouse refuses; UTF-8 has no such
// character, so it becomes U+FFFD as Loki's Go decoder and the other engines' UTF-8 conversion make it
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Strings in JSONEachRow input: JSON.stringify escapes everything ClickHouse's JSON reader needs. BigInts go as
 *  JSON strings (ClickHouse reads quoted numbers into Int64 exactly). */
export function jsonEachRow(rows: Record<string, unknown>[]): string {
  let out = '';
  for (const r of rows)
    out +=
      JSON.stringify(r, (_k, v) =>
        typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v,
      ) + '\n';
  return out;
}

async function chdbTransport(path: string | undefined): Promise<Transport> {
  const { Session } = await import('chdb');
  const session = new Session(path, {
    connectionArgs: Object.entries(OUTPUT_SETTINGS).map(([k, v]) => `--${k}=${v}`),
  });
  // One statement at a time per session (chDB runs each statement multi-threaded inside the engine).
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };
  return {
    select: (sql, params, signal) =>
      serial(async () => {
        const r = await session.queryBindAsync(sql, params, { format: 'JSONCompactEachRowWithNamesAndTypes', signal });
        return r.text();
      }),
    command: (sql) =>
      serial(async () => {
        await session.queryAsync(sql, { format: 'CSV' });
      }),
    insertRows: (table, rows) =>
      serial(async () => {
        await session.insert({ table, values: Buffer.from(jsonEachRow(rows), 'utf8'), format: 'JSONEachRow' });
      }),
    close: async () => {
      await chain;
      session.close();
    },
  };
}

async function serverTransport(httpUrl: string, tls?: TlsOptions): Promise<Transport> {
  const { createClient } = await import('@clickhouse/client');
  const u = new URL(httpUrl);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'default';
  const username = decodeURIComponent(u.username) || 'default';
  const password = decodeURIComponent(u.password);
  if (!u.port) u.port = u.protocol === 'https:' ? '8443' : '8123';
  const client = createClient({
    url: `${u.protocol}//${u.host}`,
    username,
    password,
    database,
    clickhouse_settings: { ...OUTPUT_SETTINGS },
    // one agent carries every TLS mode (the client's own `tls` option always verifies, and needs a CA)
    ...(tls ? { http_agent: new HttpsAgent({ keepAlive: true, ...nodeTls(tls) }) } : {}),
  });
  return {
    select: async (sql, params, signal) => {
      const rs = await client.query({
        query: sql,
        query_params: params,
        format: 'JSONCompactEachRowWithNamesAndTypes',
        abort_signal: signal,
      });
      return rs.text();
    },
    command: async (sql) => {
      await client.command({ query: sql });
    },
    insertRows: async (table, rows) => {
      const values = rows.map((r) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) o[k] = typeof v === 'bigint' ? v.toString() : v;
        return o;
      });
      await client.insert({ table, values, format: 'JSONEachRow' });
    },
    close: () => client.close(),
  };
}

export class ClickHouseDriver implements Driver {
  readonly engine: EngineName = 'clickhouse';
  private closed = false;

  private constructor(
    private readonly t: Transport,
    /** what to name in messages (no password) */
    readonly where: string,
  ) {}

  /** chDB in-process; `path` undefined = a temporary directory removed on close. */
  static async openChdb(path: string | undefined): Promise<ClickHouseDriver> {
    return new ClickHouseDriver(await chdbTransport(path), `chdb:${path ?? ':memory:'}`);
  }

  /** A ClickHouse server; `httpUrl` is http(s)://[user[:password]@]host[:port][/db]. */
  static async openServer(httpUrl: string, _rest?: string, tls?: TlsOptions): Promise<ClickHouseDriver> {
    const where = httpUrl.replace(/^(https?:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
    const t = await serverTransport(httpUrl, tls);
    const d = new ClickHouseDriver(t, where);
    try {
      await d.query('SELECT 1');
    } catch (e) {
      await t.close().catch(() => undefined);
      throw new DatabaseUnreachableError(
        `cannot connect to ClickHouse at ${where}: ${(e as Error).message || String(e)}`,
      );
    }
    return d;
  }

  async query<T extends Row = Row>(sql: string, params?: SqlParam[], signal?: AbortSignal): Promise<T[]> {
    if (signal?.aborted) throw new AbortError();
    try {
      const text = await this.t.select(sql, paramObject(params), signal);
      if (signal?.aborted) throw new AbortError();
      return parseCompactRows<T>(text);
    } catch (e) {
      if (signal?.aborted) throw new AbortError();
      throw e;
    }
  }

  async exec(sql: string): Promise<void> {
    await this.t.command(sql);
  }

  /** Insert rows (objects keyed by column) as JSONEachRow. */
  async insertRows(table: string, rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.t.insertRows(table, rows);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.t.close();
  }
}
