// Ingest throughput through the real HTTP push API (JSON), with a few concurrent pushers as shippers would.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../server/engine/engine';
import type { PushStream } from '../server/engine/types';
import { buildServer } from '../server/http/server';

export async function pushThroughHttp(
  engine: Engine,
  streams: PushStream[],
): Promise<{ ms: number; batches: number; batchSize: number }> {
  const app = buildServer(engine, {});
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const batchSize = 10_000;
  const bodies: string[] = [];
  for (const s of streams) {
    for (let i = 0; i < s.entries.length; i += batchSize) {
      const values = s.entries.slice(i, i + batchSize).map((e) => [String(e.ts), e.line]);
      bodies.push(JSON.stringify({ streams: [{ stream: s.labels, values }] }));
    }
  }
  const post = (body: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/loki/api/v1/push',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 204 || res.statusCode === 200
              ? resolve()
              : reject(new Error(`push: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) await post(bodies[next++]);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const ms = performance.now() - t0;
  await app.close();
  return { ms, batches: bodies.length, batchSize };
}

/**
 * The issue-9 ingest measurement: the public perf suite's data (`../shared/perf`, ~1 M lines over 3 days) pushed by
 * its own client (`push_bench.py`: 4 pushers of 5,000-line batches, each stream in time order) into a DuckDB file
 * database through the HTTP push API. The data is generated once (as `../shared/perf/run.sh` does) into
 * `$BENCH_PERF_DIR` (default: <tmpdir>/logqlsql-perf). Undefined when python3 or the suite is missing.
 */
export async function pushSuiteThroughHttp(
  perfDir = join(__dirname, '..', '..', 'shared', 'perf'),
): Promise<{ lines: number; seconds: number; rate: number } | undefined> {
  const client = join(perfDir, 'push_bench.py');
  if (!existsSync(client) || spawnSync('python3', ['--version']).status !== 0) return undefined;
  const work = process.env.BENCH_PERF_DIR ?? join(tmpdir(), 'logqlsql-perf');
  mkdirSync(work, { recursive: true });
  const payload = join(work, 'big.json');
  if (!existsSync(payload)) {
    const gen = spawnSync('python3', [join(perfDir, 'gen_logs.py'), '2024', '2026-11-10T00:00:00Z', '4320', payload]);
    if (gen.status !== 0) return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'logqlsql-bench-ingest-'));
  const { Engine } = await import('../server/engine/engine');
  const engine = await Engine.open(`duckdb:${join(dir, 'ingest.duckdb')}`);
  const app = buildServer(engine, {});
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('python3', [client, `http://127.0.0.1:${port}`, payload, '5000', '4']);
      let text = '';
      p.stdout.on('data', (b: Buffer) => (text += b.toString()));
      p.stderr.on('data', (b: Buffer) => (text += b.toString()));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`push_bench.py failed: ${text}`))));
    });
    // "pushed 989285 lines in 3.95 s: 250,452 lines/s (batch 5000, 4 pushers)"
    const m = /pushed (\d+) lines in ([\d.]+) s/.exec(out);
    if (!m) throw new Error(`unexpected push_bench.py output: ${out}`);
    const lines = Number(m[1]);
    const seconds = Number(m[2]);
    return { lines, seconds, rate: lines / seconds };
  } finally {
    await app.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
