import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyExpr, BinaryExpr, LogExpr, RangeAggregation, VectorAggregation } from './ast';
import { parse } from './check';
import { LogQLError } from './errors';
import { MAX_NESTING, parseExpr, unquoteGoString } from './parse';
import { strip } from './testutil';

const log = (q: string) => parseExpr(q) as LogExpr;
const metric = <T>(q: string) => parseExpr(q) as T;

function parseError(q: string): LogQLError {
  try {
    parse(q);
  } catch (e) {
    expect(e).toBeInstanceOf(LogQLError);
    return e as LogQLError;
  }
  throw new Error(`expected an error for ${q}`);
}

describe('selectors and line filters', () => {
  it('parses matchers with spans', () => {
    const e = log('{app="api", env=~"prod|dev", x!="y", z!~"w"}');
    expect(e.kind).toBe('log');
    expect(e.matchers.map((m) => [m.name, m.op, m.value])).toEqual([
      ['app', '=', 'api'],
      ['env', '=~', 'prod|dev'],
      ['x', '!=', 'y'],
      ['z', '!~', 'w'],
    ]);
    expect(e.matchers[0]!.span).toEqual({ from: 1, to: 10 });
    expect(e.span).toEqual({ from: 0, to: 44 });
  });

  it('parses every line filter operator, or chains and ip()', () => {
    const e = log('{a="b"} |= "x" or "y" != "z" |~ `re` !~ "r2" |> "<_> x" !> "y <_>" |= "q" or ip("10.0.0.0/8")');
    expect(strip(e.pipeline)).toEqual([
      {
        kind: 'lineFilter',
        filter: {
          op: '|=',
          values: [
            { kind: 'string', value: 'x' },
            { kind: 'string', value: 'y' },
          ],
        },
      },
      { kind: 'lineFilter', filter: { op: '!=', values: [{ kind: 'string', value: 'z' }] } },
      { kind: 'lineFilter', filter: { op: '|~', values: [{ kind: 'string', value: 're' }] } },
      { kind: 'lineFilter', filter: { op: '!~', values: [{ kind: 'string', value: 'r2' }] } },
      { kind: 'lineFilter', filter: { op: '|>', values: [{ kind: 'string', value: '<_> x' }] } },
      { kind: 'lineFilter', filter: { op: '!>', values: [{ kind: 'string', value: 'y <_>' }] } },
      {
        kind: 'lineFilter',
        filter: {
          op: '|=',
          values: [
            { kind: 'string', value: 'q' },
            { kind: 'ip', value: '10.0.0.0/8' },
          ],
        },
      },
    ]);
  });

  it('ignores comments', () => {
    expect(strip(log('{a="b"} # comment\n |= "x" # another'))).toEqual(strip(log('{a="b"} |= "x"')));
  });
});

describe('Go string literals', () => {
  it('decodes escapes', () => {
    expect(unquoteGoString('"a\\"b\\\\c\\n\\t"')).toBe('a"b\\c\n\t');
    expect(unquoteGoString('"\\x41\\101\\u00e9\\U0001F600"')).toBe('AAé😀');
    expect(unquoteGoString('"\\xc3\\xa9"')).toBe('é');
    expect(unquoteGoString('"\\a\\b\\f\\r\\v"')).toBe('\x07\b\f\r\v');
    expect(unquoteGoString('`raw \\d "q"`')).toBe('raw \\d "q"');
  });
  it('rejects bad escapes', () => {
    expect(() => unquoteGoString('"\\d"')).toThrow();
    expect(() => unquoteGoString('"\\x4"')).toThrow();
    expect(() => unquoteGoString('"\\400"')).toThrow();
    expect(() => unquoteGoString('"\\\'"')).toThrow();
    expect(parseError('{a="b"} |~ "\\d+"').kind).toBe('parse');
  });
  it('uses them in queries', () => {
    expect(log('{a="b"} |~ "\\" 50[03] "').pipeline[0]).toMatchObject({ filter: { values: [{ value: '" 50[03] ' }] } });
    expect(log('{a="b"} |~ `\\[10[0-4]\\]`').pipeline[0]).toMatchObject({
      filter: { values: [{ value: '\\[10[0-4]\\]' }] },
    });
  });
});

