// Access control for the HTTP API: an optional bearer token and optional multi-tenancy by X-Scope-OrgID.
//
// Token: `Authorization: Bearer <token>` — what Promtail/Alloy (`bearer_token`), Fluent Bit, Vector, the OTel
// Collector (`headers`) and Grafana's Loki data source (custom header) can send — or HTTP basic auth whose password
// is the token (Grafana's "Basic authentication" with any user). /ready and /metrics stay open for probes.
//
// Tenants (off by default, as Loki's `auth_enabled: false`): X-Scope-OrgID picks the tenant; each tenant has its own
// engine (for DuckDB its own database file), so no query can see another tenant's data.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { EngineApi } from '../engine/types';
import { HttpError } from './server';

export interface TenantEngines {
  engineFor(tenant: string): Promise<EngineApi>;
  /** close every tenant's database (the server registers it on shutdown) */
  close?(): Promise<void>;
}

const OPEN = new Set(['/ready', '/metrics']);
// Loki's tenant ID rules (pkg/util/validation): up to 150 characters from [A-Za-z0-9!-_.*'()], not "." or "..".
const TENANT_RE = /^[A-Za-z0-9!\-_.*'()]{1,150}$/;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function checkAuth(req: FastifyRequest, token: string | undefined): void {
  if (!token) return;
  const path = req.url.split('?')[0]!;
  if (OPEN.has(path)) return;
  const h = req.headers.authorization ?? '';
  const m = /^(Bearer|Basic)\s+(.+)$/i.exec(h.trim());
  if (m) {
    if (m[1]!.toLowerCase() === 'bearer' && same(m[2]!, token)) return;
    if (m[1]!.toLowerCase() === 'basic') {
      const dec = Buffer.from(m[2]!, 'base64').toString('utf8');
      const i = dec.indexOf(':');
      if (i >= 0 && same(dec.slice(i + 1), token)) return;
    }
  }
  throw new HttpError(401, 'unauthorized: send Authorization: Bearer <token>', {
    'www-authenticate': 'Bearer realm="logqlsql"',
  });
}

/** The request's tenant; 401 "no org id" when the header is missing (Loki's answer). */
export function tenantOf(req: FastifyRequest): string {
  const h = req.headers['x-scope-orgid'];
  const v = (Array.isArray(h) ? h[0] : h)?.trim() ?? '';
  if (v === '') throw new HttpError(401, 'no org id');
  if (v.includes('|')) throw new HttpError(400, 'multi-tenant queries (tenant1|tenant2) are not supported');
  if (!TENANT_RE.test(v) || v === '.' || v === '..') throw new HttpError(400, `invalid tenant ID ${JSON.stringify(v)}`);
  return v;
}

/** How long a tenant's database stays open without requests, and how many may be open at once. */
export interface TenantEngineOptions {
  /** close a tenant's engine after this long without a call (default 5 min) */
  idleMs?: number;
  /** most tenant engines open at once; past it the least recently used idle ones are closed (default 64) */
  maxOpen?: number;
}

/** A file name part for a tenant ID: escaped, and hashed when long (Loki allows 150 characters; file names stop at
 *  255 bytes and escaping can triple a name). */
function tenantFilePart(t: string): string {
  const esc = t.replace(/[^A-Za-z0-9_.-]/g, (c) => '%' + c.charCodeAt(0).toString(16));
  if (esc.length <= 100) return esc;
  return `${esc.slice(0, 60)}~${createHash('sha256').update(t).digest('hex').slice(0, 24)}`;
}

/**
 * Engines per tenant from a database URL: `duckdb:./data/logs.duckdb` → `duckdb:./data/logs.<tenant>.duckdb`
 * (and `duckdb::memory:` → one in-memory database per tenant). Other engines need a per-tenant URL template with
 * `{tenant}` in it (e.g. `postgres://…/logs_{tenant}`).
 *
 * `engineFor(t)` answers one stable EngineApi per tenant that opens the tenant's database on a call and holds it
 * only while calls are running: a database nobody has called for `idleMs` is closed (and reopened by the next call),
 * and at most `maxOpen` stay open, so a stream of new tenant IDs cannot exhaust file handles and memory.
 */
