// Data source instance settings (what the config editor saves) → an engine configuration, and a cache of one engine
// per data source instance, rebuilt when Grafana reports newer settings (`lastUpdatedMS`).
import type { EngineApi } from '../engine/types';
import type { Logger } from './hclog';
import { TLS_MODES, type TlsMode, type TlsOptions } from '../sql/tls';

export type EngineKind = 'duckdb' | 'postgres' | 'clickhouse' | 'chdb';

/** Where labels live when querying an existing table (DESIGN.md §3). `native` is the schema logqlsql creates. */
export interface TableMapping {
  mode: 'native' | 'flat' | 'map' | 'otel';
  table?: string;
  timestampColumn?: string;
  bodyColumn?: string;
  /** map mode: the map/JSON column of labels */
  labelsColumn?: string;
  /** flat mode: the label columns (empty: every other string column) */
  labelColumns?: string[];
  severityColumn?: string;
}

/** The `jsonData` our config editor writes. Every field is optional; see `parseSettings` for defaults. */
export interface DataSourceJsonData {
  engine?: EngineKind;
  /** a full database URL (`duckdb:PATH`, `duckdb::memory:`, `postgres://…`, `clickhouse://…`, `chdb:PATH`) */
  url?: string;
  /** duckdb/chdb: the database file */
  path?: string;
  host?: string;
  port?: number | string;
  database?: string;
  user?: string;
  /** older settings: TLS on (= tlsMode 'require') */
  tls?: boolean;
  /** PostgreSQL / ClickHouse: libpq's sslmode names; the certificates are secureJsonData tlsCACert, tlsClientCert,
   *  tlsClientKey (Grafana's names for them) */
  tlsMode?: TlsMode;
  tableMapping?: TableMapping;
  /** default line limit of log queries when a query sets none */
  maxLines?: number | string;
  /** query timeout: seconds, or a duration such as `30s`, `2m` */
  timeout?: number | string;
  /** server mode with `--tenants`: the tenant (X-Scope-OrgID) this data source reads and writes */
  tenant?: string;
}

/** The parsed, validated configuration of one data source instance. */
export interface DataSourceConfig {
  /** Grafana's instance id/uid (cache key) */
  key: string;
  name: string;
  engine: EngineKind;
  /** the database URL handed to the engine (password included when configured) */
  dbUrl: string;
  /** the same URL with the password masked, for messages and logs */
  displayUrl: string;
  tableMapping: TableMapping;
  maxLines: number;
  timeoutMs: number;
  lastUpdatedMS: number;
  /** jsonData.tenant, trimmed ('' when unset): the tenant in a multi-tenant server */
  tenant: string;
  /** PostgreSQL / ClickHouse servers: TLS mode and certificates (undefined: as the URL says) */
  tls?: TlsOptions;
}

/** jsonData.tlsMode (or the older jsonData.tls) and the secure certificates → the drivers' TLS options. */
export function parseTls(jd: DataSourceJsonData, secure: Record<string, string>): TlsOptions | undefined {
  const mode = jd.tlsMode ?? (jd.tls === true ? 'require' : jd.tls === false ? 'disable' : undefined);
  if (mode === undefined) return undefined;
  if (!TLS_MODES.includes(mode))
    throw new SettingsError(`unknown TLS mode ${JSON.stringify(mode)}: use ${TLS_MODES.join(', ')}`);
  if (mode === 'disable') return { mode };
  const pem = (name: string, what: string): string | undefined => {
    const v = secure[name]?.trim();
    if (!v) return undefined;
    if (!/-----BEGIN [A-Z0-9 ]+-----/.test(v)) throw new SettingsError(`the ${what} is not PEM text (-----BEGIN …)`);
    return v;
  };
  const tls: TlsOptions = {
    mode,
    ca: pem('tlsCACert', 'CA certificate'),
    cert: pem('tlsClientCert', 'client certificate'),
    key: pem('tlsClientKey', 'client key'),
  };
  if (!tls.cert !== !tls.key) throw new SettingsError('a client certificate needs its key, and a key its certificate');
  return tls;
}