describe('parsers and formatters', () => {
  it('json and logfmt with params and flags', () => {
    const e = log(
      '{a="b"} | json | json a="b.c", d, e="[\\"k\\"]", f="g[0].h" | logfmt | logfmt --strict --keep-empty | logfmt --keep-empty x, y="z"',
    );
    expect(strip(e.pipeline)).toEqual([
      { kind: 'json', params: [] },
      {
        kind: 'json',
        params: [
          { label: 'a', expression: 'b.c' },
          { label: 'd', expression: 'd' },
          { label: 'e', expression: '["k"]' },
          { label: 'f', expression: 'g[0].h' },
        ],
      },
      { kind: 'logfmt', strict: false, keepEmpty: false, params: [] },
      { kind: 'logfmt', strict: true, keepEmpty: true, params: [] },
      {
        kind: 'logfmt',
        strict: false,
        keepEmpty: true,
        params: [
          { label: 'x', expression: 'x' },
          { label: 'y', expression: 'z' },
        ],
      },
    ]);
  });

  it('regexp, pattern, unpack, decolorize, line_format, label_format, drop, keep', () => {
    const e = log(
      '{a="b"} | regexp "(?P<x>\\\\w+)" | pattern `<ip> <_>` | unpack | decolorize | line_format "{{.a}}" | label_format a=b, c="{{.d}}" | drop a, b="c", d=~"e" | keep x, y!="z"',
    );
    expect(strip(e.pipeline)).toEqual([
      { kind: 'regexp', pattern: '(?P<x>\\w+)' },
      { kind: 'pattern', pattern: '<ip> <_>' },
      { kind: 'unpack' },
      { kind: 'decolorize' },
      { kind: 'lineFormat', template: '{{.a}}' },
      {
        kind: 'labelFormat',
        ops: [
          { kind: 'rename', dst: 'a', src: 'b' },
          { kind: 'template', dst: 'c', template: '{{.d}}' },
        ],
      },
      {
        kind: 'drop',
        labels: [
          { name: 'a' },
          { name: 'b', matcher: { op: '=', value: 'c' } },
          { name: 'd', matcher: { op: '=~', value: 'e' } },
        ],
      },
      { kind: 'keep', labels: [{ name: 'x' }, { name: 'y', matcher: { op: '!=', value: 'z' } }] },
    ]);
  });
});

describe('label filters', () => {
  it('all kinds', () => {
    const e = log(
      '{a="b"} | s="x" | n >= 500 | n2 == -1.5 | n3 = 4 | d > 250ms | d2 <= 1h30m | sz > 4KB | sz2 < 1KiB | addr = ip("1.2.3.0/24") | addr2 != ip("::1")',
    );
    expect(strip(e.pipeline.map((s) => (s.kind === 'labelFilter' ? s.expr : s)))).toEqual([
      { kind: 'string', name: 's', op: '=', value: 'x' },
      { kind: 'number', name: 'n', op: '>=', value: 500 },
      { kind: 'number', name: 'n2', op: '==', value: -1.5 },
      { kind: 'number', name: 'n3', op: '=', value: 4 },
      { kind: 'duration', name: 'd', op: '>', seconds: 0.25, ns: '250000000n' },
      { kind: 'duration', name: 'd2', op: '<=', seconds: 5400, ns: '5400000000000n' },
      { kind: 'bytes', name: 'sz', op: '>', bytes: 4000 },
      { kind: 'bytes', name: 'sz2', op: '<', bytes: 1024 },
      { kind: 'ip', name: 'addr', op: '=', value: '1.2.3.0/24' },
      { kind: 'ip', name: 'addr2', op: '!=', value: '::1' },
    ]);
  });

  it('and / or / comma / parentheses with and binding tighter than or', () => {
    const e = log('{a="b"} | x="1" or y="2" and z="3"');
    expect(strip((e.pipeline[0] as { expr: unknown }).expr)).toEqual({
      kind: 'or',
      left: { kind: 'string', name: 'x', op: '=', value: '1' },
      right: {
        kind: 'and',
        left: { kind: 'string', name: 'y', op: '=', value: '2' },
        right: { kind: 'string', name: 'z', op: '=', value: '3' },
      },
    });
    const p = log('{a="b"} | (x="1" or y="2"), z > 3');
    expect(strip((p.pipeline[0] as { expr: unknown }).expr)).toEqual({
      kind: 'and',
      left: {
        kind: 'or',
        left: { kind: 'string', name: 'x', op: '=', value: '1' },
        right: { kind: 'string', name: 'y', op: '=', value: '2' },
      },
      right: { kind: 'number', name: 'z', op: '>', value: 3 },
    });
  });
});