export function tenantEngines(
  dbUrl: string,
  open: (url: string) => Promise<EngineApi>,
  opts: TenantEngineOptions = {},
): TenantEngines & { close(): Promise<void>; openCount(): number } {
  const idleMs = opts.idleMs ?? 300_000;
  const maxOpen = Math.max(1, opts.maxOpen ?? 64);
  const urlFor = (t: string): string => {
    // chDB runs one ClickHouse per process, on one data directory: a second tenant's directory cannot open
    if (/^chdb:/i.test(dbUrl))
      throw new Error(
        'multi-tenancy is not available on chdb: (one data directory per process); use a ClickHouse server URL with {tenant} as the database, DuckDB or PostgreSQL',
      );
    if (dbUrl.includes('{tenant}')) return dbUrl.split('{tenant}').join(encodeURIComponent(t));
    if (dbUrl === 'duckdb::memory:' || dbUrl === 'duckdb:') return 'duckdb::memory:';
    const m = /^duckdb:(.+?)(\.duckdb|\.db)?$/.exec(dbUrl);
    if (m) return `duckdb:${m[1]}.${tenantFilePart(t)}${m[2] ?? '.duckdb'}`;
    throw new Error(`multi-tenancy needs a database URL with {tenant} in it for ${dbUrl.split(':')[0]}`);
  };
  urlFor('fake'); // a URL that cannot serve tenants fails at start-up, not on the first request
  interface Slot {
    engine: Promise<EngineApi>;
    active: number;
    lastUsed: number;
  }
  const slots = new Map<string, Slot>();
  const closing = new Map<string, Promise<void>>();
  const proxies = new Map<string, EngineApi>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const closeSlot = (t: string, s: Slot): void => {
    if (slots.get(t) === s) slots.delete(t);
    const done = s.engine
      .then((e) => e.close())
      .catch(() => undefined)
      .finally(() => {
        if (closing.get(t) === done) closing.delete(t);
      });
    closing.set(t, done);
  };
  const sweep = (): void => {
    const now = Date.now();
    for (const [t, s] of slots) if (s.active === 0 && now - s.lastUsed >= idleMs) closeSlot(t, s);
    for (const t of proxies.keys()) if (!slots.has(t)) proxies.delete(t);
    if (slots.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const acquire = async (t: string): Promise<{ slot: Slot; engine: EngineApi }> => {
    if (closed) throw new Error('the server is shutting down');
    let s = slots.get(t);
    if (!s) {
      if (slots.size >= maxOpen) {
        const idle = [...slots].filter(([, x]) => x.active === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
        for (const [k, x] of idle) {
          if (slots.size < maxOpen) break;
          closeSlot(k, x);
        }
      }
      // a database being closed (idle) is reopened only once it is closed: DuckDB locks its file
      const wait = closing.get(t) ?? Promise.resolve();
      const slot: Slot = { engine: wait.then(() => open(urlFor(t))), active: 0, lastUsed: Date.now() };
      slot.engine.catch(() => {
        if (slots.get(t) === slot) slots.delete(t);
      });
      slots.set(t, slot);
      s = slot;
      timer ??= setInterval(sweep, Math.max(10, Math.min(idleMs, 30_000)));
      timer.unref();
    }
    s.active++;
    s.lastUsed = Date.now();
    try {
      return { slot: s, engine: await s.engine };
    } catch (e) {
      s.active--;
      throw e;
    }
  };
  const proxyFor = (t: string): EngineApi => {
    const call =
      <K extends Exclude<keyof EngineApi, 'close' | 'maintain'>>(method: K) =>
      async (...args: Parameters<EngineApi[K]>): Promise<Awaited<ReturnType<EngineApi[K]>>> => {
        const { slot, engine } = await acquire(t);
        try {
          return await (engine[method] as (...a: unknown[]) => Promise<Awaited<ReturnType<EngineApi[K]>>>)(...args);
        } finally {
          slot.active--;
          slot.lastUsed = Date.now();
        }
      };
    return {
      query: call('query'),
      labelNames: call('labelNames'),
      labelValues: call('labelValues'),
      series: call('series'),
      indexStats: call('indexStats'),
      push: call('push'),
      translate: call('translate'),
      // retention and delete requests reach the tenant's database through here (server/retention)
      maintain: async (fn) => {
        const { slot, engine } = await acquire(t);
        try {
          if (!engine.maintain) throw new Error('this engine has no database to maintain');
          return await engine.maintain(fn);
        } finally {
          slot.active--;
          slot.lastUsed = Date.now();
        }
      },
      // the server closes tenant engines (idle, or at shutdown), never a request
      close: async () => undefined,
    };
  };
  return {
    async engineFor(t) {
      let p = proxies.get(t);
      if (!p) proxies.set(t, (p = proxyFor(t)));
      return p;
    },
    openCount: () => slots.size,
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      for (const [t, s] of slots) closeSlot(t, s);
      await Promise.all([...closing.values()]);
    },
  };
}
