import { describe, expect, it } from 'vitest';
import type { QueryResult, QueryStats } from '../engine/types';
import {
  encodeLabelsResponse,
  encodeQueryResponse,
  encodeQueryResponseString,
  encodeSeriesResponse,
  formatFloat,
  formatTimeMs,
  mergeMetadata,
  sortStreams,
} from './marshal';

const stats: QueryStats = {
  sql: ['SELECT 1'],
  tsStages: [],
  rowsScanned: 3,
  sqlMs: 2,
  totalMs: 4,
  linesProcessed: 10,
  bytesProcessed: 400,
  postFilterLines: 5,
  streamsMatched: 2,
};

describe('formatFloat (Go FormatFloat f -1)', () => {
  it.each([
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [15, '15'],
    [0.1, '0.1'],
    [1.5, '1.5'],
    [-2.25, '-2.25'],
    [1 / 3, '0.3333333333333333'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [-1.2345e25, '-12345000000000000000000000'],
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [5e-324, '0.' + '0'.repeat(323) + '5'],
    [123456789012345680000, '123456789012345680000'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%s → %s', (v, s) => {
    expect(formatFloat(v)).toBe(s);
  });
});

describe('formatTimeMs', () => {
  it('prints seconds at ms precision, shortest form', () => {
    expect(formatTimeMs(1763632800000)).toBe('1763632800');
    expect(formatTimeMs(1763632800500)).toBe('1763632800.5');
    expect(formatTimeMs(1763632800123)).toBe('1763632800.123');
    expect(formatTimeMs(1)).toBe('0.001');
  });
});

describe('encodeQueryResponse', () => {
  it('encodes streams with ns strings and sorted labels', () => {
    const r: QueryResult = {
      data: {
        resultType: 'streams',
        result: [
          {
            labels: { b: '2', a: '1' },
            entries: [
              { ts: 1795175989319756285n, line: 'hello "x"' },
              { ts: 1795175989319756284n, line: '재고' },
            ],
          },
        ],
      },
      stats,
    };
    const j = JSON.parse(encodeQueryResponseString(r));
    expect(j.status).toBe('success');
    expect(j.data.resultType).toBe('streams');
    expect(j.data.result).toEqual([
      {
        stream: { a: '1', b: '2' },
        values: [
          ['1795175989319756285', 'hello "x"'],
          ['1795175989319756284', '재고'],
        ],
      },
    ]);
    expect(Object.keys(j.data.result[0].stream)).toEqual(['a', 'b']);
    expect(j.data.stats.summary).toMatchObject({
      totalLinesProcessed: 10,
      totalBytesProcessed: 400,
      bytesProcessedPerSecond: 100_000, // 400 bytes in 4 ms
      linesProcessedPerSecond: 2500,
      totalPostFilterLines: 5,
      totalEntriesReturned: 2,
      execTime: 0.004,
    });
    // where logcli --stats and Grafana's Loki data source read them too
    expect(j.data.stats.querier.store.totalChunksRef).toBe(2);
    expect(j.data.stats.querier.store.chunk).toMatchObject({
      decompressedLines: 10,
      decompressedBytes: 400,
      postFilterLines: 5,
    });
    expect(j.data.stats.logqlsql.sql).toEqual(['SELECT 1']);
  });

  it('merges structured metadata into stream labels, or categorizes it on request', () => {
    const r: QueryResult = {
      data: {
        resultType: 'streams',
        result: [
          {
            labels: { app: 'a' },
            entries: [
              { ts: 3n, line: 'x', metadata: { trace_id: 't1' } },
              { ts: 2n, line: 'y' },
              { ts: 1n, line: 'z', metadata: { trace_id: 't1' } },
            ],
          },
        ],
      },
      stats,
    };
    const plain = JSON.parse(encodeQueryResponseString(r));
    expect(plain.data.result).toEqual([
      {
        stream: { app: 'a', trace_id: 't1' },
        values: [
          ['3', 'x'],
          ['1', 'z'],
        ],
      },
      { stream: { app: 'a' }, values: [['2', 'y']] },
    ]);
    const cat = JSON.parse(encodeQueryResponseString(r, { categorizeLabels: true }));
    expect(cat.data.encodingFlags).toEqual(['categorize-labels']);
    expect(cat.data.result[0].values).toEqual([
      ['3', 'x', { structuredMetadata: { trace_id: 't1' } }],
      ['2', 'y', {}],
      ['1', 'z', { structuredMetadata: { trace_id: 't1' } }],
    ]);
    expect(mergeMetadata(r.data.result as never)).toHaveLength(2);
  });

  it('encodes matrix, vector and scalar with Prometheus number formatting', () => {
    const matrix: QueryResult = {
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { app: 'api' },
            values: [
              [1795169100000, 15],
              [1795169100500, 0.5],
              [1795169101000, NaN],
              [1795169102000, Infinity],
            ],
          },
        ],
      },
      stats,
    };
    const text = encodeQueryResponseString(matrix);
    expect(text).toContain(
      '"result":[{"metric":{"app":"api"},"values":[[1795169100,"15"],[1795169100.5,"0.5"],[1795169101,"NaN"],[1795169102,"+Inf"]]}]',
    );
    const vector: QueryResult = {
      data: { resultType: 'vector', result: [{ metric: {}, value: [1795169100123, -1e-7] }] },
      stats,
    };
    expect(encodeQueryResponseString(vector)).toContain(
      '"result":[{"metric":{},"value":[1795169100.123,"-0.0000001"]}]',
    );
    const scalar: QueryResult = { data: { resultType: 'scalar', result: [1795169100000, 2] }, stats };
    expect(encodeQueryResponseString(scalar)).toContain('"resultType":"scalar","result":[1795169100,"2"]');
  });

  it('yields several chunks for large results that join to valid JSON', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ ts: BigInt(i), line: 'line ' + i }));
    const r: QueryResult = { data: { resultType: 'streams', result: [{ labels: { a: '1' }, entries }] }, stats };
    const chunks = [...encodeQueryResponse(r, { chunkSize: 4096 })];
    expect(chunks.length).toBeGreaterThan(10);
    const j = JSON.parse(chunks.join(''));
    expect(j.data.result[0].values).toHaveLength(5000);
  });
});

describe('sortStreams', () => {
  it("orders streams by Loki's label string", () => {
    const mk = (labels: Record<string, string>) => ({ labels, entries: [] });
    const out = sortStreams([mk({ app: 'web' }), mk({ app: 'api', env: 'prod' }), mk({ app: 'api' })]);
    expect(out.map((s) => s.labels)).toEqual([{ app: 'api', env: 'prod' }, { app: 'api' }, { app: 'web' }]);
  });
});

describe('labels and series', () => {
  it('encodes', () => {
    expect(encodeLabelsResponse(['a', 'b'])).toBe('{"status":"success","data":["a","b"]}\n');
    expect(encodeSeriesResponse([{ b: '1', a: '2' }])).toBe('{"status":"success","data":[{"a":"2","b":"1"}]}\n');
    expect(encodeSeriesResponse([])).toBe('{"status":"success","data":[]}\n');
  });
});
