// A regex line filter's top-level alternation, split into one regex per alternative (joined with OR by the caller):
// `(?i)error|timeout` becomes `(?i)error`, `(?i)timeout`. A line matches the whole (unanchored) regex exactly when it
// matches one of the alternatives, and RE2 runs a literal-led alternative far faster on its own (DESIGN §8: 2.2×).
// Only a leading flag group is carried to every part; a pattern with any other `(?` group is kept whole, because a
// flag group further in would apply across the `|` that follows it.

import { regexSyntaxChars } from '../util/regexScan';

export function splitAlternation(pattern: string): string[] {
  const flags = /^\(\?[a-zA-Z]+\)/.exec(pattern)?.[0] ?? '';
  const body = pattern.slice(flags.length);
  if (body.includes('(?')) return [pattern];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (const [c, i] of regexSyntaxChars(body)) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  // an empty alternative matches every line: no gain in splitting
  if (parts.length < 2 || parts.some((p) => p === '') || depth !== 0) return [pattern];
  return parts.map((p) => flags + p);
}
