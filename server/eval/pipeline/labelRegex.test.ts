// Label regex filters as Loki 3.7.6 runs them: answers recorded from Loki's own filter code (tests/fixtures).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileLabelFilterMatcher } from './index';
import { labelRegexTest } from './labelRegex';

const fixture = JSON.parse(
  readFileSync(new URL('../../../tests/fixtures/loki-label-regex.json', import.meta.url), 'utf8'),
) as { values: string[]; keeps: Record<string, string[]> };

const value = (v: string) => (v === '\u0000' ? '' : v); // a missing label reads as ""

describe('label regex filters keep what Loki 3.7.6 keeps', () => {
  it.each(Object.entries(fixture.keeps))('=~ %j', (pattern, keeps) => {
    const eq = compileLabelFilterMatcher('=~', pattern);
    const ne = compileLabelFilterMatcher('!~', pattern);
    expect(fixture.values.filter((v) => eq(value(v)))).toEqual(keeps);
    expect(fixture.values.filter((v) => ne(value(v)))).toEqual(fixture.values.filter((v) => !keeps.includes(v)));
  });

  it('empty regex: =~"" keeps every line, !~"" drops every line', () => {
    expect(labelRegexTest('')).toEqual({ kind: 'true' });
    expect(compileLabelFilterMatcher('!~', '')('anything')).toBe(false);
    expect(compileLabelFilterMatcher('=~', '')('anything')).toBe(true);
  });

  it('names the shapes it simplifies (unanchored substring tests for concatenations)', () => {
    expect(labelRegexTest('GE.*')).toEqual({ kind: 'contains', text: 'GE', caseInsensitive: false });
    expect(labelRegexTest('(?i)get')).toEqual({ kind: 'equal', text: 'GET', caseInsensitive: true });
    expect(labelRegexTest('.+')).toEqual({ kind: 'exists' });
    expect(labelRegexTest('5..')).toBeUndefined();
    expect(labelRegexTest('^GET$')).toBeUndefined();
  });
});