describe('range aggregations', () => {
  it('range, offset, unwrap with conversion and post filters', () => {
    const e = metric<RangeAggregation>(
      'sum_over_time({a="b"} | json | unwrap duration_seconds(d) | __error__="" [5m] offset 1h)',
    );
    expect(e.kind).toBe('rangeAgg');
    expect(e.range).toBe(300_000_000_000n);
    expect(e.offset).toBe(3_600_000_000_000n);
    expect(strip(e.unwrap)).toEqual({
      label: 'd',
      conversion: 'duration_seconds',
      postFilters: [{ kind: 'labelFilter', expr: { kind: 'string', name: '__error__', op: '=', value: '' } }],
    });
    expect(e.log.pipeline).toHaveLength(1);
  });

  it('all placements of range/unwrap/pipeline', () => {
    const a = strip(parseExpr('rate({a="b"} | json | unwrap x [1m])'));
    expect(strip(parseExpr('rate({a="b"}[1m] | json | unwrap x)'))).toEqual(a);
    expect(strip(parseExpr('rate(({a="b"} | unwrap x)[1m])'))).toEqual(
      strip(parseExpr('rate({a="b"} | unwrap x [1m])')),
    );
    expect(strip(parseExpr('count_over_time(({a="b"})[1m])'))).toEqual(
      strip(parseExpr('count_over_time({a="b"}[1m])')),
    );
    expect(metric<RangeAggregation>('count_over_time({a="b"}[1m] offset 5m | json)').offset).toBe(300_000_000_000n);
  });

  it('unwrap conversions', () => {
    expect(metric<RangeAggregation>('max_over_time({a="b"} | unwrap bytes(x) [1m])').unwrap?.conversion).toBe('bytes');
    expect(metric<RangeAggregation>('max_over_time({a="b"} | unwrap duration(x) [1m])').unwrap?.conversion).toBe(
      'duration',
    );
    expect(metric<RangeAggregation>('max_over_time({a="b"} | unwrap bytes [1m])').unwrap).toMatchObject({
      label: 'bytes',
    });
  });

  it('quantile param and grouping', () => {
    const e = metric<RangeAggregation>('quantile_over_time(0.95, {a="b"} | unwrap x [10m]) by (host)');
    expect(e.param).toBe(0.95);
    expect(strip(e.grouping)).toEqual({ without: false, labels: ['host'] });
  });
});

