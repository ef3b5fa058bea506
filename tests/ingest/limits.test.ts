// Ingest limits (server/ingest/limits.ts), through the HTTP push APIs: every limit refuses a push with a clear 4xx,
// a refused push leaves the database unchanged, and /ready keeps answering. Boundaries are tested on both sides.
import { deflateSync, gzipSync } from 'node:zlib';
import { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import * as snappy from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import type { Labels, PushStream } from '../../server/engine/types';
import { buildServer, type ServerOptions } from '../../server/http/server';
import {
  applyIngestLimits,
  ingestLimitOption,
  ingestLimits,
  ingestLimitsFromOptions,
} from '../../server/ingest/limits';
import { encodeOtlpProtobuf } from '../../server/ingest/otlp';
import { encodePushProtobuf } from '../../server/ingest/protobuf';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const JSON_CT = { 'content-type': 'application/json' };

function jsonPush(labels: Labels, values: [string, string][]): Buffer {
  return Buffer.from(JSON.stringify({ streams: [{ stream: labels, values }] }));
}

interface Ctx {
  engine: Engine;
  app: FastifyInstance;
}

async function open(opts: ServerOptions = {}): Promise<Ctx> {
  const engine = await Engine.open('duckdb::memory:');
  return { engine, app: buildServer(engine, opts) };
}

/** Count stored entries through the API (what a client sees). */
async function stored(c: Ctx): Promise<number> {
  const res = await c.app.inject({
    method: 'GET',
    url: '/loki/api/v1/index/stats?query=' + encodeURIComponent('{a=~".+"}') + '&start=0&end=9223372036854775807',
  });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body).entries as number;
}

async function push(c: Ctx, url: string, headers: Record<string, string>, payload: Buffer) {
  return c.app.inject({ method: 'POST', url, headers, payload });
}

/** The push is refused with `status` and `message`, nothing is stored, and /ready answers at once. */
async function expectRefused(
  c: Ctx,
  res: { statusCode: number; body: string },
  status: number,
  message: RegExp,
  before = 0,
): Promise<void> {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.body).toMatch(message);
  expect(await stored(c)).toBe(before);
  const t0 = performance.now();
  const ready = await c.app.inject({ method: 'GET', url: '/ready' });
  expect(ready.statusCode).toBe(200);
  expect(performance.now() - t0).toBeLessThan(1000);
}

