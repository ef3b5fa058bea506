// Live tail over Grafana Live: SubscribeStream accepts `tail/<anything>` channels whose data is a query model with a
// log query; RunStream polls the engine for lines newer than the last one sent and pushes each batch as a JSON data
// frame (log-lines) until Grafana cancels the call.
import type { EngineApi, Stream } from '../engine/types';
import { logsFrame } from '../frames/build';
import { frameToJSON } from '../frames/json';
import type { Logger } from './hclog';
import type { DataSourceConfig } from './settings';

export interface TailRequest {
  expr: string;
  /** how far back the first batch reaches (ms); default 1 h, like `logcli --tail` */
  sinceMs: number;
  limit: number;
  /** poll interval ms */
  intervalMs: number;
}

export function parseTailRequest(
  path: string,
  data: Buffer | Uint8Array | undefined,
  config: DataSourceConfig,
): TailRequest {
  if (!path.startsWith('tail/') && path !== 'tail')
    throw new Error(`unknown channel path ${JSON.stringify(path)}: use tail/<id>`);
  let model: Record<string, unknown> = {};
  if (data && data.length) {
    try {
      model = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new Error('stream data is not JSON');
    }
  }
  const expr = typeof model.expr === 'string' ? model.expr.trim() : '';
  if (!expr) throw new Error('live tail needs a log query in "expr"');
  const limit = Number(model.maxLines ?? config.maxLines) || config.maxLines;
  const sinceMs = Number(model.sinceMs ?? 3_600_000) || 3_600_000;
  const intervalMs = Math.max(100, Number(model.intervalMs ?? 1000) || 1000);
  return { expr, sinceMs, limit, intervalMs };
}

const NS_PER_MS = 1_000_000n;

/** Runs one tail until `signal` aborts; `send` gets each JSON frame. */
export async function runTail(
  engine: EngineApi,
  req: TailRequest,
  refId: string,
  send: (json: string) => void,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  let cursor = BigInt(Date.now()) * NS_PER_MS - BigInt(req.sinceMs) * NS_PER_MS;
  // entries already sent at exactly `cursor` (the next poll starts there, inclusive)
  let sentAtCursor = new Set<string>();
  let first = true;
  while (!signal.aborted) {
    const end = BigInt(Date.now()) * NS_PER_MS + 1n;
    try {
      const res = await engine.query({
        query: req.expr,
        start: cursor,
        end,
        instant: false,
        limit: req.limit,
        // the first batch shows the most recent lines; later ones continue forward from the cursor
        direction: first ? 'backward' : 'forward',
        signal,
      });
      if (res.data.resultType !== 'streams') throw new Error('live tail needs a log query, not a metric query');
      const fresh: Stream[] = [];
      let maxTs = cursor;
      const atMax = new Set<string>();
      for (const s of res.data.result) {
        const key = JSON.stringify(s.labels);
        const entries = s.entries.filter((e) => !(e.ts === cursor && sentAtCursor.has(key + '\u0000' + e.line)));
        if (entries.length) fresh.push({ labels: s.labels, entries });
        for (const e of s.entries) if (e.ts > maxTs) maxTs = e.ts;
      }
      for (const s of res.data.result) {
        const key = JSON.stringify(s.labels);
        for (const e of s.entries) if (e.ts === maxTs) atMax.add(key + '\u0000' + e.line);
      }
      if (maxTs === cursor) for (const k of sentAtCursor) atMax.add(k);
      if (fresh.some((s) => s.entries.length) || first) {
        const frame = logsFrame(fresh, undefined, { refId, direction: 'forward' });
        send(frameToJSON(frame));
      }
      cursor = maxTs;
      sentAtCursor = atMax;
      first = false;
    } catch (e) {
      if (signal.aborted) break;
      log.warn('Live tail query failed', { error: (e as Error).message, expr: req.expr });
      throw e;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, req.intervalMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}
