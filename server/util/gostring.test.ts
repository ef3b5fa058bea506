import { describe, expect, it } from 'vitest';
import { GoSyntaxError, unquoteGo, unquoteGoCharText } from './gostring';

describe('unquoteGo', () => {
  it('decodes double-quoted strings with every Go escape; byte escapes as UTF-8', () => {
    expect(unquoteGo('"a\\"b\\\\c\\n\\t"')).toBe('a"b\\c\n\t');
    expect(unquoteGo('"\\x41\\101\\u00e9\\U0001F600"')).toBe('AAé😀');
    expect(unquoteGo('"\\xc3\\xa9"')).toBe('é');
    expect(unquoteGo('"\\a\\b\\f\\r\\v"')).toBe('\x07\b\f\r\v');
    expect(unquoteGo('"plain é"')).toBe('plain é');
  });

  it('reads raw strings without escapes, dropping carriage returns unless asked to keep them', () => {
    expect(unquoteGo('`raw \\d "q"`')).toBe('raw \\d "q"');
    expect(unquoteGo('`a\r\nb`')).toBe('a\nb');
    expect(unquoteGo('`a\r\nb`', { keepRawCR: true })).toBe('a\r\nb');
  });

  it('reads one-character literals, where byte escapes are code points', () => {
    expect(unquoteGo("'a'")).toBe('a');
    expect(unquoteGo("'\\''")).toBe("'");
    expect(unquoteGo("'\\xff'")).toBe('ÿ');
    expect(unquoteGoCharText("'ab'")).toBe('ab');
    expect(() => unquoteGo("'ab'")).toThrow(GoSyntaxError);
  });

  it('rejects malformed literals', () => {
    for (const bad of [
      '"\\d"',
      '"\\x4"',
      '"\\400"',
      '"\\\'"',
      "'\\\"'",
      '"a"b"',
      '"a\nb"',
      '"abc',
      'abc',
      '``a`',
      '"\\ud800"',
    ]) {
      expect(() => unquoteGo(bad), bad).toThrow(GoSyntaxError);
    }
  });
});