describe('ingest limits over HTTP', () => {
  let c: Ctx;
  beforeAll(async () => {
    c = await open();
    // one stored entry, so that "unchanged" is not just "empty"
    const res = await push(c, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'seed' }, [[String(NOW_NS), 'seed']]));
    expect(res.statusCode, res.body).toBe(204);
  });
  afterAll(async () => {
    await c.app.close();
    await c.engine.close();
  });

  describe('max_decompressed_size (default 64 MiB)', () => {
    it('refuses a gzip JSON body expanding past it with 413, in a bounded time', async () => {
      // ~300 KB on the wire, 70 MB once expanded (the bomb, scaled)
      const line = 'x'.repeat(70 * 1024 * 1024);
      const bomb = gzipSync(jsonPush({ a: 'bomb' }, [[String(NOW_NS), line]]), { level: 9 });
      expect(bomb.length).toBeLessThan(400_000);
      const t0 = performance.now();
      const res = await push(c, '/loki/api/v1/push', { ...JSON_CT, 'content-encoding': 'gzip' }, bomb);
      expect(performance.now() - t0).toBeLessThan(10_000);
      await expectRefused(c, res, 413, /decompressed body exceeds the limit of 67108864 bytes/, 1);
    }, 30_000);

    it('is a flag: a lower cap refuses gzip, deflate, snappy protobuf and OTLP bodies just past it', async () => {
      const small = await open({ limits: { maxDecompressedSize: 100_000 } });
      try {
        const at = (n: number) => jsonPush({ a: 'z' }, [[String(NOW_NS), 'y'.repeat(n)]]);
        const overhead = at(0).length;
        // exactly at the cap: accepted; one byte more: refused
        const ok = await push(
          small,
          '/loki/api/v1/push',
          { ...JSON_CT, 'content-encoding': 'gzip' },
          gzipSync(at(100_000 - overhead)),
        );
        expect(ok.statusCode, ok.body).toBe(204);
        const over = gzipSync(at(100_001 - overhead));
        await expectRefused(
          small,
          await push(small, '/loki/api/v1/push', { ...JSON_CT, 'content-encoding': 'gzip' }, over),
          413,
          /max_decompressed_size/,
          1,
        );
        await expectRefused(
          small,
          await push(
            small,
            '/loki/api/v1/push',
            { ...JSON_CT, 'content-encoding': 'deflate' },
            deflateSync(at(200_000)),
          ),
          413,
          /max_decompressed_size/,
          1,
        );
        const big: PushStream[] = [{ labels: { a: 'p' }, entries: [{ ts: NOW_NS, line: 'y'.repeat(200_000) }] }];
        await expectRefused(
          small,
          await push(small, '/loki/api/v1/push', { 'content-type': 'application/x-protobuf' }, encodePushProtobuf(big)),
          413,
          /max_decompressed_size/,
          1,
        );
        const otlp = gzipSync(
          encodeOtlpProtobuf([{ resource: { a: 'o' }, records: [{ ts: NOW_NS, body: 'y'.repeat(200_000) }] }]),
        );
        await expectRefused(
          small,
          await push(
            small,
            '/otlp/v1/logs',
            { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
            otlp,
          ),
          413,
          /max_decompressed_size/,
          1,
        );
        // a snappy body whose header claims 200 MB is refused before anything is expanded
        const varint = (n: number) => {
          const out: number[] = [];
          for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
          return Buffer.from([...out, n]);
        };
        const tiny = Buffer.from(snappy.compress(new Uint8Array(10))); // header: varint 10, one byte
        const liar = Buffer.concat([varint(200_000_000), tiny.subarray(1)]);
        await expectRefused(
          small,
          await push(small, '/loki/api/v1/push', { 'content-type': 'application/x-protobuf' }, liar),
          413,
          /max_decompressed_size/,
          1,
        );
      } finally {
        await small.app.close();
        await small.engine.close();
      }
    }, 30_000);
  });

  describe('max_line_size (default 256KB = 256,000 bytes)', () => {
    it("accepts a line of exactly 256,000 bytes and refuses 256,001 with Loki's message", async () => {
      const ok = await push(
        c,
        '/loki/api/v1/push',
        JSON_CT,
        jsonPush({ a: 'line' }, [[String(NOW_NS), 'l'.repeat(256_000)]]),
      );
      expect(ok.statusCode, ok.body).toBe(204);
      const res = await push(
        c,
        '/loki/api/v1/push',
        JSON_CT,
        jsonPush({ a: 'line' }, [
          [String(NOW_NS + 1n), 'fine'],
          [String(NOW_NS + 2n), 'l'.repeat(256_001)],
        ]),
      );
      await expectRefused(
        c,
        res,
        400,
        /max entry size '256000' bytes exceeded for stream '\{a="line"\}' while adding an entry with length '256001' bytes/,
        2,
      );
    });

    it('counts UTF-8 bytes, not characters', async () => {
      // 85,334 × '€' (3 bytes each): 85,334 characters, 256,002 bytes
      const res = await push(
        c,
        '/loki/api/v1/push',
        JSON_CT,
        jsonPush({ a: 'euro' }, [[String(NOW_NS), '€'.repeat(85_334)]]),
      );
      await expectRefused(c, res, 400, /length '256002' bytes/, 2);
    });

    it('refuses a long line in every format (protobuf, OTLP)', async () => {
      const s: PushStream[] = [{ labels: { a: 'pb' }, entries: [{ ts: NOW_NS, line: 'p'.repeat(256_001) }] }];
      await expectRefused(
        c,
        await push(c, '/loki/api/v1/push', { 'content-type': 'application/x-protobuf' }, encodePushProtobuf(s)),
        400,
        /max entry size/,
        2,
      );
      const otlp = encodeOtlpProtobuf([
        { resource: { 'service.name': 'x' }, records: [{ ts: NOW_NS, body: 'o'.repeat(256_001) }] },
      ]);
      await expectRefused(
        c,
        await push(c, '/otlp/v1/logs', { 'content-type': 'application/x-protobuf' }, otlp),
        400,
        /max entry size/,
        2,
      );
    });

    it('with max_line_size_truncate cuts the line to the limit, identifier included, on a character boundary', async () => {
      const t = await open({
        limits: { maxLineSize: 10, maxLineSizeTruncate: true, maxLineSizeTruncateIdentifier: '…' },
      });
      try {
        const res = await push(
          t,
          '/loki/api/v1/push',
          JSON_CT,
          jsonPush({ a: 'cut' }, [
            [String(NOW_NS), 'abcdefghijklmnop'],
            [String(NOW_NS + 1n), 'ab€€€€'],
            [String(NOW_NS + 2n), 'short'],
          ]),
        );
        expect(res.statusCode, res.body).toBe(204);
        const q = await t.app.inject({
          method: 'GET',
          url: `/loki/api/v1/query_range?query=${encodeURIComponent('{a="cut"}')}&start=0&end=9223372036854775807&direction=forward`,
        });
        const lines = JSON.parse(q.body).data.result[0].values.map((v: [string, string]) => v[1]);
        // '…' is 3 bytes: 7 bytes of the line are kept; '€' (3 bytes) is never split
        expect(lines).toEqual(['abcdefg…', 'ab€…', 'short']);
        for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(10);
      } finally {
        await t.app.close();
        await t.engine.close();
      }
    });
  });

  describe('labels: max_label_names_per_series 15, max_label_name_length 1024, max_label_value_length 2048', () => {
    const labels = (n: number, extra: Labels = {}) => {
      const l: Labels = { a: 'many', ...extra };
      for (let i = 1; i < n; i++) l[`l${i}`] = 'v';
      return l;
    };

    it('accepts 15 label names (service_name not counted) and refuses 16', async () => {
      expect(
        (await push(c, '/loki/api/v1/push', JSON_CT, jsonPush(labels(15), [[String(NOW_NS), 'x']]))).statusCode,
      ).toBe(204);
      expect(
        (
          await push(
            c,
            '/loki/api/v1/push',
            JSON_CT,
            jsonPush(labels(15, { service_name: 's' }), [[String(NOW_NS), 'x']]),
          )
        ).statusCode,
      ).toBe(204);
      const res = await push(c, '/loki/api/v1/push', JSON_CT, jsonPush(labels(16), [[String(NOW_NS), 'y']]));
      await expectRefused(c, res, 400, /has 16 label names; limit 15/, 4);
    });

    it('accepts a 1024-byte label name and refuses 1025', async () => {
      expect(
        (
          await push(
            c,
            '/loki/api/v1/push',
            JSON_CT,
            jsonPush({ a: 'n', ['n'.repeat(1024)]: 'v' }, [[String(NOW_NS), 'x']]),
          )
        ).statusCode,
      ).toBe(204);
      const res = await push(
        c,
        '/loki/api/v1/push',
        JSON_CT,
        jsonPush({ a: 'n', ['n'.repeat(1025)]: 'v' }, [[String(NOW_NS), 'x']]),
      );
      await expectRefused(c, res, 400, /has label name too long: 'n{1025}'/, 5);
    });

    it('accepts a 2048-byte label value and refuses 2049 bytes (UTF-8)', async () => {
      expect(
        (await push(c, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'v'.repeat(2048) }, [[String(NOW_NS), 'x']])))
          .statusCode,
      ).toBe(204);
      const res = await push(
        c,
        '/loki/api/v1/push',
        JSON_CT,
        jsonPush({ a: 'é'.repeat(1025) }, [[String(NOW_NS), 'x']]),
      );
      await expectRefused(c, res, 400, /has label value too long/, 6);
      const pb = encodePushProtobuf([{ labels: { a: 'w'.repeat(2049) }, entries: [{ ts: NOW_NS, line: 'x' }] }]);
      await expectRefused(
        c,
        await push(c, '/loki/api/v1/push', { 'content-type': 'application/x-protobuf' }, pb),
        400,
        /label value too long/,
        6,
      );
    });

    it('are flags', async () => {
      const t = await open({ limits: { maxLabelNamesPerSeries: 2, maxLabelNameLength: 3, maxLabelValueLength: 4 } });
      try {
        expect(
          (await push(t, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'abcd', bcd: 'x' }, [[String(NOW_NS), 'x']])))
            .statusCode,
        ).toBe(204);
        await expectRefused(
          t,
          await push(t, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'x', b: 'x', c: 'x' }, [[String(NOW_NS), 'x']])),
          400,
          /3 label names; limit 2/,
          1,
        );
        await expectRefused(
          t,
          await push(t, '/loki/api/v1/push', JSON_CT, jsonPush({ abcd: 'x' }, [[String(NOW_NS), 'x']])),
          400,
          /label name too long/,
          1,
        );
        await expectRefused(
          t,
          await push(t, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'abcde' }, [[String(NOW_NS), 'x']])),
          400,
          /label value too long/,
          1,
        );
      } finally {
        await t.app.close();
        await t.engine.close();
      }
    });
  });

  describe('timestamps', () => {
    it('refuses timestamp 0 (JSON and protobuf) and accepts 1 ns after the epoch', async () => {
      const before = await stored(c);
      await expectRefused(
        c,
        await push(c, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'ts' }, [['0', 'zero']])),
        400,
        /timestamp too old: 1970-01-01T00:00:00Z/,
        before,
      );
      const pb = encodePushProtobuf([{ labels: { a: 'ts' }, entries: [{ ts: 0n, line: 'zero' }] }]);
      await expectRefused(
        c,
        await push(c, '/loki/api/v1/push', { 'content-type': 'application/x-protobuf' }, pb),
        400,
        /timestamp too old/,
        before,
      );
      expect((await push(c, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'ts' }, [['1', 'one']]))).statusCode).toBe(204);
      expect(await stored(c)).toBe(before + 1);
    });

    it('accepts old samples by default and refuses them with reject_old_samples (max age 1w)', async () => {
      const week = 7n * 24n * 3600n * 1_000_000_000n;
      const old = String(NOW_NS - week - 60_000_000_000n);
      const recent = String(NOW_NS - week + 60_000_000_000n);
      const t = await open({ limits: { rejectOldSamples: true } });
      try {
        await expectRefused(
          t,
          await push(
            t,
            '/loki/api/v1/push',
            JSON_CT,
            jsonPush({ a: 'old' }, [
              [recent, 'r'],
              [old, 'o'],
            ]),
          ),
          400,
          /has timestamp too old: .*, oldest acceptable timestamp is: /,
          0,
        );
        expect((await push(t, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'old' }, [[recent, 'r']]))).statusCode).toBe(
          204,
        );
      } finally {
        await t.app.close();
        await t.engine.close();
      }
      const before = await stored(c);
      expect((await push(c, '/loki/api/v1/push', JSON_CT, jsonPush({ a: 'old' }, [[old, 'o']]))).statusCode).toBe(204);
      expect(await stored(c)).toBe(before + 1);
    });
  });

  describe('OTLP request shape', () => {
    const otlp = (body: string) => push(c, '/otlp/v1/logs', JSON_CT, Buffer.from(body));
    for (const [name, body, message] of [
      ['resourceLogs a string', '{"resourceLogs":"x"}', /resourceLogs must be an array, got string/],
      ['scopeLogs an object', '{"resourceLogs":[{"scopeLogs":{}}]}', /resourceLogs\[0\]\.scopeLogs must be an array/],
      [
        'a record a number',
        '{"resourceLogs":[{"scopeLogs":[{"logRecords":[5]}]}]}',
        /logRecords\[0\] must be an object/,
      ],
      [
        'attributes without keys',
        '{"resourceLogs":[{"resource":{"attributes":[{"value":{}}]}}]}',
        /attributes\[0\]\.key must be a string/,
      ],
      [
        'a timestamp past int64',
        '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"9223372036854775808","body":{"stringValue":"x"}}]}]}]}',
        /out of range/,
      ],
    ] as [string, string, RegExp][]) {
      it(`refuses ${name} with 400`, async () => {
        const before = await stored(c);
        await expectRefused(c, await otlp(body), 400, message, before);
      });
    }
  });

  it('a push with one bad stream among good ones stores nothing', async () => {
    const before = await stored(c);
    const body = Buffer.from(
      JSON.stringify({
        streams: [
          { stream: { a: 'good' }, values: [[String(NOW_NS), 'fine']] },
          { stream: { a: 'bad' }, values: [[String(NOW_NS), 'b'.repeat(256_001)]] },
        ],
      }),
    );
    await expectRefused(c, await push(c, '/loki/api/v1/push', JSON_CT, body), 400, /max entry size/, before);
  });
});

