import { describe, expect, it } from 'vitest';
import {
  addFilter,
  addLabelFilter,
  addLineFilter,
  addMatcherToSelectors,
  durationToMs,
  findSyntaxError,
  getMatchers,
  getParsers,
  getStreamSelectors,
  hasFilter,
  isLogsQuery,
  msToDuration,
  offsetToPosition,
  positionToOffset,
  removeFilter,
  replaceRanges,
} from './logql';

describe('selectors and matchers', () => {
  it('finds selectors in log and metric queries', () => {
    expect(getStreamSelectors('{app="a"} |= "x"')).toEqual(['{app="a"}']);
    expect(getStreamSelectors('rate({a="1"}[5m]) / rate({b="2"}[5m])')).toEqual(['{a="1"}', '{b="2"}']);
  });
  it('reads matchers with every operator and unquotes values', () => {
    expect(getMatchers('{app="a\\"b", env=~"p.*", x!="y", z!~`r`}')).toEqual([
      { label: 'app', op: '=', value: 'a"b' },
      { label: 'env', op: '=~', value: 'p.*' },
      { label: 'x', op: '!=', value: 'y' },
      { label: 'z', op: '!~', value: 'r' },
    ]);
  });
  it('tells log from metric queries and lists parsers', () => {
    expect(isLogsQuery('{a="b"} | json')).toBe(true);
    expect(isLogsQuery('count_over_time({a="b"}[1m])')).toBe(false);
    expect(getParsers('{a="b"} | json | logfmt | level="x"')).toEqual(['json', 'logfmt']);
  });
});

describe('editing', () => {
  it('adds a matcher to every selector, replacing the opposite one', () => {
    expect(addMatcherToSelectors('{app="a"} |= "x"', { label: 'env', op: '=', value: 'prod' })).toBe(
      '{app="a", env="prod"} |= "x"',
    );
    expect(addMatcherToSelectors('{app="a", env!="prod"}', { label: 'env', op: '=', value: 'prod' })).toBe('{app="a", env="prod"}');
    expect(addMatcherToSelectors('rate({a="1"}[5m]) + rate({b="2"}[5m])', { label: 'c', op: '=', value: '3' })).toBe(
      'rate({a="1", c="3"}[5m]) + rate({b="2", c="3"}[5m])',
    );
  });
  it('adds label filters after the last parser', () => {
    expect(addLabelFilter('{app="a"} | json | line_format "{{.msg}}"', { label: 'level', op: '=', value: 'error' })).toBe(
      '{app="a"} | json | level="error" | line_format "{{.msg}}"',
    );
    expect(addLabelFilter('sum(count_over_time({app="a"} | logfmt [5m]))', { label: 'x', op: '!=', value: 'y' })).toBe(
      'sum(count_over_time({app="a"} | logfmt | x!="y" [5m]))',
    );
  });
  it('adds line filters after the selector and its line filters', () => {
    expect(addLineFilter('{app="a"} | json', 'boom')).toBe('{app="a"} |= "boom" | json');
    expect(addLineFilter('{app="a"} |= "x" | json', 'y', '!=')).toBe('{app="a"} |= "x" != "y" | json');
    expect(addLineFilter('count_over_time({app="a"}[5m])', 'q')).toBe('count_over_time({app="a"} |= "q"[5m])');
  });
  it('puts a filter in the selector without a parser, after the parser otherwise', () => {
    expect(addFilter('{app="a"}', { label: 'level', op: '=', value: 'error' })).toBe('{app="a", level="error"}');
    expect(addFilter('{app="a"} | json', { label: 'level', op: '=', value: 'error' })).toBe('{app="a"} | json | level="error"');
    expect(addFilter('{app="a"} | json', { label: 'app', op: '!=', value: 'b' })).toBe('{app="a", app!="b"} | json');
    expect(addFilter('{app="a"} | json', { label: 'level', op: '=', value: 'x' }, { streamLabel: true })).toBe(
      '{app="a", level="x"} | json',
    );
  });
  it('finds and removes filters (toggle)', () => {
    const q = '{app="a", env="p"} | json | level="error"';
    expect(hasFilter(q, { label: 'level', op: '=', value: 'error' })).toBe(true);
    expect(hasFilter(q, { label: 'env', op: '=', value: 'p' })).toBe(true);
    expect(hasFilter(q, { label: 'env', op: '!=', value: 'p' })).toBe(false);
    expect(removeFilter(q, { label: 'level', op: '=', value: 'error' })).toBe('{app="a", env="p"} | json');
    expect(removeFilter(q, { label: 'env', op: '=', value: 'p' })).toBe('{app="a"} | json | level="error"');
  });
  it('replaces ranges', () => {
    expect(replaceRanges('rate({a="b"}[5m])', '$__auto')).toBe('rate({a="b"}[$__auto])');
  });
});

describe('syntax errors and positions', () => {
  it('reports the first error position', () => {
    expect(findSyntaxError('{app="a"} |= "x"')).toBeUndefined();
    const e = findSyntaxError('{app="a"} | json | = "x"');
    expect(e).toBeDefined();
    expect(e!.from).toBeGreaterThanOrEqual(17);
    expect(findSyntaxError('{app=')!.message).toMatch(/end of query/);
    expect(findSyntaxError('')).toBeUndefined();
  });
  it('converts offsets and positions', () => {
    expect(offsetToPosition('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(positionToOffset('ab\ncd', 2, 2)).toBe(4);
  });
  it('parses and prints durations', () => {
    expect(durationToMs('1h30m')).toBe(5_400_000);
    expect(durationToMs('500ms')).toBe(500);
    expect(durationToMs('abc')).toBeUndefined();
    expect(msToDuration(3_600_000)).toBe('1h');
    expect(msToDuration(90_000)).toBe('90s');
  });
});
