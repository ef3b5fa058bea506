// The characters of an RE2 pattern that are syntax at the top of the pattern text: outside escapes (`\x`) and
// character classes (`[…]`, where a `]` right after `[` or `[^` is a member). Enough for the light scans that do not
// need a full parse (named groups, top-level alternation).

export function* regexSyntaxChars(pattern: string): Generator<[char: string, index: number]> {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    yield [c, i];
  }
}