describe('ingest limit flags', () => {
  const parse = (args: string[]) => {
    const cmd = new Command('serve').exitOverride();
    for (const k of [
      'maxDecompressedSize',
      'maxLineSize',
      'maxLineSizeTruncate',
      'maxLineSizeTruncateIdentifier',
      'maxLabelNamesPerSeries',
      'maxLabelNameLength',
      'maxLabelValueLength',
      'rejectOldSamples',
      'rejectOldSamplesMaxAge',
    ] as const)
      cmd.addOption(ingestLimitOption(k));
    cmd.parse(args, { from: 'user' });
    return ingestLimits(ingestLimitsFromOptions(cmd.opts()));
  };

  it("default to Loki's values (old samples accepted here)", () => {
    expect(parse([])).toEqual({
      maxDecompressedSize: 64 * 1024 * 1024,
      maxLineSize: 256_000,
      maxLineSizeTruncate: false,
      maxLineSizeTruncateIdentifier: '',
      maxLabelNamesPerSeries: 15,
      maxLabelNameLength: 1024,
      maxLabelValueLength: 2048,
      rejectOldSamples: false,
      rejectOldSamplesMaxAge: 604_800_000_000_000n,
    });
  });

  it('read sizes, counts and durations as Loki writes them', () => {
    const l = parse([
      '--max-decompressed-size=1MiB',
      '--max-line-size',
      '1KB',
      '--max-line-size-truncate',
      '--max-line-size-truncate-identifier',
      '[cut]',
      '--max-label-names-per-series',
      '30',
      '--max-label-name-length=10',
      '--max-label-value-length=20',
      '--reject-old-samples',
      '--reject-old-samples-max-age',
      '2d',
    ]);
    expect(l).toEqual({
      maxDecompressedSize: 1_048_576,
      maxLineSize: 1000,
      maxLineSizeTruncate: true,
      maxLineSizeTruncateIdentifier: '[cut]',
      maxLabelNamesPerSeries: 30,
      maxLabelNameLength: 10,
      maxLabelValueLength: 20,
      rejectOldSamples: true,
      rejectOldSamplesMaxAge: 172_800_000_000_000n,
    });
    expect(() => parse(['--max-line-size', 'lots'])).toThrow(/size in bytes/);
    expect(() => parse(['--max-label-names-per-series', '0'])).toThrow(/positive integer/);
    expect(() => parse(['--reject-old-samples-max-age', 'soon'])).toThrow(/positive duration/);
  });

  it('applyIngestLimits with no limits left lets anything through but timestamp 0', () => {
    const open = ingestLimits({ maxLineSize: 0, maxLabelNamesPerSeries: 1000 });
    const s: PushStream[] = [{ labels: { a: 'x' }, entries: [{ ts: 5n, line: 'z'.repeat(1_000_000) }] }];
    expect(() => applyIngestLimits(s, open)).not.toThrow();
    expect(() => applyIngestLimits([{ labels: { a: 'x' }, entries: [{ ts: 0n, line: '' }] }], open)).toThrow(
      /timestamp too old/,
    );
  });
});
