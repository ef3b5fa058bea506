// Benchmarks of the Grafana adapter for `npm run bench` (numbers, never pass/fail):
//   - QueryData overhead over the engine alone: the same small query through gRPC QueryData (settings, query model,
//     frames, Arrow, protobuf, loopback) vs engine.query directly; p50 of each and the difference.
//   - Arrow log-frame encoding: rows/second of logsFrame + encodeFrame for a large log result.
import type { EngineApi, QueryRequest, Stream } from '../engine/types';
import { encodeFrame } from '../frames/arrow';
import { logsFrame } from '../frames/build';
import { startGrpcServer } from './server';
import { call, clients } from './testing';

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface GrafanaBenchResult {
  engineP50Ms: number;
  queryDataP50Ms: number;
  overheadP50Ms: number;
  logFrameRows: number;
  logFrameRowsPerSec: number;
  logFrameBytes: number;
}

/** `req` is a small query over data already in `engine` (its start/end must be whole milliseconds). */
export async function benchGrafana(engine: EngineApi, req: QueryRequest, runs = 30): Promise<GrafanaBenchResult> {
  const srv = await startGrpcServer(async () => engine, '127.0.0.1', 0, { closeEngines: false });
  const c = clients(srv.address);
  const pluginContext = {
    dataSourceInstanceSettings: { uid: 'bench', jsonData: Buffer.from('{"engine":"duckdb"}'), lastUpdatedMS: 1 },
  };
  const model = {
    expr: req.query,
    queryType: req.instant ? 'instant' : 'range',
    maxLines: req.limit,
    direction: req.direction,
    ...(req.step ? { step: `${Number(req.step / 1_000_000n)}ms` } : {}),
  };
  const dq = {
    refId: 'A',
    timeRange: { fromEpochMS: Number(req.start / 1_000_000n), toEpochMS: Number(req.end / 1_000_000n) },
    json: Buffer.from(JSON.stringify(model)),
  };
  const engineMs: number[] = [];
  const grpcMs: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      let t0 = performance.now();
      await engine.query(req);
      const e = performance.now() - t0;
      t0 = performance.now();
      const r = await call<{ responses: Record<string, { status: number; error: string }> }>(c.data, 'QueryData', {
        pluginContext,
        queries: [dq],
      });
      const g = performance.now() - t0;
      if (r.responses.A?.status !== 200) throw new Error(`QueryData failed: ${r.responses.A?.error}`);
      if (i > 0) {
        engineMs.push(e);
        grpcMs.push(g);
      }
    }
  } finally {
    c.close();
    await srv.stop();
  }

  // log-frame encoding: 100 k rows over 10 streams
  const rows = 100_000;
  const streams: Stream[] = Array.from({ length: 10 }, (_, s) => ({
    labels: { app: `app-${s}`, level: s % 3 ? 'info' : 'error', host: `host-${s}` },
    entries: Array.from({ length: rows / 10 }, (_, i) => ({
      ts: 1_795_168_800_000_000_000n + BigInt(i * 10 + s) * 1_000_000n,
      line: `level=info msg="request done" path=/api/v1/orders/${i} status=200 duration=${i % 997}ms stream=${s}`,
    })),
  }));
  const t0 = performance.now();
  const bytes = encodeFrame(logsFrame(streams, undefined, { refId: 'A', direction: 'backward' })).length;
  const encMs = performance.now() - t0;

  const engineP50Ms = p50(engineMs);
  const queryDataP50Ms = p50(grpcMs);
  return {
    engineP50Ms,
    queryDataP50Ms,
    overheadP50Ms: queryDataP50Ms - engineP50Ms,
    logFrameRows: rows,
    logFrameRowsPerSec: Math.round((rows / encMs) * 1000),
    logFrameBytes: bytes,
  };
}

export function formatGrafanaBench(r: GrafanaBenchResult): string {
  return [
    `grafana QueryData: p50 ${r.queryDataP50Ms.toFixed(2)} ms vs engine alone ${r.engineP50Ms.toFixed(2)} ms → overhead ${r.overheadP50Ms.toFixed(2)} ms`,
    `arrow log frame: ${r.logFrameRows.toLocaleString()} rows encoded at ${r.logFrameRowsPerSec.toLocaleString()} rows/s (${(r.logFrameBytes / 1e6).toFixed(1)} MB)`,
  ].join('\n');
}
