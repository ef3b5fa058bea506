// Loki's delete requests (pkg/compactor/deletion): a stored request names a log selector with an optional pipeline
// and a time range [start, end] (milliseconds, both inclusive, as Loki compares them); it can be cancelled while
// "received" and younger than the cancel period, then it is applied and becomes "processed". Loki's compactor
// applies requests hours later, chunk by chunk; we apply each one in a few statements once its cancel period is over.
import { randomBytes } from 'node:crypto';
import type { LogExpr } from '../logql/ast';
import { parse } from '../logql/check';
import { DELETE_REQUESTS_TABLE, deleteRequestsDdl } from '../schema/deleteRequests';
import { SqlWriter } from '../sql/dialect';
import type { Driver } from '../sql/driver';
import { deleteEntries } from './purge';
import { serialized, type MaintenanceTarget } from './target';

export type DeleteStatus = 'received' | 'processed' | 'cancelled';

export interface DeleteRequest {
  requestId: string;
  query: string;
  startMs: bigint;
  endMs: bigint;
  createdMs: bigint;
  status: DeleteStatus;
  deletedLines: number;
  version: number;
}

/** A refusal with the HTTP status Loki answers it with. */
export class DeleteRequestError extends Error {
  override readonly name = 'DeleteRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Loki's parseDeletionQuery: a log selector, optionally with a pipeline; anything else is "invalid query expression". */
export function parseDeleteQuery(query: string): LogExpr {
  if (query === '') throw new DeleteRequestError(400, 'query not set');
  let expr;
  try {
    expr = parse(query);
  } catch {
    throw new DeleteRequestError(400, 'invalid query expression');
  }
  if (expr.kind !== 'log') throw new DeleteRequestError(400, 'invalid query expression');
  return expr;
}

const ready = new WeakSet<Driver>();

async function ensureTable(t: MaintenanceTarget): Promise<void> {
  if (t.mapped) throw new DeleteRequestError(400, 'deletes are not available: this server reads an existing table');
  if (ready.has(t.driver)) return;
  await t.driver.exec(deleteRequestsDdl(t.driver.engine));
  ready.add(t.driver);
}

async function readAll(t: MaintenanceTarget): Promise<DeleteRequest[]> {
  await ensureTable(t);
  const rows = await t.driver.query<Record<string, unknown>>(
    `SELECT request_id, version, query, start_ms, end_ms, created_ms, status, deleted_lines FROM ${DELETE_REQUESTS_TABLE}`,
  );
  const latest = new Map<string, DeleteRequest>();
  for (const r of rows) {
    const req: DeleteRequest = {
      requestId: String(r.request_id),
      version: Number(r.version),
      query: String(r.query),
      startMs: BigInt(r.start_ms as bigint),
      endMs: BigInt(r.end_ms as bigint),
      createdMs: BigInt(r.created_ms as bigint),
      status: String(r.status) as DeleteStatus,
      deletedLines: Number(r.deleted_lines),
    };
    const prev = latest.get(req.requestId);
    if (!prev || prev.version < req.version) latest.set(req.requestId, req);
  }
  return [...latest.values()];
}

async function write(t: MaintenanceTarget, r: DeleteRequest): Promise<void> {
  const w = new SqlWriter(t.dialect);
  const values = [
    w.bind(r.requestId, 'string'),
    w.bind(BigInt(r.version), 'int64'),
    w.bind(r.query, 'string'),
    w.bind(r.startMs, 'int64'),
    w.bind(r.endMs, 'int64'),
    w.bind(r.createdMs, 'int64'),
    w.bind(r.status, 'string'),
    w.bind(BigInt(r.deletedLines), 'int64'),
  ];
  await t.driver.query(
    `INSERT INTO ${DELETE_REQUESTS_TABLE} (request_id, version, query, start_ms, end_ms, created_ms, status, deleted_lines)
     SELECT ${values.join(', ')}`,
    w.params,
  );
}

/** Requests of this database, oldest first, cancelled ones left out (Loki removes them). */
export async function listDeleteRequests(t: MaintenanceTarget): Promise<DeleteRequest[]> {
  const all = await serialized(t, () => readAll(t));
  return all
    .filter((r) => r.status !== 'cancelled')
    .sort((a, b) => (a.createdMs < b.createdMs ? -1 : a.createdMs > b.createdMs ? 1 : 0));
}

export interface NewDeleteRequest {
  query: string;
  startMs: bigint;
  endMs: bigint;
}

/** Validate and store a request; answers it (status "received"). */
export async function addDeleteRequest(
  t: MaintenanceTarget,
  req: NewDeleteRequest,
  nowMs: bigint,
): Promise<DeleteRequest> {
  parseDeleteQuery(req.query);
  const r: DeleteRequest = {
    // Loki's ids are 8 hex digits (a 32-bit hash); random ones cannot collide by construction of the inputs
    requestId: randomBytes(4).toString('hex'),
    query: req.query,
    startMs: req.startMs,
    endMs: req.endMs,
    createdMs: nowMs,
    status: 'received',
    deletedLines: 0,
    version: 1,
  };
  await serialized(t, async () => {
    await ensureTable(t);
    await write(t, r);
  });
  return r;
}

/** Loki's CancelDeleteRequestHandler rules: only a received request, within the cancel period unless forced. */
export async function cancelDeleteRequest(
  t: MaintenanceTarget,
  requestId: string,
  opts: { force: boolean; cancelPeriodMs: bigint; nowMs: bigint },
): Promise<void> {
  await serialized(t, async () => {
    const r = (await readAll(t)).find((x) => x.requestId === requestId && x.status !== 'cancelled');
    if (!r) throw new DeleteRequestError(404, 'could not find delete request with given id');
    if (r.status === 'processed') {
      throw new DeleteRequestError(400, 'deletion of request which is in process or already processed is not allowed');
    }
    if (r.createdMs + opts.cancelPeriodMs < opts.nowMs && !opts.force) {
      throw new DeleteRequestError(
        400,
        `Cancellation of partially completed delete request or delete request past the deadline of ${formatMs(opts.cancelPeriodMs)} since its creation is not allowed. To force, use the ?force query parameter`,
      );
    }
    await write(t, { ...r, status: 'cancelled', version: r.version + 1 });
  });
}

/** Apply one request now; answers the number of lines deleted. */
export async function executeDeleteRequest(t: MaintenanceTarget, r: DeleteRequest): Promise<number> {
  const expr = parseDeleteQuery(r.query);
  const from = r.startMs * 1_000_000n;
  const to = r.endMs * 1_000_000n + 1n; // Loki deletes a line at exactly `end`
  t.catalog.invalidate();
  const streams = await t.catalog.select(expr.matchers, from, to);
  return deleteEntries(t, { streams, from, to, stages: expr.pipeline });
}

/** Apply every received request whose cancel period is over; answers the requests processed. */
export async function processDueDeleteRequests(
  t: MaintenanceTarget,
  opts: { cancelPeriodMs: bigint; nowMs: bigint },
): Promise<DeleteRequest[]> {
  return serialized(t, async () => {
    const due = (await readAll(t)).filter(
      (r) => r.status === 'received' && r.createdMs + opts.cancelPeriodMs <= opts.nowMs,
    );
    const done: DeleteRequest[] = [];
    for (const r of due) {
      const deletedLines = await executeDeleteRequest(t, r);
      const p: DeleteRequest = { ...r, status: 'processed', deletedLines, version: r.version + 1 };
      await write(t, p);
      done.push(p);
    }
    return done;
  });
}

/** Go's time.Duration.String for whole milliseconds (the cancel-period message). */
function formatMs(ms: bigint): string {
  if (ms === 0n) return '0s';
  let s = ms / 1000n;
  const frac = ms % 1000n;
  const h = s / 3600n;
  s %= 3600n;
  const m = s / 60n;
  s %= 60n;
  const sec = frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(3, '0').replace(/0+$/, '')}s`;
  return h > 0n ? `${h}h${m}m${sec}` : m > 0n ? `${m}m${sec}` : sec;
}