describe('vector aggregations and binary operations', () => {
  it('grouping before or after', () => {
    const a = metric<VectorAggregation>('sum by (a, b) (count_over_time({x="y"}[1m]))');
    const b = metric<VectorAggregation>('sum(count_over_time({x="y"}[1m])) by (a, b)');
    expect(strip(a)).toEqual(strip(b));
    expect(strip(a.grouping)).toEqual({ without: false, labels: ['a', 'b'] });
    expect(metric<VectorAggregation>('sum without () (count_over_time({x="y"}[1m]))').grouping).toMatchObject({
      without: true,
      labels: [],
    });
  });

  it('topk, bottomk, approx_topk, sort, sort_desc', () => {
    expect(metric<VectorAggregation>('topk(3, count_over_time({x="y"}[1m]))')).toMatchObject({ op: 'topk', param: 3 });
    expect(metric<VectorAggregation>('bottomk by (a) (2, count_over_time({x="y"}[1m]))')).toMatchObject({
      op: 'bottomk',
      param: 2,
    });
    expect(metric<VectorAggregation>('approx_topk(5, sum by (a) (count_over_time({x="y"}[1m])))')).toMatchObject({
      op: 'approx_topk',
      param: 5,
    });
    expect(metric<VectorAggregation>('sort(count_over_time({x="y"}[1m]))').op).toBe('sort');
    expect(metric<VectorAggregation>('sort_desc(count_over_time({x="y"}[1m]))').op).toBe('sort_desc');
  });

  const shape = (e: AnyExpr): unknown => {
    if (e.kind === 'binary') return [shape(e.left), e.op, shape(e.right)];
    if (e.kind === 'literal') return e.value;
    if (e.kind === 'vector') return `v${e.value}`;
    return e.kind;
  };

  it('precedence and associativity as PromQL/Loki', () => {
    const v = (q: string) => q.replace(/(\d)/g, 'vector($1)');
    expect(shape(parseExpr(v('1 + 2 * 3')))).toEqual(['v1', '+', ['v2', '*', 'v3']]);
    expect(shape(parseExpr(v('1 * 2 + 3')))).toEqual([['v1', '*', 'v2'], '+', 'v3']);
    expect(shape(parseExpr(v('1 - 2 - 3')))).toEqual([['v1', '-', 'v2'], '-', 'v3']);
    expect(shape(parseExpr(v('2 ^ 3 ^ 2')))).toEqual(['v2', '^', ['v3', '^', 'v2']]);
    // two literals fold into one, as in Loki (reduceBinOp)
    expect(shape(parseExpr('vector(1) / 2 ^ 3'))).toEqual(['v1', '/', 8]);
    expect(shape(parseExpr('1 + 2 * 3'))).toEqual(7);
    expect(shape(parseExpr('2 ^ 3 ^ 2'))).toEqual(512);
    expect(shape(parseExpr('vector(1) or vector(2) and vector(3) > vector(4) + 5'))).toEqual([
      'v1',
      'or',
      ['v2', 'and', ['v3', '>', ['v4', '+', 5]]],
    ]);
    expect(shape(parseExpr('vector(1) unless vector(2) or vector(3)'))).toEqual([['v1', 'unless', 'v2'], 'or', 'v3']);
    expect(shape(parseExpr('(1 + 2) * 3'))).toEqual(9);
    expect(shape(parseExpr('2 * (3 + 4) % 5'))).toEqual(4);
    expect(shape(parseExpr('1 == 2 != 3'))).toEqual(1);
    expect(shape(parseExpr('-1 + -2'))).toEqual(-3);
    expect(shape(parseExpr('1+1--1'))).toEqual(3);
  });

  it('numbers', () => {
    expect(shape(parseExpr('1e3 + .5 + 2.'))).toEqual(1002.5);
    expect(shape(parseExpr('1_000 + 0x1p-2'))).toEqual(1000.25);
    expect(parseError('0x10 + 1').message).toContain('unable to parse literal as a float');
  });

  it('bool and vector matching', () => {
    const e = metric<BinaryExpr>('vector(1) > bool on (a, b) group_left (c) vector(2)');
    expect(e).toMatchObject({
      op: '>',
      bool: true,
      matching: { on: true, labels: ['a', 'b'], group: { side: 'left', include: ['c'] } },
    });
    const i = metric<BinaryExpr>('vector(1) / ignoring (l) group_right vector(2)');
    expect(i.matching).toEqual({ on: false, labels: ['l'], group: { side: 'right', include: [] } });
    expect(metric<BinaryExpr>('vector(1) + on() vector(2)').matching).toEqual({ on: true, labels: [] });
  });

  it('label_replace and vector', () => {
    expect(strip(parseExpr('label_replace(vector(1), "dst", "$1", "src", "(.*)")'))).toEqual({
      kind: 'labelReplace',
      expr: { kind: 'vector', value: 1 },
      dst: 'dst',
      replacement: '$1',
      src: 'src',
      regex: '(.*)',
    });
  });

  it('binary spans cover parentheses', () => {
    const q = '(vector(1)) + 2';
    expect(parseExpr(q).span).toEqual({ from: 0, to: q.length });
  });
});

