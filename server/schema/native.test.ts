import { describe, expect, it } from 'vitest';
import { openDriver } from '../sql/open';
import {
  canonicalLabels,
  ensureNativeSchema,
  fnv1a64,
  fnv1a64Reference,
  goQuote,
  labelsJson,
  streamId,
} from './native';

describe('canonical labels and stream ids', () => {
  it('sorts keys and Go-quotes values', () => {
    expect(canonicalLabels({ b: '2', a: '1' })).toBe('{a="1", b="2"}');
    expect(canonicalLabels({ Z: 'x', a: 'y' })).toBe('{Z="x", a="y"}');
    expect(goQuote('a"b\\c\nd\te\0f\x7f')).toBe('"a\\"b\\\\c\\nd\\te\\x00f\\x7f"');
    expect(goQuote('주문 생성 ü 🚀')).toBe('"주문 생성 ü 🚀"');
    expect(goQuote('\u00a0\u2028')).toBe('"\\u00a0\\u2028"');
    expect(labelsJson({ b: '2', a: '1' })).toBe('{"a":"1","b":"2"}');
  });

  it('FNV-1a 64 matches the reference and known vectors', () => {
    // published FNV-1a 64 test vectors
    expect(BigInt.asUintN(64, fnv1a64(''))).toBe(0xcbf29ce484222325n);
    expect(BigInt.asUintN(64, fnv1a64('a'))).toBe(0xaf63dc4c8601ec8cn);
    expect(BigInt.asUintN(64, fnv1a64('foobar'))).toBe(0x85944171f73967e8n);
    for (const s of ['{app="api", env="prod"}', 'x'.repeat(1000), '주문 🚀 \0\xff', '{a="1"}']) {
      expect(fnv1a64(s)).toBe(fnv1a64Reference(s));
    }
    const id = streamId({ app: 'api' });
    expect(id).toBe(fnv1a64Reference('{app="api"}'));
    expect(id >= -(2n ** 63n) && id < 2n ** 63n).toBe(true);
  });
});

describe('ensureNativeSchema', () => {
  it('is idempotent', async () => {
    const d = await openDriver('duckdb::memory:');
    await ensureNativeSchema(d);
    await d.exec("INSERT INTO streams VALUES (1, '{}', 1, 2, NULL, NULL)");
    await ensureNativeSchema(d);
    const cols = await d.query<{ table_name: string; column_name: string; data_type: string }>(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_name IN ('streams','entries') ORDER BY table_name, ordinal_position",
    );
    expect(cols.map((c) => `${c.table_name}.${c.column_name}:${c.data_type}`)).toEqual([
      'entries.stream_id:BIGINT',
      'entries.ts:BIGINT',
      'entries.line:VARCHAR',
      'entries.metadata:VARCHAR',
      'streams.id:BIGINT',
      'streams.labels:VARCHAR',
      'streams.first_ts:BIGINT',
      'streams.last_ts:BIGINT',
      'streams.json_quirks:BOOLEAN',
      'streams.json_names:VARCHAR',
    ]);
    expect((await d.query('SELECT count(*) AS n FROM streams'))[0].n).toBe(1n);
    await d.close();
  });
});

describe('DuckDB file layout', () => {
  it('takes the line compression from LOGQLSQL_DUCKDB_LINE_COMPRESSION, refusing unknown values', async () => {
    const { duckdbLineCompression } = await import('./native');
    expect(duckdbLineCompression({})).toBe(' USING COMPRESSION uncompressed');
    expect(duckdbLineCompression({ LOGQLSQL_DUCKDB_LINE_COMPRESSION: 'auto' })).toBe('');
    expect(duckdbLineCompression({ LOGQLSQL_DUCKDB_LINE_COMPRESSION: 'Uncompressed' })).toBe(
      ' USING COMPRESSION uncompressed',
    );
    expect(duckdbLineCompression({ LOGQLSQL_DUCKDB_LINE_COMPRESSION: 'zstd' })).toBe(' USING COMPRESSION zstd');
    expect(() => duckdbLineCompression({ LOGQLSQL_DUCKDB_LINE_COMPRESSION: 'lz4; DROP TABLE x' })).toThrow(
      /must be auto, uncompressed or zstd/,
    );
  });

  it('with LOGQLSQL_DUCKDB_LINE_COMPRESSION=auto, stores lines in under half their bytes (v1.3.0 format, DICT_FSST)', async () => {
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Engine } = await import('../engine/engine');
    const dir = mkdtempSync(join(tmpdir(), 'logqlsql-native-'));
    const file = join(dir, 'logs.duckdb');
    try {
      // JSON access-log lines like the public suite's: repeated keys, varying values
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const methods = ['GET', 'POST', 'PUT', 'DELETE'];
      const t0 = 1_790_000_000_000_000_000n;
      const entries = Array.from({ length: 40_000 }, (_, i) => ({
        ts: t0 + BigInt(i) * 1_000_000_000n,
        line: JSON.stringify({
          level: rnd(10) ? 'info' : 'error',
          msg: 'request done',
          method: methods[rnd(4)],
          path: `/api/v1/users/${rnd(1000)}`,
          status: [200, 201, 404, 500][rnd(4)],
          latency_ms: rnd(100000) / 1000,
          user: { id: `u${rnd(100)}`, region: ['eu-west', 'us-east'][rnd(2)] },
          trace_id:
            rnd(2 ** 30)
              .toString(16)
              .padStart(8, '0') +
            rnd(2 ** 30)
              .toString(16)
              .padStart(8, '0'),
        }),
      }));
      const raw = entries.reduce((n, e) => n + Buffer.byteLength(e.line), 0);
      // DuckDB's own choice (auto) compresses; the default keeps lines uncompressed for speed
      const before = process.env.LOGQLSQL_DUCKDB_LINE_COMPRESSION;
      process.env.LOGQLSQL_DUCKDB_LINE_COMPRESSION = 'auto';
      const engine = await Engine.open(`duckdb:${file}`).finally(() => {
        if (before === undefined) delete process.env.LOGQLSQL_DUCKDB_LINE_COMPRESSION;
        else process.env.LOGQLSQL_DUCKDB_LINE_COMPRESSION = before;
      });
      await engine.push([{ labels: { app: 'api' }, entries }]);
      await engine.close(); // checkpoints
      const d = await openDriver(`duckdb:${file}`);
      const comp = await d.query<{ compression: string; n: bigint }>(
        `SELECT compression, count(*) AS n FROM pragma_storage_info('entries') WHERE column_name = 'line' GROUP BY ALL`,
      );
      // the blocks holding the lines (the file also holds the other columns and tables, minute_counts among them)
      const blocks = await d.query<{ n: bigint }>(
        `SELECT count(DISTINCT b) AS n FROM (SELECT block_id AS b FROM pragma_storage_info('entries')
           WHERE column_name = 'line' AND persistent AND block_id >= 0
         UNION ALL SELECT unnest(additional_block_ids) FROM pragma_storage_info('entries')
           WHERE column_name = 'line' AND persistent)`,
      );
      await d.close();
      expect(comp.map((c) => c.compression)).toContain('DICT_FSST');
      expect(comp.map((c) => c.compression)).not.toContain('Uncompressed');
      expect(Number(blocks[0]!.n) * 262_144).toBeLessThan(raw * 0.5);
      expect(statSync(file).size).toBeLessThan(raw * 0.55);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
