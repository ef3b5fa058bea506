import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../sql/open';
import type { Driver } from '../sql/driver';
import { ensureNativeSchema, streamId } from '../schema/native';
import { PushValidationError, decodePushJson } from './decode';
import { Ingester } from './ingester';

const DATASET = readFileSync(join(__dirname, '../../tests/fixtures/conformance/dataset.json'));

async function counts(d: Driver): Promise<{ streams: bigint; entries: bigint }> {
  const [r] = await d.query<{ streams: bigint; entries: bigint }>(
    'SELECT (SELECT count(*) FROM streams) AS streams, (SELECT count(*) FROM entries) AS entries',
  );
  return r;
}

function body(o: unknown): Buffer {
  return Buffer.from(JSON.stringify(o));
}

describe('decodePushJson', () => {
  const bad: [string, unknown, RegExp][] = [
    ['not an object', [1], /JSON object with a "streams" array/],
    ['no streams', {}, /"streams" must be an array/],
    ['missing labels', { streams: [{ values: [] }] }, /streams\[0\]: missing "stream"/],
    ['empty labels', { streams: [{ stream: {}, values: [] }] }, /streams\[0\]: empty label set/],
    ['only empty values', { streams: [{ stream: { a: '' }, values: [] }] }, /streams\[0\]: empty label set/],
    ['bad label name', { streams: [{ stream: { 'a-b': 'x' }, values: [] }] }, /streams\[0\]: invalid label name "a-b"/],
    ['digit label name', { streams: [{ stream: { '1a': 'x' }, values: [] }] }, /invalid label name "1a"/],
    [
      'non-string label',
      { streams: [{ stream: { a: 1 }, values: [] }] },
      /label a must have a string value, got number/,
    ],
    ['values not array', { streams: [{ stream: { a: 'x' }, values: 3 }] }, /streams\[0\]: "values" must be an array/],
    [
      'bad ts',
      {
        streams: [
          { stream: { a: 'x' }, values: [['1', 'ok']] },
          {
            stream: { a: 'y' },
            values: [
              ['1', 'ok'],
              ['12a', 'l'],
            ],
          },
        ],
      },
      /streams\[1\]\.values\[1\]\[0\]: timestamp "12a" is not an integer string/,
    ],
    ['numeric ts', { streams: [{ stream: { a: 'x' }, values: [[1, 'l']] }] }, /values\[0\]\[0\]: timestamp 1 is not/],
    ['float ts', { streams: [{ stream: { a: 'x' }, values: [['1.5', 'l']] }] }, /timestamp "1.5"/],
    ['ts overflow', { streams: [{ stream: { a: 'x' }, values: [['9223372036854775808', 'l']] }] }, /timestamp/],
    [
      'line not string',
      { streams: [{ stream: { a: 'x' }, values: [['1', 5]] }] },
      /values\[0\]\[1\]: log line must be a string, got number/,
    ],
    ['short entry', { streams: [{ stream: { a: 'x' }, values: [['1']] }] }, /values\[0\]: must be \[timestamp, line\]/],
    [
      'bad metadata',
      { streams: [{ stream: { a: 'x' }, values: [['1', 'l', { k: 1 }]] }] },
      /values\[0\]\[2\]: structured metadata k must be a string/,
    ],
  ];
  for (const [name, payload, re] of bad) {
    it(`rejects ${name}`, () => {
      let err: unknown;
      try {
        decodePushJson(body(payload));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PushValidationError);
      expect((err as PushValidationError).status).toBe(400);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('rejects bad JSON and bad gzip', () => {
    expect(() => decodePushJson(Buffer.from('{"streams": ['))).toThrow(/invalid JSON/);
    expect(() => decodePushJson(Buffer.from('nope'), 'gzip')).toThrow(/invalid gzip body/);
    expect(() => decodePushJson(Buffer.from('{}'), 'br')).toThrow(PushValidationError);
  });

  it('decodes exact ns timestamps, metadata, gzip with and without header', () => {
    const p = {
      streams: [
        {
          stream: { app: 'x', empty: '' },
          values: [
            ['1795168801075322878', 'l1'],
            ['2', 'l2', { trace_id: 'abc' }],
          ],
        },
      ],
    };
    const expected = [
      {
        labels: { app: 'x' },
        entries: [
          { ts: 1795168801075322878n, line: 'l1' },
          { ts: 2n, line: 'l2', metadata: { trace_id: 'abc' } },
        ],
      },
    ];
    expect(decodePushJson(body(p))).toEqual(expected);
    expect(decodePushJson(gzipSync(body(p)), 'gzip')).toEqual(expected);
    expect(decodePushJson(gzipSync(body(p)))).toEqual(expected);
  });
});

describe('Ingester', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logqlsql-ingest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the conformance data set once (27,485 entries, 5 duplicates) and persists across reopen', async () => {
    const url = `duckdb:${join(dir, 'conf.duckdb')}`;
    const d = await openDriver(url);
    const ing = new Ingester(d);
    const streams = decodePushJson(gzipSync(DATASET), 'gzip');
    expect(streams.reduce((n, s) => n + s.entries.length, 0)).toBe(27485);
    const r = await ing.push(streams);
    expect(r).toEqual({ entries: 27480, duplicates: 5 });
    expect(await counts(d)).toEqual({ streams: 13n, entries: 27480n });
    // pushing it again stores nothing new
    expect(await ing.push(streams)).toEqual({ entries: 0, duplicates: 27485 });
    // streams rows: labels JSON, ids, first/last ts
    const raw = JSON.parse(DATASET.toString()) as {
      streams: { stream: Record<string, string>; values: [string, string][] }[];
    };
    const s0 = raw.streams[0];
    const [row] = await d.query<{ labels: string; first_ts: bigint; last_ts: bigint }>(
      'SELECT labels, first_ts, last_ts FROM streams WHERE id = $1',
      [streamId(s0.stream)],
    );
    const tss = s0.values.map((v) => BigInt(v[0]));
    expect(JSON.parse(row.labels)).toEqual(s0.stream);
    expect(row.first_ts).toBe(tss.reduce((a, b) => (a < b ? a : b)));
    expect(row.last_ts).toBe(tss.reduce((a, b) => (a > b ? a : b)));
    const [ts] = await d.query<{ ts: bigint }>('SELECT ts FROM entries WHERE stream_id = $1 AND ts = $2', [
      streamId(s0.stream),
      BigInt(s0.values[0][0]),
    ]);
    expect(ts.ts).toBe(BigInt(s0.values[0][0]));
    await d.close();

    const d2 = await openDriver(url);
    expect(await counts(d2)).toEqual({ streams: 13n, entries: 27480n });
    await d2.close();
  });

  it('a rejected payload writes nothing', async () => {
    const d = await openDriver('duckdb::memory:');
    await ensureNativeSchema(d);
    const ing = new Ingester(d);
    const payload = {
      streams: [
        {
          stream: { a: 'x' },
          values: [
            ['1', 'ok'],
            ['2', 'ok'],
          ],
        },
        {
          stream: { a: 'y' },
          values: [
            ['1', 'ok'],
            ['x', 'bad'],
          ],
        },
      ],
    };
    expect(() => decodePushJson(body(payload))).toThrow(PushValidationError);
    expect(await counts(d)).toEqual({ streams: 0n, entries: 0n });
    await ing.flush();
    await d.close();
  });

  it('widens first/last ts and keeps hostile lines and metadata exact', async () => {
    const d = await openDriver('duckdb::memory:');
    const ing = new Ingester(d);
    const lines = ["'); DROP TABLE entries; --", 'nul\0x', 'q"\\', '주문 생성'];
    await ing.push([
      {
        labels: { app: 'a' },
        entries: lines.map((line, i) => ({ ts: 100n + BigInt(i), line, metadata: { k: line } })),
      },
    ]);
    await ing.push([
      {
        labels: { app: 'a' },
        entries: [
          { ts: 5n, line: 'early' },
          { ts: 9223372036854775807n, line: 'late' },
        ],
      },
    ]);
    const [s] = await d.query('SELECT first_ts, last_ts FROM streams');
    expect(s).toEqual({ first_ts: 5n, last_ts: 9223372036854775807n });
    const rows = await d.query<{ line: string; metadata: string | null }>(
      'SELECT line, metadata FROM entries WHERE ts BETWEEN 100 AND 103 ORDER BY ts',
    );
    expect(rows.map((r) => r.line)).toEqual(lines);
    expect(rows.map((r) => JSON.parse(r.metadata!).k)).toEqual(lines);
    await d.close();
  });

  for (const dup of [false, true]) {
    it(`stores each batch ordered by (hour chunk, stream_id, ts)${dup ? ' (batch with duplicates)' : ''}`, async () => {
      const d = await openDriver('duckdb::memory:');
      const ing = new Ingester(d);
      const H = 3_600_000_000_000n;
      const mk = (app: string, n: number) => ({
        labels: { app },
        entries: Array.from({ length: n }, (_, i) => ({
          ts: H * 10n + (BigInt(i) * 3n * H) / BigInt(n),
          line: `${app} ${i}`,
        })),
      });
      const streams = [mk('a', 300), mk('b', 200), mk('c', 100)];
      if (dup) streams.push({ labels: { app: 'b' }, entries: [streams[1].entries[5]] });
      const r = await ing.push(streams);
      expect(r).toEqual({ entries: 600, duplicates: dup ? 1 : 0 });
      const rows = await d.query<{ c: bigint; s: bigint; ts: bigint }>(
        `SELECT ts // ${H} AS c, stream_id AS s, ts FROM entries ORDER BY rowid`,
      );
      const key = (x: { c: bigint; s: bigint; ts: bigint }) => [x.c, x.s, x.ts];
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [key(rows[i - 1]), key(rows[i])];
        const cmp =
          a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[2] < b[2] ? -1 : 1;
        expect(cmp).toBe(-1);
      }
      await d.close();
    });
  }

  it('keeps writing after a push arrives while the writer loop is finishing (regression)', async () => {
    const d = await openDriver('duckdb::memory:');
    const ing = new Ingester(d);
    // each push is issued right after the previous one resolved: it lands while the loop winds down
    for (let i = 0; i < 5; i++) {
      expect(await ing.push([{ labels: { app: 's' }, entries: [{ ts: BigInt(i), line: `l${i}` }] }])).toEqual({
        entries: 1,
        duplicates: 0,
      });
    }
    const rs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ing.push([{ labels: { app: 's' }, entries: [{ ts: BigInt(100 + i), line: 'x' }] }]),
      ),
    );
    expect(rs.every((r) => r.entries === 1)).toBe(true);
    expect(await counts(d)).toEqual({ streams: 1n, entries: 15n });
    await d.close();
  });

  it('acknowledges concurrent pushes (group commit) and stores each entry once', async () => {
    const d = await openDriver(`duckdb:${join(dir, 'concurrent.duckdb')}`);
    const ing = new Ingester(d);
    const N = 50;
    const pushes = Array.from({ length: N }, (_, i) =>
      ing.push([
        {
          labels: { app: 'c', pod: `p${i % 5}` },
          entries: [
            { ts: BigInt(1000 + i), line: `line ${i}` },
            { ts: 1n, line: 'shared' },
          ],
        },
      ]),
    );
    const results = await Promise.all(pushes);
    const stored = results.reduce((n, r) => n + r.entries, 0);
    const dups = results.reduce((n, r) => n + r.duplicates, 0);
    // each pod stream gets 'shared' once: 5 streams
    expect(stored).toBe(N + 5);
    expect(dups).toBe(N - 5);
    expect(await counts(d)).toEqual({ streams: 5n, entries: BigInt(N + 5) });
    await d.close();
  });
});