describe('syntax errors', () => {
  it('carry line, column and the token', () => {
    const e = parseError('{app="api"} |= ');
    expect(e.kind).toBe('parse');
    expect(e.line).toBe(1);
    expect(e.message).toContain('end of query');
    const f = parseError('count_over_time({app="api"})');
    expect(f.message).toMatch(/line 1, col 28: syntax error: unexpected "\)"/);
    const g = parseError('sum(\n  rate({a="b"}[1m] |= foo)\n)');
    expect(g.line).toBe(2);
    expect(g.message).toContain('"foo"');
    expect(g.column).toBe(23);
  });
  it('other malformed queries', () => {
    for (const q of [
      '',
      '{',
      '{a="b"',
      '{a=b}',
      'sum(',
      'rate({a="b"}[5m]',
      '{a="b"} | json a=',
      '{a="b"} |= "x" or',
      'vector(1) +',
      '{}',
      'sum by (a) (',
    ]) {
      expect(['parse', 'check'], q).toContain(parseError(q).kind);
    }
  });
  it('offset after unwrap parses; stray offsets do not', () => {
    const e = metric<RangeAggregation>('sum_over_time({a="b"} | json | unwrap x | y="1" [5m] offset 2m)');
    expect(e.offset).toBe(120_000_000_000n);
    expect(e.unwrap?.postFilters).toHaveLength(1);
    expect(parseError('{a="b"}[5m] offset 1m').kind).toBe('parse');
    expect(parseError('vector(1) offset 1m').kind).toBe('parse');
  });
  it('durations in ranges use Prometheus syntax only', () => {
    expect(parseError('rate({a="b"}[1.5h])').kind).toBe('parse');
    expect(metric<RangeAggregation>('rate({a="b"}[1h30m])').range).toBe(5_400_000_000_000n);
    expect(metric<RangeAggregation>('rate({a="b"}[1d] offset 1.5h)').offset).toBe(5_400_000_000_000n);
  });
});