/** What arrives in PluginContext.dataSourceInstanceSettings (protobuf field names). */
export interface RawInstanceSettings {
  id?: number;
  uid?: string;
  name?: string;
  url?: string;
  user?: string;
  database?: string;
  jsonData?: Uint8Array | Buffer | string;
  decryptedSecureJsonData?: Record<string, string>;
  lastUpdatedMS?: number;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export const DEFAULT_MAX_LINES = 1000;
export const DEFAULT_TIMEOUT_MS = 60_000;

export function parseDurationMs(v: number | string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (typeof v === 'number') return v > 0 ? v * 1000 : fallback;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== s.length || total <= 0)
    throw new SettingsError(`invalid timeout ${JSON.stringify(v)}: use seconds or a duration like 30s`);
  return total;
}

function parseJsonData(raw: RawInstanceSettings['jsonData']): DataSourceJsonData {
  if (raw === undefined || raw === null) return {};
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as DataSourceJsonData) : {};
  } catch (e) {
    throw new SettingsError(`data source settings are not valid JSON: ${(e as Error).message}`);
  }
}

function engineFromUrl(url: string): EngineKind | undefined {
  if (url.startsWith('duckdb:')) return 'duckdb';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('clickhouse://') || url.startsWith('http://') || url.startsWith('https://')) return 'clickhouse';
  if (url.startsWith('chdb:')) return 'chdb';
  return undefined;
}

