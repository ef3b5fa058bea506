// @vitest-environment jsdom
import { FieldType, createDataFrame, type DataFrame } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import { getQueryHints, looksLikeJson, looksLikeLogfmt } from './hintRules';
import { addNoPipelineError, addParser, addSumBy } from './queryEdits';

function logFrame(lines: string[], labels: Array<Record<string, string>> = []): DataFrame {
  return createDataFrame({
    meta: { type: 'log-lines' as never },
    fields: [
      { name: 'timestamp', type: FieldType.time, values: lines.map((_, i) => i) },
      { name: 'body', type: FieldType.string, values: lines },
      { name: 'labels', type: FieldType.other, values: lines.map((_, i) => labels[i] ?? { app: 'api' }) },
    ],
  });
}

function series(n: number, label: (i: number) => Record<string, string>): DataFrame[] {
  return Array.from({ length: n }, (_, i) =>
    createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [1] },
        { name: 'Value', type: FieldType.number, values: [i], labels: label(i) },
      ],
    }),
  );
}

describe('line formats', () => {
  it('tells JSON objects from logfmt and plain text', () => {
    expect(looksLikeJson('{"a":1}')).toBe(true);
    expect(looksLikeJson('[1,2]')).toBe(false);
    expect(looksLikeJson('{not json}')).toBe(false);
    expect(looksLikeLogfmt('level=info msg="hello world" status=200')).toBe(true);
    expect(looksLikeLogfmt('GET /index.html 200 a=b')).toBe(false);
    expect(looksLikeLogfmt('{"a":"b=c d=e"}')).toBe(false);
  });
});

describe('query edits', () => {
  it('puts the parser after the line filters of every log expression', () => {
    expect(addParser('{app="api"}', 'json')).toBe('{app="api"} | json');
    expect(addParser('{app="api"} |= "a" != "b" | level="x"', 'logfmt')).toBe(
      '{app="api"} |= "a" != "b" | logfmt | level="x"',
    );
    expect(addParser('sum(count_over_time({a="}"} |= "x" [5m]))', 'json')).toBe(
      'sum(count_over_time({a="}"} |= "x" | json [5m]))',
    );
  });
  it('adds the __error__ filter after the parser and wraps in sum by', () => {
    expect(addNoPipelineError('{app="api"} | json | line_format "{{.a}}"')).toBe(
      '{app="api"} | json | __error__="" | line_format "{{.a}}"',
    );
    expect(addSumBy('rate({a="b"}[1m])', ['level'])).toBe('sum by (level) (rate({a="b"}[1m]))');
    expect(addSumBy(' rate({a="b"}[1m]) ', [])).toBe('sum (rate({a="b"}[1m]))');
  });
});

describe('hints from a result sample', () => {
  it('suggests the json parser when lines are JSON, and applying it edits the query', () => {
    const hints = getQueryHints('{app="api"} |= "GET"', [logFrame(['{"a":1,"b":"x"}', 'plain'])]);
    expect(hints.map((h) => h.type)).toEqual(['ADD_JSON_PARSER']);
    expect(hints[0].fix.apply('{app="api"} |= "GET"')).toBe('{app="api"} |= "GET" | json');
  });
  it('suggests logfmt for logfmt lines, nothing when a parser is already there', () => {
    const frame = logFrame(['level=info msg="ok" took=3ms']);
    expect(getQueryHints('{app="api"}', [frame]).map((h) => h.type)).toEqual(['ADD_LOGFMT_PARSER']);
    expect(getQueryHints('{app="api"} | logfmt', [frame])).toEqual([]);
    expect(getQueryHints('{app="api"}', [logFrame(['just text'])])).toEqual([]);
  });
  it('suggests dropping pipeline errors when a line carries __error__ (labels as JSON text too)', () => {
    const frame = logFrame(
      ['{"a":1}', 'bad'],
      [{ app: 'api' }, JSON.stringify({ app: 'api', __error__: 'JSONParserErr' }) as never],
    );
    const hints = getQueryHints('{app="api"} | json', [frame]);
    expect(hints.map((h) => h.type)).toEqual(['ADD_NO_PIPELINE_ERROR']);
    expect(hints[0].fix.apply('{app="api"} | json')).toBe('{app="api"} | json | __error__=""');
    expect(getQueryHints('{app="api"} | json | __error__=""', [frame])).toEqual([]);
  });
  it('suggests sum by a low-cardinality label for a metric query with many series', () => {
    const frames = series(12, (i) => ({
      pod: `p${i}`,
      level: i % 2 ? 'info' : 'error',
      detected_level: i % 2 ? 'info' : 'error',
    }));
    const hints = getQueryHints('rate({app="api"}[1m])', frames);
    expect(hints.map((h) => h.type)).toEqual(['ADD_SUM']);
    expect(hints[0].fix.label).toBe('Sum by level');
    expect(hints[0].fix.apply('rate({app="api"}[1m])')).toBe('sum by (level) (rate({app="api"}[1m]))');
    expect(getQueryHints('sum by (pod) (rate({app="api"}[1m]))', frames)).toEqual([]);
    expect(getQueryHints('rate({app="api"}[1m])', frames.slice(0, 3))).toEqual([]);
  });
});