describe('checks', () => {
  const rejected: [string, RegExp][] = [
    ['{a=""}', /at least one/],
    ['{a=~".*"}', /at least one/],
    ['{a!="x"}', /at least one/],
    ['{a!~"x"}', /at least one/],
    ['{a=~"x|"}', /at least one/],
    ['{a=~"("}', /invalid regular expression/],
    ['sum_over_time({a="b"}[5m])', /without unwrap/],
    ['rate_counter({a="b"}[5m])', /without unwrap/],
    ['count_over_time({a="b"} | unwrap x [5m])', /with unwrap/],
    ['bytes_rate({a="b"} | unwrap x [5m])', /with unwrap/],
    ['quantile_over_time({a="b"} | unwrap x [5m])', /parameter required/],
    ['avg_over_time(0.5, {a="b"} | unwrap x [5m])', /not supported/],
    ['count_over_time({a="b"}[5m]) by (x)', /grouping not allowed/],
    ['sum_over_time({a="b"} | unwrap x [5m]) by (x)', /grouping not allowed/],
    ['topk(0, count_over_time({a="b"}[5m]))', /greater than 0/],
    ['topk(1.5, count_over_time({a="b"}[5m]))', /invalid parameter/],
    ['topk(count_over_time({a="b"}[5m]))', /parameter required/],
    ['sum(2, count_over_time({a="b"}[5m]))', /unsupported parameter/],
    ['approx_topk by (a) (2, count_over_time({a="b"}[5m]))', /grouping not allowed/],
    ['sort by (a) (count_over_time({a="b"}[5m]))', /grouping/],
    ['{a="b"} + 1', /log query/],
    ['1 + {a="b"}', /log query/],
    ['vector(1) and 1', /literal/],
    ['1 or vector(1)', /literal/],
    ['vector(1) + bool vector(1)', /bool/],
    ['sum(count_over_time({a=""}[5m]))', /at least one/],
    ['{a="b"} | regexp "(\\\\w+)"', /named capture/],
    ['{a="b"} | pattern "<a><b>"', /consecutive/],
    ['{a="b"} | pattern "<_> x"', /at least one capture/],
    ['{a="b"} |> "<a> x"', /named captures/],
    ['{a="b"} | json x="a..b"', /cannot parse/],
    ['label_replace(vector(1), "d", "$1", "s", "(")', /label_replace/],
    ['{a="b"} | label_format x=y, x="z"', /multiple label/],
  ];
  it.each(rejected)('rejects %s', (q, re) => {
    const e = parseError(q);
    expect(['check', 'parse', 'unsupported']).toContain(e.kind);
    expect(e.message).toMatch(re);
    expect(e.line).toBe(1);
  });

  const accepted = [
    '{a!=""}',
    '{a=~".+"}',
    '{a="", b="c"}',
    'rate({a="b"}[5m])',
    'rate({a="b"} | unwrap x [5m])',
    'absent_over_time({a="b"} | unwrap x [5m])',
    'avg_over_time({a="b"} | unwrap x [5m]) by (y)',
    'sort(sum by () (count_over_time({a="b"}[5m])))',
    'sort by () (count_over_time({a="b"}[5m]))',
    'vector(1) + 1',
    '1 + 1',
    'vector(1) > bool 1',
    '{a="b"} | json x="a.b[0]", y="[\\"k\\"]", z',
    '{a="b"} | pattern "<a> <_>"',
    '{a="b"} |> "<_> x"',
  ];
  it.each(accepted)('accepts %s', (q) => {
    expect(() => parse(q)).not.toThrow();
  });
});

describe('conformance queries', () => {
  const data = JSON.parse(
    readFileSync(new URL('../../tests/fixtures/conformance/expected.json', import.meta.url), 'utf8'),
  ) as {
    cases: { id: string; status: number; params: { query?: string } }[];
  };
  const ok = data.cases.filter((c) => c.params.query !== undefined && c.status === 200);
  it.each(ok.map((c) => [c.id, c.params.query!]))('%s parses and checks', (_id, q) => {
    expect(() => parse(q)).not.toThrow();
  });
  // e-pipeline-error is rejected by Loki only at execution time (a __error__ label reaches the metric)
  const bad = data.cases.filter((c) => c.params.query !== undefined && c.status === 400 && c.id !== 'e-pipeline-error');
  it.each(bad.map((c) => [c.id, c.params.query!]))('%s is rejected', (_id, q) => {
    expect(() => parse(q)).toThrow(LogQLError);
  });
});

describe('nesting depth', () => {
  it('refuses a tree deeper than any real query with a parse error, before any pass could exhaust the stack', () => {
    const nested = (n: number) => 'sum('.repeat(n) + 'count_over_time({a="b"}[1m])' + ')'.repeat(n);
    expect(() => parseExpr(nested(100))).not.toThrow();
    expect(() => parseExpr(nested(MAX_NESTING + 1))).toThrow(/nested too deeply/);
    // deeper than the parser's own recursion can go: the same error, not a RangeError
    expect(() => parseExpr('('.repeat(50_000) + '1' + ')'.repeat(50_000))).toThrow(LogQLError);
    // a long chain of constants folds to one literal: nothing deep is left
    expect(parseExpr(Array(40_000).fill('1').join('+'))).toMatchObject({ kind: 'literal', value: 40_000 });
  });
});
