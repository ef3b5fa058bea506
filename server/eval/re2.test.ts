import { describe, expect, it } from 'vitest';
import { RE2 } from 're2-wasm';
import { compileRE2, RE2SyntaxError, RE2UnsupportedError } from './re2';

// re2-wasm is the real RE2 (C++), used here as the oracle for the translation.
function oracle(pattern: string, anchored: boolean, input: string): boolean {
  const re = new RE2(anchored ? `^(?:${pattern})$` : pattern, 'u');
  return re.test(input);
}

const cases: [string, string[]][] = [
  ['(?i)error', ['ERROR here', 'Error', 'no', 'errOr']],
  ['(?s)a.b', ['a\nb', 'axb']],
  ['a.b', ['a\nb', 'axb', 'a\rb', 'a\u2028b']],
  ['(?m)^b$', ['a\nb\nc', 'b', 'ab']],
  ['^b$', ['a\nb\nc', 'b', 'b\n']],
  ['(?P<x>\\d+)-(?P<y>\\w+)', ['12-ab', 'x-y', '١٢-ab']],
  ['\\pL+', ['héllo', '123', '한국어']],
  ['\\p{Greek}', ['αβγ', 'abc']],
  ['\\PL', ['abc', 'ab1']],
  ['\\p{Hangul}+', ['주문 생성', 'abc']],
  ['foo\\z', ['foo', 'foo\n']],
  ['\\Afoo', ['foo', 'xfoo']],
  ['\\Qa.b*\\E', ['a.b*', 'axbb']],
  ['[[:alpha:]]+[[:digit:]]', ['abc1', '123']],
  ['[[:^space:]]', ['   ', ' a ']],
  ['a\\ b\\-c\\#d', ['a b-c#d', 'ab-c#d']],
  ['\\s', ['\u000b', '\u00a0', ' ', '\t']],
  ['\\S', ['\u000b', ' ']],
  ['[^a]', ['\n', 'a']],
  ['x{2,3}', ['xx', 'x']],
  ['a{,2}', ['a{,2}', 'aa']],
  ['[\\d\\s]+', ['1 2', 'ab']],
  ['[]a]', [']', 'a', 'b']],
  ['[a-]', ['-', 'b']],
  ['\\x41\\x{42}', ['AB', 'ab']],
  ['\\101', ['A', 'B']],
  ['foo(?i)bar', ['fooBAR', 'FOObar', 'foobar']],
  ['(?i:k)', ['K', 'k', '\u212a']],
  ['(?U)a+', ['aaa']],
  ['\\bword\\b', ['a word here', 'swordfish']],
  ['[\\p{Lu}\\d]', ['A', 'a', '5']],
  ['😀+', ['😀😀', 'x']],
  ['.', ['😀']],
  ['(a|b)+c', ['ababc', 'c', 'abd']],
  ['(?:ab){2}$', ['xabab', 'ab']],
  ['(?i)straße', ['STRASSE', 'Straße', 'STRAẞE']],
];

describe('compileRE2 agrees with RE2 (re2-wasm oracle)', () => {
  for (const [pattern, inputs] of cases) {
    for (const anchored of [false, true]) {
      it(`${anchored ? 'anchored' : 'unanchored'} ${pattern}`, () => {
        const m = compileRE2(pattern, { anchored });
        for (const s of inputs) expect([s, m.test(s)]).toEqual([s, oracle(pattern, anchored, s)]);
      });
    }
  }
});

describe('compileRE2 details', () => {
  it('exposes named groups by index', () => {
    const m = compileRE2('(?P<a>x)(y)(?<b>z)', { anchored: false });
    expect(m.groupNames).toEqual(['', 'a', '', 'b']);
    expect(m.exec('xyz')?.[3]).toBe('z');
  });
  it('RE2 (?U) makes quantifiers lazy for submatches', () => {
    const m = compileRE2('(?U)(?P<a>a+)', { anchored: false });
    expect(m.exec('aaa')?.[1]).toBe('a');
  });
  it('rejects Perl syntax RE2 does not have', () => {
    expect(() => compileRE2('a(?=b)', { anchored: false })).toThrow(RE2SyntaxError);
    expect(() => compileRE2('(a)\\1', { anchored: false })).toThrow(RE2SyntaxError);
    expect(() => compileRE2('a**', { anchored: false })).toThrow(RE2SyntaxError);
    expect(() => compileRE2('(', { anchored: false })).toThrow(RE2SyntaxError);
  });
  it('refuses (?-i) after a leading (?i) with a named error', () => {
    expect(() => compileRE2('(?i)a(?-i)b', { anchored: false })).toThrow(RE2UnsupportedError);
  });
  it('digit-leading group names work (RE2 allows them, JS does not)', () => {
    const m = compileRE2('(?P<1a>x)', { anchored: false });
    expect(m.groupNames[1]).toBe('1a');
  });
});

describe('compileRE2 quantifiers on groups', () => {
  it('a quantifier after a group applies to the whole group', () => {
    const m = compileRE2('(?:;\\d{0,2})*x', { anchored: true });
    expect(m.test(';1;22x')).toBe(true);
    expect(m.test(';1;22;x')).toBe(true);
    expect(compileRE2('\\Qab\\E+', { anchored: true }).test('abbb')).toBe(true);
    expect(compileRE2('\\Qab\\E+', { anchored: true }).test('abab')).toBe(false);
  });
});
