// Loki's parser hints: which labels a range aggregation's parsers extract, decided by the aggregation above it.
import { describe, expect, it } from 'vitest';
import type { RangeAggregation, VectorAggregation } from '../../logql/ast';
import { parse } from '../../logql/check';
import { keepsUnwrappedLabel, rangeParserHints, templateFields } from './hints';
import { compilePipeline } from './index';

/** the range aggregation of a query and the vector aggregation directly above it (if any) */
function split(q: string): { node: RangeAggregation; parent?: VectorAggregation } {
  const e = parse(q);
  if (e.kind === 'rangeAgg') return { node: e };
  if (e.kind === 'vectorAgg' && e.expr.kind === 'rangeAgg') return { node: e.expr, parent: e };
  throw new Error(`unexpected ${e.kind}`);
}
const hints = (q: string) => {
  const { node, parent } = split(q);
  const h = rangeParserHints(node, parent);
  return h === undefined ? 'all' : h.noLabels ? 'none' : [...h.required].sort();
};

describe('parser hints', () => {
  it('sum lends its grouping to count/rate/bytes/sum_over_time; nothing else does', () => {
    expect(hints('sum(count_over_time({a="b"} | json [1m]))')).toBe('none');
    expect(hints('sum by (level) (count_over_time({a="b"} | json [1m]))')).toEqual(['level']);
    expect(hints('sum by (level) (bytes_rate({a="b"} | json [1m]))')).toEqual(['level']);
    expect(hints('avg by (level) (count_over_time({a="b"} | json [1m]))')).toBe('all');
    expect(hints('count by (level) (count_over_time({a="b"} | json [1m]))')).toBe('all');
    expect(hints('sum without (level) (count_over_time({a="b"} | json [1m]))')).toBe('all');
    expect(hints('count_over_time({a="b"} | json [1m])')).toBe('all');
  });

  it('labels the pipeline reads are required; `=~""` reads nothing', () => {
    expect(hints('sum(count_over_time({a="b"} | json | status >= 500 [1m]))')).toEqual(['status']);
    expect(hints('sum(count_over_time({a="b"} | json | line_format "{{.msg}} {{ .x.y }}" [1m]))')).toEqual([
      'msg',
      'x',
      'y',
    ]);
    expect(hints('sum(count_over_time({a="b"} | json | m=~"" [1m]))')).toBe('none');
    expect(hints('max_over_time({a="b"} | json | unwrap lat [1m]) by (host)')).toEqual(['host', 'lat']);
    expect(hints('sum by (x_extracted) (count_over_time({a="b"} | json [1m]))')).toEqual(['x', 'x_extracted']);
  });

  it('the unwrapped label stays on the samples only under a `by` grouping', () => {
    const keep = (q: string) => keepsUnwrappedLabel(split(q).node, split(q).parent);
    expect(keep('max_over_time({a="b"} | unwrap s [1m]) by (s)')).toBe(true);
    expect(keep('max_over_time({a="b"} | unwrap s [1m])')).toBe(false);
    expect(keep('max_over_time({a="b"} | unwrap s [1m]) without (x)')).toBe(false);
    expect(keep('sum by (s) (sum_over_time({a="b"} | unwrap s [1m]))')).toBe(true);
  });

  it('with no label needed a json parser is skipped, with some it stops once it has them', () => {
    const run = (q: string, line: string) => {
      const { node, parent } = split(q);
      return compilePipeline(node.log.pipeline, rangeParserHints(node, parent))({ ts: 1n, line, stream: { a: 'b' } });
    };
    expect(run('sum(count_over_time({a="b"} | json [1m]))', 'not json')?.labels).toEqual({ a: 'b' });
    expect(run('sum by (level) (count_over_time({a="b"} | json [1m]))', '{"level":"x", broken')?.labels).toEqual({
      a: 'b',
      level: 'x',
    });
    expect(run('sum by (level) (count_over_time({a="b"} | json [1m]))', '{"other":1, broken')?.labels.__error__).toBe(
      'JSONParserErr',
    );
    // asking for __error__ preserves it (the query does not fail on it)
    expect(
      run('sum by (__error__) (count_over_time({a="b"} | json [1m]))', 'not json')?.labels.__preserve_error__,
    ).toBe('true');
  });

  it('template fields', () => {
    expect(templateFields('{{ .a }} {{ .b.c | ToUpper }} {{ "x.y" }} {{ $v.z }}')).toEqual(['a', 'b', 'c']);
  });
});
