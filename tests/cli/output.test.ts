// The CLI's pure pieces: argument parsing, column alignment, sparklines, parameters inlined for --explain.
import { describe, expect, it } from 'vitest';
import { parseCliTime, parseListen } from '../../server/cli/args';
import { inlineParams } from '../../server/cli/explain/inline';
import { formatSql } from '../../server/cli/explain/render';
import { renderMatrix } from '../../server/cli/output/metrics';
import { sparkline } from '../../server/cli/output/sparkline';
import { alignRows } from '../../server/cli/output/table';
import { formatNs } from '../../server/cli/output/time';

const S = 1_000_000_000n;
const NOW = 1795176000n * S;

describe('arguments', () => {
  it('parses --listen', () => {
    expect(parseListen('127.0.0.1:3100')).toEqual({ host: '127.0.0.1', port: 3100 });
    expect(parseListen(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListen('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:3100')).toEqual({ host: '::1', port: 3100 });
    expect(() => parseListen('host:abc')).toThrow(/HOST:PORT/);
  });
  it('parses CLI times', () => {
    expect(parseCliTime('now', NOW)).toBe(NOW);
    expect(parseCliTime('now-1h', NOW)).toBe(NOW - 3600n * S);
    expect(parseCliTime('15m', NOW)).toBe(NOW - 900n * S);
    expect(parseCliTime('1795168800', NOW)).toBe(1795168800n * S);
    expect(parseCliTime('2026-11-20T10:00:00Z', NOW)).toBe(1795168800n * S);
    expect(parseCliTime('1795168800.5', NOW)).toBe(1795168800500000000n);
  });
  it('formats ns as RFC3339Nano', () => {
    expect(formatNs(1795168800n * S)).toBe('2026-11-20T10:00:00Z');
    expect(formatNs(1795168800123456789n)).toBe('2026-11-20T10:00:00.123456789Z');
    expect(formatNs(1795168800100000000n)).toBe('2026-11-20T10:00:00.1Z');
  });
});

describe('table output', () => {
  it('pads every column but the last to its widest cell, by display width', () => {
    const lines = alignRows([
      ['a', '{x="日本"}', 'line one'],
      ['bbb', '{x="y"}', 'two'],
    ]);
    expect(lines).toEqual(['a    {x="日本"}  line one', 'bbb  {x="y"}     two']);
  });
  it('right-aligns numeric columns, the last one too', () => {
    expect(
      alignRows(
        [
          ['a', '1'],
          ['b', '100'],
        ],
        { right: [1] },
      ),
    ).toEqual(['a    1', 'b  100']);
  });
  it('draws a sparkline over the time axis with blanks for missing steps', () => {
    const times = [1, 2, 3, 4, 5];
    expect(
      sparkline(
        times,
        new Map([
          [1, 0],
          [2, 1],
          [4, 3],
          [5, 7],
        ]),
      ),
    ).toBe('▁▂ ▄█');
    expect(
      sparkline(
        times,
        new Map([
          [1, 5],
          [5, 5],
        ]),
      ),
    ).toBe('▄   ▄');
    expect(sparkline(times, new Map([[2, NaN]]))).toBe('     ');
    // more steps than columns: buckets of the mean
    const many = Array.from({ length: 100 }, (_, i) => i);
    const line = sparkline(many, new Map(many.map((t) => [t, t])), 10);
    expect(line).toHaveLength(10);
    expect(line[0]).toBe('▁');
    expect(line[9]).toBe('█');
  });
  it('prints a matrix as one row per series with last, min and max', () => {
    const lines = renderMatrix(
      [
        {
          metric: { app: 'a' },
          values: [
            [10, '1'],
            [20, '5'],
            [30, '2'],
          ],
        },
        { metric: { app: 'bb' }, values: [[20, '0.5']] },
      ],
      'table',
    );
    expect(lines[0]).toMatch(/^2 series, 3 steps from 1970-01-01T00:00:10Z to 1970-01-01T00:00:30Z$/);
    expect(lines[1]!.split(/\s+/)).toEqual(['SERIES', 'TREND', 'LAST', 'MIN', 'MAX', 'POINTS']);
    expect(lines[2]!.split(/\s+/)).toEqual(['{app="a"}', '▁█▃', '2', '1', '5', '3']);
    expect(lines[3]!.split(/\s+/).filter(Boolean)).toEqual(['{app="bb"}', '▄', '0.5', '0.5', '0.5', '1']);
    expect(lines).toHaveLength(4);
  });
});

describe('--explain parameters', () => {
  const ts = '1795168800000000000';
  it('inlines DuckDB/PostgreSQL placeholders by type, with times in comments', () => {
    const sql =
      "SELECT $1::VARCHAR AS a, '$2 stays' AS b FROM t WHERE ts >= $2::BIGINT AND list_contains($3::BIGINT[], id)";
    expect(inlineParams(sql, ["it's", ts, ['1', '2']], 'duckdb')).toBe(
      `SELECT 'it''s' AS a, '$2 stays' AS b FROM t WHERE ts >= ${ts} /* 2026-11-20T10:00:00Z */ AND list_contains([1, 2], id)`,
    );
    expect(inlineParams('x = ANY($1::bigint[]) AND y = $2::double precision', [[], 0.5], 'postgres')).toBe(
      "x = ANY('{}'::bigint[]) AND y = 0.5",
    );
  });
  it('inlines ClickHouse placeholders with its escapes', () => {
    expect(
      inlineParams(
        'match(line, {p1:String}) AND ts < {p2:Int64} AND id IN {p3:Array(Int64)}',
        ["a\\d'", ts, ['7']],
        'clickhouse',
      ),
    ).toBe(`match(line, 'a\\\\d\\'') AND ts < ${ts} /* 2026-11-20T10:00:00Z */ AND id IN [7]`);
  });
  it('annotates nanosecond constants already in the text, not other numbers', () => {
    expect(inlineParams(`(ts - ${ts}) // 14000000000 LIMIT 257`, [], 'duckdb')).toBe(
      `(ts - ${ts} /* 2026-11-20T10:00:00Z */) // 14000000000 LIMIT 257`,
    );
  });
  it('formats SQL per dialect', () => {
    expect(formatSql('select a, b from t where x = 1', 'duckdb')).toBe('select\n  a,\n  b\nfrom\n  t\nwhere\n  x = 1');
    expect(formatSql('SELECT arrayJoin([1, 2]) AS k FROM t', 'clickhouse')).toContain('\n');
  });
});
