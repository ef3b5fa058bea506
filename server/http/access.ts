// Access control for the HTTP API: an optional bearer token and optional multi-tenancy by X-Scope-OrgID.
//
// Token: `Authorization: Bearer <token>` — what Promtail/Alloy (`bearer_token`), Fluent Bit, Vector, the OTel
// Collector (`headers`) and Grafana's Loki data source (custom header) can send — or HTTP basic auth whose password
// is the token (Grafana's "Basic authentication" with any user). /ready and /metrics stay open for probes.
//
// Tenants (off by default, as Loki's `auth_enabled: false`): X-Scope-OrgID picks the tenant; each tenant has its own
// engine (for DuckDB its own database file), so no query can see another tenant's data.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { EngineApi } from '../engine/types';
import { HttpError } from './server';

export interface TenantEngines {
  engineFor(tenant: string): Promise<EngineApi>;
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

/**
 * Engines per tenant from a database URL: `duckdb:./data/logs.duckdb` → `duckdb:./data/logs.<tenant>.duckdb`
 * (and `duckdb::memory:` → one in-memory database per tenant). Other engines need a per-tenant URL template with
 * `{tenant}` in it (e.g. `postgres://…/logs_{tenant}`).
 */
export function tenantEngines(
  dbUrl: string,
  open: (url: string) => Promise<EngineApi>,
): TenantEngines & { close(): Promise<void> } {
  const engines = new Map<string, Promise<EngineApi>>();
  const urlFor = (t: string): string => {
    if (dbUrl.includes('{tenant}')) return dbUrl.split('{tenant}').join(encodeURIComponent(t));
    if (dbUrl === 'duckdb::memory:' || dbUrl === 'duckdb:') return 'duckdb::memory:';
    const m = /^duckdb:(.+?)(\.duckdb|\.db)?$/.exec(dbUrl);
    if (m)
      return `duckdb:${m[1]}.${t.replace(/[^A-Za-z0-9_.-]/g, (c) => '%' + c.charCodeAt(0).toString(16))}${m[2] ?? '.duckdb'}`;
    throw new Error(`multi-tenancy needs a database URL with {tenant} in it for ${dbUrl.split(':')[0]}`);
  };
  return {
    engineFor(t) {
      let e = engines.get(t);
      if (!e) {
        e = open(urlFor(t));
        e.catch(() => engines.delete(t));
        engines.set(t, e);
      }
      return e;
    },
    async close() {
      for (const e of engines.values()) await (await e.catch(() => undefined))?.close();
    },
  };
}
