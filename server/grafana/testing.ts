// Test helpers: gRPC clients for our own services (grpc-js), and a tiny in-memory EngineApi for protocol tests that
// must not depend on the SQL engine.
import * as grpc from '@grpc/grpc-js';
import type { EngineApi, Labels, PushStream, QueryRequest, QueryResult } from '../engine/types';
import { LogQLError } from '../logql/errors';
import { clientCtor, loadProtocol } from './proto';
import { MAX_MESSAGE_BYTES } from './server';

export type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

export function clients(address: string) {
  const pkg = loadProtocol();
  const opts = {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  };
  const mk = (path: string) =>
    new (clientCtor(pkg, path))(address, grpc.credentials.createInsecure(), opts) as unknown as AnyClient;
  return {
    data: mk('pluginv2.Data'),
    diagnostics: mk('pluginv2.Diagnostics'),
    resource: mk('pluginv2.Resource'),
    stream: mk('pluginv2.Stream'),
    controller: mk('plugin.GRPCController'),
    health: mk('grpc.health.v1.Health'),
    close() {
      for (const c of [this.data, this.diagnostics, this.resource, this.stream, this.controller, this.health])
        c.close();
    },
  };
}

export function call<T>(client: AnyClient, method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    (client[method] as (r: unknown, cb: (e: Error | null, v: T) => void) => void)(req, (e, v) =>
      e ? reject(e) : resolve(v),
    ),
  );
}

export function collect<T>(client: AnyClient, method: string, req: unknown, max = Infinity): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    const s = (client[method] as (r: unknown) => grpc.ClientReadableStream<T>)(req);
    s.on('data', (m: T) => {
      out.push(m);
      if (out.length >= max) {
        s.cancel();
        resolve(out);
      }
    });
    s.on('end', () => resolve(out));
    s.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? resolve(out) : reject(e)));
  });
}

/** A fake engine over pushed streams: log queries `{k="v"}` only, plus `vector(N)` style metric answers. */
export class FakeEngine implements EngineApi {
  streams: PushStream[] = [];
  closed = false;
  lastRequest?: QueryRequest;

  async query(req: QueryRequest): Promise<QueryResult> {
    this.lastRequest = req;
    const stats = { sql: ['SELECT fake'], tsStages: [], rowsScanned: 0, sqlMs: 0, totalMs: 0 };
    if (req.query === 'vector(1)+vector(1)') {
      return {
        data: { resultType: 'vector', result: [{ metric: {}, value: [Number(req.end / 1_000_000n), 2] }] },
        stats,
      };
    }
    if (req.query.startsWith('rate(')) {
      const step = Number((req.step ?? 60_000_000_000n) / 1_000_000n);
      const values: [number, number][] = [];
      for (let t = Number(req.start / 1_000_000n); t <= Number(req.end / 1_000_000n); t += step) values.push([t, 1]);
      return { data: { resultType: 'matrix', result: [{ metric: { app: 'x' }, values }] }, stats };
    }
    const m = /^\{(\w+)="([^"]*)"\}$/.exec(req.query);
    if (!m) throw new LogQLError('parse', 'syntax error: unexpected IDENTIFIER', { from: 0, to: 1 }, req.query);
    const result = this.streams
      .filter((s) => s.labels[m[1]!] === m[2])
      .map((s) => ({ labels: s.labels, entries: s.entries.filter((e) => e.ts >= req.start && e.ts < req.end) }))
      .filter((s) => s.entries.length);
    return { data: { resultType: 'streams', result }, stats };
  }
  async labelNames(): Promise<string[]> {
    return [...new Set(this.streams.flatMap((s) => Object.keys(s.labels)))].sort();
  }
  async labelValues(name: string): Promise<string[]> {
    return [...new Set(this.streams.map((s) => s.labels[name]).filter((v): v is string => v !== undefined))].sort();
  }
  async series(): Promise<Labels[]> {
    return this.streams.map((s) => s.labels);
  }
  async indexStats() {
    return { streams: this.streams.length, chunks: 0, entries: 0, bytes: 0 };
  }
  async push(streams: PushStream[]) {
    this.streams.push(...streams);
    return { entries: streams.reduce((n, s) => n + s.entries.length, 0) };
  }
  async translate(query: string) {
    if (!query.startsWith('{')) throw new LogQLError('parse', 'syntax error', { from: 0, to: 1 }, query);
    return { sql: [{ text: 'SELECT fake', params: [] }], tsStages: [], explain: 'fake' };
  }
  async close() {
    this.closed = true;
  }
}
