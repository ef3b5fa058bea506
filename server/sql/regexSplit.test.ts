import { describe, expect, it } from 'vitest';
import { splitAlternation } from './regexSplit';

describe('splitAlternation', () => {
  it('splits a top-level alternation and carries a leading flag group', () => {
    expect(splitAlternation('(?i)error|timeout')).toEqual(['(?i)error', '(?i)timeout']);
    expect(splitAlternation('a|b|c')).toEqual(['a', 'b', 'c']);
  });
  it('keeps alternations inside groups, classes and escapes whole', () => {
    expect(splitAlternation('(a|b)c')).toEqual(['(a|b)c']);
    expect(splitAlternation('[|]x')).toEqual(['[|]x']);
    expect(splitAlternation('[]|]x|y')).toEqual(['[]|]x', 'y']);
    expect(splitAlternation('a\\|b')).toEqual(['a\\|b']);
  });
  it('does not split when a flag group sits further in or an alternative is empty', () => {
    expect(splitAlternation('a(?i)b|c')).toEqual(['a(?i)b|c']);
    expect(splitAlternation('a|')).toEqual(['a|']);
  });
});
