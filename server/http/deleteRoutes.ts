// Loki's log deletion API (pkg/compactor/deletion/request_handler.go), served by the compactor's schedule
// (server/retention/compactor.ts):
//   PUT|POST /loki/api/v1/delete?query=<selector [pipeline]>&start=<t>[&end=<t>]   204, X-Delete-Request-ID
//   GET      /loki/api/v1/delete                                                   [{request_id, status, …}]
//   DELETE   /loki/api/v1/delete?request_id=<id>[&force=true]                       204 (cancel while pending)
// Parameters come from the URL query, as Loki reads them; times are RFC3339 or 10-digit Unix seconds. Requests are
// per tenant (X-Scope-OrgID picks the tenant's database when multi-tenancy is on, like every other route).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EngineApi } from '../engine/types';
import { Compactor, type CompactorLog, type CompactorOptions } from '../retention/compactor';
import {
  addDeleteRequest,
  cancelDeleteRequest,
  DeleteRequestError,
  listDeleteRequests,
  parseDeleteQuery,
  type DeleteRequest,
} from '../retention/requests';
import type { MaintenanceTarget } from '../retention/target';
import { tenantOf, type TenantEngines } from './access';
import { HttpError } from './server';

const ROUTE = '/loki/api/v1/delete';
/** most tenants remembered for retention passes (tenant IDs come from clients) */
const MAX_TENANTS = 10_000;

export interface DeleteRoutesContext {
  /** the server's engine (single-tenant) */
  engine: EngineApi;
  engineOf: (req: FastifyRequest) => Promise<EngineApi>;
  tenants?: TenantEngines;
  options?: CompactorOptions;
  log?: CompactorLog;
}

/** Go's time.Parse(time.RFC3339, …) or exactly ten digits of Unix seconds (Loki's parseTime); answers ms. */
export function parseDeleteTime(s: string): bigint | undefined {
  if (/^\d{10}$/.test(s)) return BigInt(s) * 1000n;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(s);
  if (!m) return undefined;
  const frac = (m[7] ?? '.').slice(1).padEnd(3, '0').slice(0, 3);
  const base = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]!.toUpperCase()}`);
  if (!Number.isFinite(base)) return undefined;
  return BigInt(base) + BigInt(frac);
}

/** model.Time's JSON: seconds with up to millisecond decimals, as a number. */
function modelTime(ms: bigint): string {
  const s = ms / 1000n;
  const f = ms % 1000n;
  return f === 0n ? s.toString() : `${s}.${f.toString().padStart(3, '0').replace(/0+$/, '')}`;
}

function encodeRequests(list: DeleteRequest[]): string {
  // Loki's deletionproto.DeleteRequest JSON tags, user_id blanked as Loki blanks it
  const items = list.map(
    (r) =>
      `{"request_id":${JSON.stringify(r.requestId)},"start_time":${modelTime(r.startMs)},"end_time":${modelTime(r.endMs)},` +
      `"query":${JSON.stringify(r.query)},"status":${JSON.stringify(r.status)},"created_at":${modelTime(r.createdMs)},"user_id":""}`,
  );
  return `[${items.join(',')}]\n`;
}

function queryParams(req: FastifyRequest): URLSearchParams {
  const i = req.url.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : req.url.slice(i + 1));
}

function asHttp(e: unknown): unknown {
  return e instanceof DeleteRequestError ? new HttpError(e.status, e.message) : e;
}

async function onTarget<T>(engine: EngineApi, fn: (t: MaintenanceTarget) => Promise<T>): Promise<T> {
  if (!engine.maintain) throw new HttpError(400, 'Retention is not enabled');
  try {
    return await engine.maintain(fn);
  } catch (e) {
    throw asHttp(e);
  }
}

/** Register the delete routes and run the compactor while the app is up. */
export function registerDeleteRoutes(app: FastifyInstance, ctx: DeleteRoutesContext): Compactor {
  const seen = new Set<string>(['fake']);
  const compactor = new Compactor(
    ctx.options ?? {},
    async () => {
      const tenants = ctx.tenants;
      if (!tenants) return [ctx.engine];
      return Promise.all([...seen].map((t) => tenants.engineFor(t)));
    },
    ctx.log,
  );
  if (ctx.tenants) {
    app.addHook('onRequest', async (req) => {
      if (seen.size >= MAX_TENANTS) return;
      try {
        seen.add(tenantOf(req));
      } catch {
        /* no or invalid tenant: the route itself answers that */
      }
    });
  }
  app.addHook('onReady', async () => compactor.start());
  app.addHook('onClose', async () => compactor.stop());

  const add = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = queryParams(req);
    const query = p.get('query') ?? '';
    try {
      parseDeleteQuery(query);
    } catch (e) {
      throw asHttp(e);
    }
    const startText = p.get('start') ?? '';
    if (startText === '') throw new HttpError(400, 'start time not set');
    const startMs = parseDeleteTime(startText);
    if (startMs === undefined) throw new HttpError(400, 'invalid start time: require unix seconds or RFC3339 format');
    const now = compactor.now();
    const endText = p.get('end') ?? '';
    const endMs = endText === '' ? now : parseDeleteTime(endText);
    if (endMs === undefined) throw new HttpError(400, 'invalid end time: require unix seconds or RFC3339 format');
    if (endMs > now) throw new HttpError(400, 'deletes in the future are not allowed');
    if (startMs >= endMs) throw new HttpError(400, "start time can't be greater than or equal to end time");
    const engine = await ctx.engineOf(req);
    const r = await onTarget(engine, (t) => addDeleteRequest(t, { query, startMs, endMs }, now));
    compactor.scheduleDeletes(engine, compactor.cancelPeriodMs, r.requestId);
    return reply.code(204).header('x-delete-request-id', r.requestId).send();
  };
  app.put(ROUTE, add);
  app.post(ROUTE, add);

  app.get(ROUTE, async (req, reply) => {
    const list = await onTarget(await ctx.engineOf(req), (t) => listDeleteRequests(t));
    return reply.type('application/json; charset=utf-8').send(encodeRequests(list));
  });

  app.delete(ROUTE, async (req, reply) => {
    const p = queryParams(req);
    const id = p.get('request_id') ?? '';
    await onTarget(await ctx.engineOf(req), (t) =>
      cancelDeleteRequest(t, id, {
        force: p.get('force') === 'true',
        cancelPeriodMs: BigInt(compactor.cancelPeriodMs),
        nowMs: compactor.now(),
      }),
    );
    return reply.code(204).send();
  });

  return compactor;
}
