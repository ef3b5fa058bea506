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

/** One alternative of a regex that is a plain literal: its text, and whether `(?i)` made it case-insensitive. */
export interface LiteralAlternative {
  text: string;
  caseInsensitive: boolean;
}

/**
 * The alternatives of a regex that is only literals joined by `|` (each optionally under a leading `(?i)`), so an
 * engine without RE2 can still run it as substring tests; undefined for anything else. Escaped punctuation (`\.`)
 * is a literal. A case-insensitive literal must be ASCII without `k` or `s`: Go folds those to the Kelvin sign and
 * the long s, which engines' own case folding does not reliably do.
 */
export function literalAlternatives(pattern: string): LiteralAlternative[] | undefined {
  const out: LiteralAlternative[] = [];
  for (const part of splitAlternation(pattern)) {
    const flags = /^\(\?([a-zA-Z]+)\)/.exec(part);
    if (flags && flags[1] !== 'i') return undefined;
    const body = flags ? part.slice(flags[0].length) : part;
    let text = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '\\') {
        const n = body[i + 1];
        // an escaped ASCII punctuation character stands for itself; any other escape is a class or a code
        if (n === undefined || !/[!-/:-@[-`{-~]/.test(n)) return undefined;
        text += n;
        i++;
      } else if ('.+*?()|[]{}^$'.includes(c)) return undefined;
      else text += c;
    }
    if (text === '') return undefined; // an empty alternative matches every line
    const caseInsensitive = !!flags;
    if (caseInsensitive && !/^[\x20-\x7e]*$/.test(text)) return undefined;
    if (caseInsensitive && /[ksKS]/.test(text)) return undefined;
    out.push({ text, caseInsensitive });
  }
  return out;
}
