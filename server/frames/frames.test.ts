import { tableFromIPC, Type } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { QueryResult, QueryStats } from '../engine/types';
import { encodeFrame, logsFrame, resultFrames, type Frame } from './index';

const stats: QueryStats = { sql: ['SELECT 1', 'SELECT 2'], tsStages: [], rowsScanned: 3, sqlMs: 1, totalMs: 2 };

function decode(buf: Uint8Array) {
  // the IPC *file* format starts and ends with the magic ARROW1
  expect(new TextDecoder().decode(buf.subarray(0, 6))).toBe('ARROW1');
  expect(new TextDecoder().decode(buf.subarray(buf.length - 6))).toBe('ARROW1');
  return tableFromIPC(buf);
}

describe('encodeFrame', () => {
  it('writes schema and field metadata, Utf8 (not dictionary), exact ns timestamps, nullability', () => {
    const frame: Frame = {
      name: 'n',
      refId: 'A',
      meta: { type: 'x', typeVersion: [0, 1] },
      fields: [
        { name: 'time', type: 'time', values: new BigInt64Array([1795168801075322878n, 2n]) },
        { name: 's', type: 'string', values: ['주문 생성', 'b'] },
        { name: 'ns', type: 'string', values: [null, 'b'], nullable: true },
        { name: 'f', type: 'float64', values: [1.5, NaN], labels: { a: '1' }, config: { unit: 'ms' } },
        { name: 'i', type: 'int64', values: [1n, null], nullable: true },
        { name: 'b', type: 'bool', values: [true, false] },
        { name: 'j', type: 'json', values: ['{"a":"1"}', { b: 2 }] },
      ],
    };
    const t = decode(encodeFrame(frame));
    expect(t.schema.metadata.get('name')).toBe('n');
    expect(t.schema.metadata.get('refId')).toBe('A');
    expect(JSON.parse(t.schema.metadata.get('meta')!)).toEqual({ type: 'x', typeVersion: [0, 1] });
    const types = t.schema.fields.map((f) => f.typeId);
    expect(types).toEqual([Type.Timestamp, Type.Utf8, Type.Utf8, Type.Float, Type.Int, Type.Bool, Type.Binary]);
    expect(t.schema.fields.map((f) => f.nullable)).toEqual([false, false, true, false, true, false, false]);
    expect(t.getChild('time')!.data[0]!.values[0]).toBe(1795168801075322878n);
    expect(t.getChild('s')!.toArray()).toEqual(['주문 생성', 'b']);
    expect(t.getChild('ns')!.get(0)).toBeNull();
    expect(t.getChild('i')!.get(1)).toBeNull();
    expect(t.getChild('b')!.toArray()).toEqual([true, false]);
    const f = t.schema.fields[3]!;
    expect(JSON.parse(f.metadata.get('labels')!)).toEqual({ a: '1' });
    expect(JSON.parse(f.metadata.get('config')!)).toEqual({ unit: 'ms' });
    expect(f.metadata.get('tstype')).toBe('number');
    const j = t.getChild('j')!;
    expect(new TextDecoder().decode(j.get(1) as Uint8Array)).toBe('{"b":2}');
  });

  it('encodes an empty frame', () => {
    const t = decode(encodeFrame({ refId: 'A', meta: { type: 'numeric-multi' }, fields: [] }));
    expect(t.numCols).toBe(0);
  });

  it('rejects nulls in non-nullable fields', () => {
    expect(() => encodeFrame({ fields: [{ name: 'x', type: 'string', values: [null] }] })).toThrow(/not nullable/);
  });
});

