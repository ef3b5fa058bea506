// The conformance data set pushed through every wire format the server accepts — Loki JSON, Loki protobuf+snappy,
// OTLP/HTTP protobuf and OTLP/HTTP JSON — must give the same answers (Loki's recorded answers) to every case.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../server/engine/engine';
import type { PushStream } from '../../server/engine/types';
import { buildServer } from '../../server/http/server';
import { encodePushProtobuf } from '../../server/ingest/protobuf';
import { encodeOtlpProtobuf, otlpJsonRequest, type OtlpRecordInput } from '../../server/ingest/otlp';
import { compare, loadCases, loadDataset, runCase } from '../conformance/cases';

/** Split streams into requests of at most `n` entries. */
function chunks(streams: PushStream[], n: number): PushStream[][] {
  const out: PushStream[][] = [];
  let cur: PushStream[] = [];
  let size = 0;
  for (const s of streams) {
    for (let i = 0; i < s.entries.length; i += n) {
      const part = s.entries.slice(i, i + n);
      if (size + part.length > n && cur.length) {
        out.push(cur);
        cur = [];
        size = 0;
      }
      cur.push({ labels: s.labels, entries: part });
      size += part.length;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

const dataset = loadDataset();
const labelNames = [...new Set(dataset.flatMap((s) => Object.keys(s.labels)))];
const toOtlp = (streams: PushStream[]): OtlpRecordInput[] =>
  streams.map((s) => ({ resource: s.labels, records: s.entries.map((e) => ({ ts: e.ts, body: e.line })) }));

type Format = { name: string; url: string; headers: Record<string, string>; body: (s: PushStream[]) => Buffer };
const FORMATS: Format[] = [
  {
    name: 'Loki JSON (gzip)',
    url: '/loki/api/v1/push',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: (s) =>
      gzipSync(
        JSON.stringify({
          streams: s.map((x) => ({ stream: x.labels, values: x.entries.map((e) => [String(e.ts), e.line]) })),
        }),
      ),
  },
  {
    name: 'Loki protobuf+snappy',
    url: '/loki/api/v1/push',
    headers: { 'content-type': 'application/x-protobuf' },
    body: encodePushProtobuf,
  },
  {
    name: 'OTLP protobuf (gzip)',
    url: '/otlp/v1/logs',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    body: (s) => gzipSync(encodeOtlpProtobuf(toOtlp(s))),
  },
  {
    name: 'OTLP JSON',
    url: '/otlp/v1/logs',
    headers: { 'content-type': 'application/json' },
    body: (s) => Buffer.from(JSON.stringify(otlpJsonRequest(toOtlp(s)))),
  },
];

for (const f of FORMATS) {
  describe(`conformance data pushed as ${f.name}`, () => {
    let engine: Engine;
    let app: FastifyInstance;
    beforeAll(async () => {
      engine = await Engine.open('duckdb::memory:');
      // OTLP: index the data set's resource attributes as labels and add no service_name, so that the streams are
      // the data set's (Loki's otlp_config `index_label` action does the same).
      app = buildServer(engine, { otlp: { indexLabels: labelNames, defaultServiceName: null } });
      for (const part of chunks(dataset, 4000)) {
        const res = await app.inject({ method: 'POST', url: f.url, headers: f.headers, payload: f.body(part) });
        expect(res.statusCode, res.body).toBe(204);
      }
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await engine?.close();
    });

    it('answers every conformance case like Loki', async () => {
      const failures: string[] = [];
      let n = 0;
      for (const c of loadCases()) {
        if (c.status !== 200) continue;
        n++;
        const diff = compare(c, await runCase(engine, c));
        if (diff) failures.push(`${c.id}: ${diff}`);
      }
      expect(n).toBeGreaterThan(90);
      expect(failures).toEqual([]);
    }, 120_000);
  });
}
