// The gRPC services over the real engine (DuckDB in memory), with the conformance data set pushed through
// engine.push, compared with the answers Loki gave.
import { tableFromIPC, type Table } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../engine/types';
import { decodePushJson } from '../ingest';
import { defaultEngineFactory } from './engineFactory';
import { startGrpcServer, type GrpcPluginServer } from './server';
import { call, clients } from './testing';

const dir = join(__dirname, '../../tests/fixtures/conformance');
interface Case {
  id: string;
  kind: string;
  path: string;
  params: Record<string, string>;
  status: number;
  data: { resultType: string; result: unknown } | null;
}
const cases: Case[] = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).cases;

const pluginContext = {
  dataSourceInstanceSettings: {
    uid: 'real',
    name: 'real',
    jsonData: Buffer.from(JSON.stringify({ engine: 'duckdb', url: 'duckdb::memory:' })),
    lastUpdatedMS: 1,
  },
};

interface DataResponse {
  frames: Buffer[];
  error: string;
  status: number;
  errorSource: string;
}

function dataQuery(c: Case) {
  const p = c.params;
  const model: Record<string, unknown> = { expr: p.query, maxLines: Number(p.limit ?? 100) };
  if (p.direction) model.direction = p.direction;
  if (c.path.endsWith('/query')) {
    const ms = Number(BigInt(p.time!) / 1_000_000n);
    model.queryType = 'instant';
    return {
      refId: c.id,
      timeRange: { fromEpochMS: ms - 3_600_000, toEpochMS: ms },
      json: Buffer.from(JSON.stringify(model)),
    };
  }
  const start = BigInt(p.start!);
  const end = BigInt(p.end!);
  model.queryType = 'range';
  model.step = p.step ?? String(Math.max(Math.floor(Number((end - start) / 1_000_000_000n) / 250), 1));
  return {
    refId: c.id,
    timeRange: { fromEpochMS: Number(start / 1_000_000n), toEpochMS: Number(end / 1_000_000n) },
    intervalMS: 1000,
    maxDataPoints: 43200,
    json: Buffer.from(JSON.stringify(model)),
  };
}

const labelsOf = (t: Table, i: number) => JSON.parse(t.schema.fields[i]!.metadata.get('labels') ?? '{}');
const key = (l: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(l).sort()));

describe('gRPC services over the real engine (duckdb::memory:)', () => {
  let srv: GrpcPluginServer;
  let c: ReturnType<typeof clients>;
  let engine: EngineApi;

  beforeAll(async () => {
    srv = await startGrpcServer(
      async (cfg) => {
        engine = await defaultEngineFactory(cfg);
        await engine.push(decodePushJson(readFileSync(join(dir, 'dataset.json'))));
        return engine;
      },
      '127.0.0.1',
      0,
    );
    c = clients(srv.address);
  });
  afterAll(async () => {
    c?.close();
    await srv?.stop();
  });

  const usable = cases.filter(
    (x) =>
      ['logs', 'range', 'instant', 'error'].includes(x.kind) &&
      ['start', 'end', 'time'].every((k) => !x.params[k] || BigInt(x.params[k]) % 1_000_000n === 0n),
  );

  it(`answers ${usable.length} conformance cases like Loki`, async () => {
    const res = await call<{ responses: Record<string, DataResponse> }>(c.data, 'QueryData', {
      pluginContext,
      queries: usable.map(dataQuery),
    });
    const failures: string[] = [];
    for (const cs of usable) {
      const r = res.responses[cs.id]!;
      if (cs.kind === 'error') {
        if (!(r.status === 400 && r.error && r.errorSource === 'downstream'))
          failures.push(`${cs.id}: want a 400 downstream error, got ${r.status} ${r.error}`);
        continue;
      }
      if (r.status !== 200 || r.error) {
        failures.push(`${cs.id}: ${r.status} ${r.error}`);
        continue;
      }
      const tables = r.frames.map((f) => tableFromIPC(f));
      const meta = JSON.parse(tables[0]!.schema.metadata.get('meta')!);
      if (!meta.executedQueryString) failures.push(`${cs.id}: no executedQueryString`);
      const data = cs.data!;
      if (data.resultType === 'streams') {
        const want = (data.result as { stream: Record<string, string>; values: [string, string][] }[])
          .flatMap((s) => s.values.map(([ts, line]) => `${ts} ${line}`))
          .sort();
        const t = tables[0]!;
        const ts = t.getChild('timestamp')!.toArray() as BigInt64Array;
        const body = t.getChild('body')!.toArray() as string[];
        const have = body.map((b, i) => `${ts[i]} ${b}`).sort();
        if (meta.type !== 'log-lines' || want.join('\n') !== have.join('\n'))
          failures.push(`${cs.id}: entries differ (${want.length} vs ${have.length})`);
      } else if (data.resultType === 'matrix') {
        const want = new Map(
          (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((s) => [
            key(s.metric),
            s.values,
          ]),
        );
        const nonEmpty = tables.filter((t) => t.numCols > 0);
        if (meta.type !== 'timeseries-multi' || nonEmpty.length !== want.size)
          failures.push(`${cs.id}: ${nonEmpty.length} series, want ${want.size}`);
        for (const t of nonEmpty) {
          const w = want.get(key(labelsOf(t, 1)));
          const v = t.getChild('Value')!.toArray() as Float64Array;
          const tm = t.getChild('Time')!.toArray() as BigInt64Array;
          if (!w || w.length !== v.length) {
            failures.push(`${cs.id}: series ${key(labelsOf(t, 1))} differs`);
            continue;
          }
          w.forEach(([sec, val], i) => {
            const x = Number(val);
            const ok =
              Math.abs(Number(tm[i]! / 1_000_000n) - sec * 1000) <= 1 &&
              (x === v[i] || Math.abs(x - v[i]!) <= 1e-6 * Math.abs(x));
            if (!ok)
              failures.push(`${cs.id}: point ${i} of ${key(labelsOf(t, 1))}: want ${sec},${x} got ${tm[i]},${v[i]}`);
          });
        }
      } else {
        const want = (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
          (s) => `${key(s.metric)}=${Number(s.value[1])}`,
        );
        const have = tables
          .filter((t) => t.numCols > 0)
          .map((t) => `${key(labelsOf(t, 1))}=${t.getChild('Value')!.get(0)}`);
        if (meta.type !== 'numeric-multi' || want.sort().join() !== have.sort().join())
          failures.push(`${cs.id}: want ${want} got ${have}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('CheckHealth runs the health query and reads the tables', async () => {
    const r = await call<{ status: number; message: string }>(c.diagnostics, 'CheckHealth', { pluginContext });
    expect(r.status).toBe(1);
    expect(r.message).toMatch(/working: duckdb at duckdb::memory:.*8 label names/);
  });
});