describe('result frames', () => {
  it('log-lines: one frame, rows in direction order, labels JSON, ids unique, notices', () => {
    const f = logsFrame(
      [
        {
          labels: { app: 'a', level: 'info' },
          entries: [
            { ts: 3n, line: 'x' },
            { ts: 1n, line: 'y' },
          ],
        },
        {
          labels: { app: 'b' },
          entries: [
            { ts: 2n, line: 'z' },
            { ts: 2n, line: 'z' },
          ],
        },
      ],
      { ...stats, limitReached: true, tsStages: ['line_format'] },
      { refId: 'A', direction: 'backward', limit: 4 },
    );
    expect(f.meta!.type).toBe('log-lines');
    expect(f.meta!.preferredVisualisationType).toBe('logs');
    expect(f.meta!.executedQueryString).toBe('SELECT 1;\n\nSELECT 2');
    expect(f.meta!.notices!.map((n) => n.severity)).toEqual(['warning', 'info']);
    expect(f.fields.map((x) => x.name)).toEqual(['timestamp', 'body', 'severity', 'id', 'labels']);
    const t = decode(encodeFrame(f));
    expect([...(t.getChild('timestamp')!.data[0]!.values as BigInt64Array)]).toEqual([3n, 2n, 2n, 1n]);
    expect(t.getChild('body')!.toArray()).toEqual(['x', 'z', 'z', 'y']);
    expect(t.getChild('severity')!.toArray()).toEqual(['info', null, null, 'info']);
    const ids = t.getChild('id')!.toArray() as string[];
    expect(new Set(ids).size).toBe(4);
    expect(JSON.parse(new TextDecoder().decode(t.getChild('labels')!.get(1) as Uint8Array))).toEqual({ app: 'b' });
  });

  it('log-lines: merges unsorted streams in forward order', () => {
    const f = logsFrame(
      [
        {
          labels: { a: '1' },
          entries: [
            { ts: 5n, line: 'e' },
            { ts: 1n, line: 'a' },
          ],
        },
        {
          labels: { a: '2' },
          entries: [
            { ts: 2n, line: 'b' },
            { ts: 4n, line: 'd' },
          ],
        },
        { labels: { a: '3' }, entries: [] },
        { labels: { a: '4' }, entries: [{ ts: 3n, line: 'c' }] },
      ],
      undefined,
      { refId: 'A', direction: 'forward' },
    );
    expect(f.fields[1]!.values).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(f.meta!.executedQueryString).toBeUndefined();
  });

  it('timeseries-multi and numeric-multi', () => {
    const matrix: QueryResult = {
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { level: 'info' },
            values: [
              [2000, 2],
              [1000, 1],
            ],
          },
          { metric: { level: 'error' }, values: [[1000, 5]] },
        ],
      },
      stats,
    };
    const frames = resultFrames(matrix, { refId: 'B', legendFormat: '{{level}} lines' });
    expect(frames).toHaveLength(2);
    expect(frames[0]!.meta).toMatchObject({ type: 'timeseries-multi', typeVersion: [0, 1] });
    const t = decode(encodeFrame(frames[0]!));
    expect([...(t.getChild('Time')!.data[0]!.values as BigInt64Array)]).toEqual([1_000_000_000n, 2_000_000_000n]);
    expect(t.schema.fields[0]!.nullable).toBe(false);
    expect(JSON.parse(t.schema.fields[1]!.metadata.get('config')!)).toEqual({ displayNameFromDS: 'info lines' });

    const empty = resultFrames({ data: { resultType: 'matrix', result: [] }, stats }, { refId: 'C' });
    expect(empty).toHaveLength(1);
    expect(empty[0]!.fields).toHaveLength(0);

    const vec = resultFrames(
      { data: { resultType: 'vector', result: [{ metric: {}, value: [1000, 2] }] }, stats },
      { refId: 'D', expr: 'vector(1)+vector(1)' },
    );
    expect(vec[0]!.meta!.type).toBe('numeric-multi');
    const tv = decode(encodeFrame(vec[0]!));
    expect(tv.getChild('Value')!.get(0)).toBe(2);
  });

  it("carries Loki's statistics in meta.stats as Grafana's Loki data source names them (query inspector)", () => {
    const full: QueryStats = {
      ...stats,
      totalMs: 500,
      linesProcessed: 1000,
      bytesProcessed: 50_000,
      postFilterLines: 1000,
    };
    const matrix: QueryResult = {
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { a: '1' },
            values: [
              [1000, 1],
              [2000, 2],
            ],
          },
          { metric: { a: '2' }, values: [[1000, 3]] },
        ],
      },
      stats: full,
    };
    const meta = JSON.parse(decode(encodeFrame(resultFrames(matrix, { refId: 'A' })[0]!)).schema.metadata.get('meta')!);
    const byName = Object.fromEntries(
      (meta.stats as { displayName: string; value: number; unit?: string }[]).map((s) => [s.displayName, s]),
    );
    expect(byName['Summary: bytes processed per second']).toEqual({
      displayName: 'Summary: bytes processed per second',
      value: 100_000,
      unit: 'Bps',
    });
    expect(byName['Summary: lines processed per second']!.value).toBe(2000);
    expect(byName['Summary: total bytes processed']).toMatchObject({ value: 50_000, unit: 'decbytes' });
    expect(byName['Summary: total lines processed']!.value).toBe(1000);
    expect(byName['Summary: total post filter lines']!.value).toBe(1000);
    expect(byName['Summary: total entries returned']!.value).toBe(3); // samples, as Loki counts a matrix
    expect(byName['Summary: exec time']).toMatchObject({ value: 0.5, unit: 's' });
  });
});