function withPassword(url: string, user: string | undefined, password: string | undefined): string {
  if (!/^[a-z]+:\/\//.test(url)) return url;
  const u = new URL(url);
  if (user && !u.username) u.username = encodeURIComponent(user);
  if (password) u.password = encodeURIComponent(password);
  return u.toString();
}

function maskPassword(url: string): string {
  if (!/^[a-z]+:\/\//.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Instance settings → config. Throws SettingsError with a message naming the bad setting. */
export function parseSettings(raw: RawInstanceSettings | undefined | null): DataSourceConfig {
  const s = raw ?? {};
  const jd = parseJsonData(s.jsonData);
  const secure = s.decryptedSecureJsonData ?? {};
  const password = secure.password || undefined;
  let url = (jd.url ?? '').trim() || (s.url ?? '').trim();
  let engine: EngineKind | undefined = jd.engine;
  if (url && !engine) engine = engineFromUrl(url);
  engine ??= 'duckdb';
  if (!['duckdb', 'postgres', 'clickhouse', 'chdb'].includes(engine)) {
    throw new SettingsError(`unknown engine ${JSON.stringify(engine)}: use duckdb, postgres, clickhouse or chdb`);
  }
  const user = jd.user || s.user || undefined;
  const database = jd.database || s.database || undefined;
  if (!url || !engineFromUrl(url)) {
    // a bare host or path in the URL box, or the separate connection fields
    switch (engine) {
      case 'duckdb': {
        const path = jd.path || url || database || ':memory:';
        url = `duckdb:${path}`;
        break;
      }
      case 'chdb': {
        const path = jd.path || url || database;
        if (!path) throw new SettingsError('chdb needs a database path (path)');
        url = `chdb:${path}`;
        break;
      }
      case 'postgres':
      case 'clickhouse': {
        const hostPort = url || jd.host;
        if (!hostPort) throw new SettingsError(`${engine} needs a URL or a host`);
        const defaultPort = engine === 'postgres' ? 5432 : 8123;
        const scheme = engine === 'postgres' ? 'postgres' : 'clickhouse';
        const [host, portFromHost] = hostPort.split(':');
        const port = Number(jd.port || portFromHost || defaultPort);
        if (!Number.isInteger(port) || port <= 0 || port > 65535)
          throw new SettingsError(`invalid port ${JSON.stringify(jd.port)}`);
        url = `${scheme}://${host}:${port}/${encodeURIComponent(database ?? (engine === 'postgres' ? 'postgres' : 'default'))}`;
        // TLS options go to the driver (sql/tls.ts), not into the URL, where sslmode would override them
        break;
      }
    }
  }
  const dbUrl = withPassword(url, user, password);
  const maxLines = jd.maxLines === undefined || jd.maxLines === '' ? DEFAULT_MAX_LINES : Number(jd.maxLines);
  if (!Number.isInteger(maxLines) || maxLines <= 0)
    throw new SettingsError(`invalid maxLines ${JSON.stringify(jd.maxLines)}`);
  const mapping: TableMapping = jd.tableMapping ?? { mode: 'native' };
  if (!['native', 'flat', 'map', 'otel'].includes(mapping.mode)) {
    throw new SettingsError(`unknown table mapping ${JSON.stringify(mapping.mode)}: use native, flat, map or otel`);
  }
  if ((mapping.mode === 'flat' || mapping.mode === 'map') && !mapping.table) {
    throw new SettingsError(`the ${mapping.mode} table mapping needs a table name`);
  }
  return {
    key: s.uid || String(s.id ?? 0),
    name: s.name ?? '',
    engine,
    dbUrl,
    displayUrl: maskPassword(dbUrl),
    tableMapping: mapping,
    maxLines,
    timeoutMs: parseDurationMs(jd.timeout, DEFAULT_TIMEOUT_MS),
    lastUpdatedMS: Number(s.lastUpdatedMS ?? 0),
    tenant: typeof jd.tenant === 'string' ? jd.tenant.trim() : '',
    tls: engine === 'postgres' || engine === 'clickhouse' ? parseTls(jd, secure) : undefined,
  };
}

/** Opens the engine of one data source instance. */
export type EngineFactory = (config: DataSourceConfig) => Promise<EngineApi>;

interface Entry {
  lastUpdatedMS: number;
  config: DataSourceConfig;
  engine: Promise<EngineApi>;
}

/**
 * One engine per data source instance. A newer `lastUpdatedMS` rebuilds it (the old one is closed once its in-flight
 * queries had a chance to finish). `closeEngines: false` for factories that hand out a shared engine (server mode).
 */
export class InstanceCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly factory: EngineFactory,
    private readonly log: Logger,
    private readonly closeEngines = true,
  ) {}

  /** Parse settings and return the instance's engine (opening it on first use or after a settings change). */
  async get(raw: RawInstanceSettings | undefined | null): Promise<{ config: DataSourceConfig; engine: EngineApi }> {
    const config = parseSettings(raw);
    const cur = this.entries.get(config.key);
    if (cur && cur.lastUpdatedMS === config.lastUpdatedMS) {
      return { config: cur.config, engine: await cur.engine };
    }
    if (cur) this.retire(config.key, cur, 'settings changed');
    this.log.info('Opening data source engine', { datasource: config.name, key: config.key, db: config.displayUrl });
    const engine = this.factory(config);
    const entry: Entry = { lastUpdatedMS: config.lastUpdatedMS, config, engine };
    this.entries.set(config.key, entry);
    try {
      return { config, engine: await engine };
    } catch (e) {
      // do not cache a failed open: the next request tries again
      if (this.entries.get(config.key) === entry) this.entries.delete(config.key);
      throw e;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private retire(key: string, entry: Entry, why: string): void {
    this.entries.delete(key);
    if (!this.closeEngines) return;
    this.log.info('Closing data source engine', { key, reason: why });
    entry.engine
      .then((e) => new Promise((r) => setTimeout(r, 5000).unref()).then(() => e.close()))
      .catch((err: unknown) => this.log.warn('Closing engine failed', { key, error: String(err) }));
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    if (!this.closeEngines) return;
    await Promise.allSettled(all.map(async (e) => (await e.engine).close()));
  }
}
