// Ingest throughput through the real HTTP push API (JSON), with a few concurrent pushers as shippers would.
import { request } from 'node:http';
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
