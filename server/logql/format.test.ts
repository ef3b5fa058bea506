// format_query text as Loki 3.7.6 prints it (each expectation below is Loki's own answer), and formatting as a fixed
// point. The full comparison over Loki's test corpus is in corpus.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseQuery } from './check';
import { exprString, formatExpr, formatQuery, goDuration, goFloatV, goQuote, humanBytes, promDuration } from './format';

describe('Loki text', () => {
  it.each([
    ['1000000', '1e+06'],
    ['vector(1) > 1234567', '(vector(1.000000) > 1.234567e+06)'],
    ['vector(1e-7)', 'vector(0.000000)'],
    ['1 + 2 * 3', '7'],
    ['{a="b"} | x > 1.5e-7', '{a="b"} | x>0.00000015'],
    ['{a="b"} | x = 5', '{a="b"} | x==5'],
    ['quantile_over_time(1e-7, {a="b"} | unwrap x [1m])', 'quantile_over_time(0.0000001,{a="b"} | unwrap x[1m])'],
    [
      '{a="b"} | x > 1500ms | y < 90s | z == 3h | w > 1KB | v > 1500B | u > 1MiB',
      '{a="b"} | x>1.5s | y<1m30s | z==3h0m0s | w>1.0kB | v>1.5kB | u>1.0MB',
    ],
    ['count_over_time({a="b"}[90s] offset 1h)', 'count_over_time({a="b"}[1m30s] offset 1h0m0s)'],
    ['count_over_time({a="b"}[1d] offset -1h30m)', 'count_over_time({a="b"}[1d] offset -1h30m0s)'],
    [
      '{a="b"} | x=~"a\\\\d" | y!~"a\\\\d" | z=~"abc" | w=~"a.*"',
      '{a="b"} | x=~`a\\d` | y!~"a\\\\d" | z=~"abc" | w=~"a.*"',
    ],
    ['{ñ="x"}', '{"ñ"="x"}'],
    ['vector(1) * on (x) vector(2)', '(vector(1.000000) * on (x)  vector(2.000000))'],
    ['vector(1) * ignoring () group_left vector(2)', '(vector(1.000000) * vector(2.000000))'],
    ['vector(1) * on (x) group_left (a,b) vector(2)', '(vector(1.000000) * on (x) group_left (a,b) vector(2.000000))'],
    ['{a="b"} != "x" or "y" |= "z" or ip("1.1.1.1")', '{a="b"} != "x" != "y" |= "z" or ip("1.1.1.1")'],
    ['sum without () (count_over_time({a="b"}[1m]))', 'sum without ()(count_over_time({a="b"}[1m]))'],
    ['sum by () (count_over_time({a="b"}[1m]))', 'sum(count_over_time({a="b"}[1m]))'],
    [
      '{a="b"} | json a, b="c" | logfmt --strict --keep-empty x | drop a, b="c" | keep d!~"e"',
      '{a="b"} | json a="a",b="c" | logfmt --strict --keep-empty x="x" | drop a,b="c" | keep d!~"e"',
    ],
    ['{a="b"} | x="1" y="2" or z="3"', '{a="b"} | ( x="1" , ( y="2" or z="3" ) )'],
    ['SUM(Count_Over_Time({a="b"}[1m])) BY (foo)', 'sum by (foo)(count_over_time({a="b"}[1m]))'],
    [
      'variants(rate({app="foo"}[5m])) of ({app="foo"}[5m])',
      'variants(\n  rate({app="foo"}[5m])\n) of (\n  {app="foo"} [5m]\n)',
    ],
    ['{a="b"} |~ "("', '{a="b"} |~ "("'],
  ])('%s', (q, want) => {
    expect(formatQuery(q)).toBe(want);
  });

  it('splits expressions longer than 100 bytes over indented lines', () => {
    const q =
      'sum by (namespace, pod) (rate({app="api", env="production", cluster="eu-west-1"} |= "error" != "timeout" | json | status >= 500 | line_format "{{.msg}}" [5m])) > 10';
    expect(formatQuery(q)).toBe(
      [
        '  sum by (namespace, pod)(',
        '    rate(',
        '      {app="api", env="production", cluster="eu-west-1"}',
        '        |= "error" != "timeout"',
        '        | json',
        '        | status>=500',
        '        | line_format "{{.msg}}" [5m]',
        '    )',
        '  )',
        '>',
        '  10',
      ].join('\n'),
    );
  });

  it('Go number, duration and size formats', () => {
    expect([1e6, 123456, 1e-5, 0.0001, 1e21, -2.5].map(goFloatV)).toEqual([
      '1e+06',
      '123456',
      '1e-05',
      '0.0001',
      '1e+21',
      '-2.5',
    ]);
    expect([0n, 1500n, 1_500_000n, 90_000_000_000n, 3_600_000_000_000n, -5_400_000_000_000n].map(goDuration)).toEqual([
      '0s',
      '1.5µs',
      '1.5ms',
      '1m30s',
      '1h0m0s',
      '-1h30m0s',
    ]);
    expect([90_000_000_000n, 86_400_000_000_000n, 0n].map(promDuration)).toEqual(['1m30s', '1d', '0s']);
    expect([9, 1000, 1500, 2_600, 250_000, 1_048_576].map(humanBytes)).toEqual([
      '9B',
      '1.0kB',
      '1.5kB',
      '2.6kB',
      '250kB',
      '1.0MB',
    ]);
  });

  it('quotes like Go', () => {
    expect(goQuote('a"b\\c\n\t\x01é\u00a0\u2028')).toBe('"a\\"b\\\\c\\n\\t\\x01é\\u00a0\\u2028"');
    expect(goQuote('\udcff')).toBe('"\\xff"');
  });
});

describe('formatting is a fixed point', () => {
  const data = JSON.parse(
    readFileSync(new URL('../../tests/fixtures/conformance/expected.json', import.meta.url), 'utf8'),
  ) as { cases: { status: number; params: { query?: string } }[] };
  const queries = data.cases.filter((c) => c.status === 200 && c.params.query).map((c) => c.params.query!);
  it.each(queries)('%s', (q) => {
    const once = formatExpr(parse(q));
    expect(formatQuery(once)).toBe(once);
    // the one-line form too
    const line = exprString(parseQuery(q));
    expect(exprString(parseQuery(line))).toBe(line);
  });
});
