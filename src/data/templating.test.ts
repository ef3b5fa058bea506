import { describe, expect, it } from 'vitest';
import { applyAdHocFilters, escapeRegexLiteral, interpolateQuery, interpolateQueryExpr, replaceAutoRange } from './templating';

describe('interpolateQueryExpr', () => {
  it('escapes single values for a string literal', () => {
    expect(interpolateQueryExpr('a"b\\c', { name: 'v' })).toBe('a\\"b\\\\c');
  });
  it('joins multi values into an escaped alternation', () => {
    expect(interpolateQueryExpr(['a.b', 'c'], { name: 'v', multi: true })).toBe('(a\\\\.b|c)');
    expect(interpolateQueryExpr('x+', { name: 'v', includeAll: true })).toBe('x\\\\+');
    expect(escapeRegexLiteral('(x)')).toBe('\\\\(x\\\\)');
  });
});

describe('$__auto', () => {
  it('is the step (or $__interval) of range queries, the range of instant ones', () => {
    expect(replaceAutoRange('rate({a="b"}[$__auto])', { queryType: 'range' })).toBe('rate({a="b"}[$__interval])');
    expect(replaceAutoRange('rate({a="b"}[$__auto])', { queryType: 'range', step: '2m' })).toBe('rate({a="b"}[2m])');
    expect(replaceAutoRange('rate({a="b"}[$__auto])', { queryType: 'instant' })).toBe('rate({a="b"}[$__range])');
  });
});

describe('ad hoc filters', () => {
  it('go into the selector, or after the parser', () => {
    expect(applyAdHocFilters('{app="a"}', [{ key: 'env', operator: '=', value: 'p' }])).toBe('{app="a", env="p"}');
    expect(applyAdHocFilters('{app="a"} | json', [{ key: 'status', operator: '!=', value: '200' }])).toBe(
      '{app="a"} | json | status!="200"',
    );
    expect(applyAdHocFilters('{app="a"} | json', [{ key: 'took', operator: '>', value: '5' }])).toBe('{app="a"} | json | took > 5');
  });
});

describe('interpolateQuery', () => {
  it('uses templateSrv with our escaping and applies filters', () => {
    const vars: Record<string, { value: string | string[]; multi?: boolean }> = {
      app: { value: ['a', 'b.c'], multi: true },
      __interval: { value: '30s' },
      __range: { value: '3600s' },
    };
    const templateSrv = {
      replace: (s: string, _sv?: unknown, fmt?: unknown) =>
        s.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a, b) => {
          const v = vars[a ?? b];
          if (!v) {
            return m;
          }
          return typeof fmt === 'function' ? fmt(v.value, { name: a ?? b, multi: v.multi }) : String(v.value);
        }),
    };
    const q = interpolateQuery(
      templateSrv as any,
      { refId: 'A', expr: 'sum(count_over_time({app=~"$app"}[$__auto]))', queryType: 'range', step: '$__interval' },
      {},
      [{ key: 'env', operator: '=', value: 'prod' }],
    );
    expect(q.expr).toBe('sum(count_over_time({app=~"(a|b\\\\.c)", env="prod"}[30s]))');
    expect(q.step).toBe('30s');
  });
});
