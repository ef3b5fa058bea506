// Live tail over a real WebSocket (the `ws` client, as logcli/Grafana use): the client connects, then lines are
// pushed, and they arrive in Loki's frame format; history since `start` comes first; bad queries close the socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../engine/engine';
import { startServer } from '../http/server';
import { encodePushProtobuf } from '../ingest/protobuf';

let engine: Engine;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  engine = await Engine.open('duckdb::memory:');
  ({ app, address: base } = await startServer(engine, { port: 0, tailPollMs: 200 }));
});
afterAll(async () => {
  await app?.close();
  await engine?.close();
});

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

interface Frame {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
  dropped_entries: unknown;
}

function connect(
  query: string,
  extra = '',
): Promise<{ ws: WebSocket; frames: Frame[]; texts: string[]; closed: Promise<number> }> {
  const url = `${base.replace(/^http/, 'ws')}/loki/api/v1/tail?query=${encodeURIComponent(query)}${extra}`;
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  const texts: string[] = [];
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('message', (data) => {
    const s = data.toString();
    try {
      frames.push(JSON.parse(s) as Frame);
    } catch {
      texts.push(s);
    }
  });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, frames, texts, closed }));
    ws.on('error', reject);
  });
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lines = (frames: Frame[]) => frames.flatMap((f) => f.streams.flatMap((s) => s.values.map((v) => v[1])));

async function push(body: unknown): Promise<void> {
  const res = await fetch(`${base}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(204);
}

describe('tail over WebSocket', () => {
  it('sends history first, then lines pushed after connecting (JSON and protobuf pushes), filtered by the query', async () => {
    const t = nowNs();
    await push({
      streams: [
        { stream: { app: 'tailtest', env: 'a' }, values: [[String(t - 5_000_000_000n), 'old line level=info']] },
      ],
    });
    const { ws, frames } = await connect('{app="tailtest"} != "skip"', `&start=${t - 60_000_000_000n}&limit=10`);
    await until(() => lines(frames).includes('old line level=info'));
    expect(frames[0]!.dropped_entries).toBeNull();
    expect(frames[0]!.streams[0]!.stream).toEqual({ app: 'tailtest', env: 'a' });

    await push({
      streams: [
        {
          stream: { app: 'tailtest', env: 'a' },
          values: [
            [String(nowNs()), 'new line 1'],
            [String(nowNs() + 1n), 'skip me'],
          ],
        },
        { stream: { app: 'other' }, values: [[String(nowNs()), 'not for this tail']] },
      ],
    });
    // a protobuf push, with an older timestamp (a late line is still tailed, as in Loki)
    const res = await fetch(`${base}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(
        encodePushProtobuf([
          {
            labels: { app: 'tailtest', env: 'b' },
            entries: [{ ts: t - 30_000_000_000n, line: 'late protobuf line', metadata: { trace_id: 'abc' } }],
          },
        ]),
      ),
    });
    expect(res.status).toBe(204);
    await until(() => lines(frames).includes('new line 1') && lines(frames).includes('late protobuf line'));
    const all = lines(frames);
    expect(all).not.toContain('skip me');
    expect(all).not.toContain('not for this tail');
    expect(all.filter((l) => l === 'new line 1')).toHaveLength(1);
    // structured metadata is part of the stream labels in tail frames (no categorize-labels)
    const late = frames.flatMap((f) => f.streams).find((s) => s.values.some((v) => v[1] === 'late protobuf line'))!;
    expect(late.stream).toEqual({ app: 'tailtest', env: 'b', trace_id: 'abc' });
    // wait past a poll: nothing is sent twice
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(frames).filter((l) => l === 'new line 1')).toHaveLength(1);
    ws.close();
  });

  it('honours delay_for', async () => {
    const { ws, frames } = await connect('{app="delayed"}', '&delay_for=1');
    const t0 = Date.now();
    await push({ streams: [{ stream: { app: 'delayed' }, values: [[String(nowNs()), 'delayed line']] }] });
    await until(() => lines(frames).includes('delayed line'), 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    ws.close();
  });

  it('rejects metric queries and delay_for > 5 by closing with a message', async () => {
    const a = await connect('count_over_time({app="x"}[1m])');
    expect(await a.closed).toBe(1008);
    expect(a.texts.join()).toMatch(/log query/);
    const b = await connect('{app="x"}', '&delay_for=6');
    expect(await b.closed).toBe(1008);
    expect(b.texts.join()).toMatch(/delay_for/);
  });
});

describe('tail with a bearer token', () => {
  it('refuses the upgrade without the token and accepts it with the header', async () => {
    const e = await Engine.open('duckdb::memory:');
    const { app: a, address } = await startServer(e, { port: 0, authToken: 'tok' });
    const url = `${address.replace(/^http/, 'ws')}/loki/api/v1/tail?query=${encodeURIComponent('{app="x"}')}`;
    const denied = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(denied).toBe(401);
    const ok = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(url, { headers: { authorization: 'Bearer tok' } });
      ws.on('open', () => {
        ws.close();
        resolve(true);
      });
      ws.on('error', () => resolve(false));
    });
    expect(ok).toBe(true);
    await a.close();
    await e.close();
  });
});
