// Go (RE2) regular expressions for the template functions (regexReplaceAll, count): the same linear-time engine as
// the pipeline (eval/re2: exact RE2 syntax, Go's errors, no catastrophic backtracking), with Go's ReplaceAllString /
// FindAllStringIndex iteration rules and $-expansion.
import { limits, outputLimitMessage } from './limits';
import { compileRE2, RE2SyntaxError, type RE2Matcher } from '../re2';

export interface GoRegexp {
  m: RE2Matcher;
  names: (string | undefined)[]; // index -> group name (1-based; [0] unused)
}

export class RegexError extends Error {}

const cache = new Map<string, GoRegexp>();

export function compileRegexp(src: string): GoRegexp {
  const hit = cache.get(src);
  if (hit) return hit;
  let m: RE2Matcher;
  try {
    m = compileRE2(src, { anchored: false });
  } catch (e) {
    if (e instanceof RE2SyntaxError) throw new RegexError(e.message);
    throw e;
  }
  const g: GoRegexp = { m, names: m.groupNames.map((n, i) => (i === 0 || n === '' ? undefined : n)) };
  if (cache.size > 1000) cache.clear();
  cache.set(src, g);
  return g;
}

function advance(s: string, pos: number): number {
  const c = s.charCodeAt(pos);
  if (c >= 0xd800 && c <= 0xdbff && pos + 1 < s.length) return pos + 2;
  return pos + 1;
}

/** Iterates matches following Go's allMatches rules (empty match right after a match is skipped). */
function forEachMatch(g: GoRegexp, s: string, fn: (m: RegExpExecArray) => void): void {
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length) {
    const m = g.m.execFrom(s, pos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      if (start === prevEnd) accept = false;
      pos = start < s.length ? advance(s, start) : s.length + 1;
    } else pos = end;
    prevEnd = end;
    if (accept) fn(m);
  }
}

export function countMatches(g: GoRegexp, s: string): number {
  let n = 0;
  forEachMatch(g, s, () => n++);
  return n;
}

function expand(g: GoRegexp, template: string, m: RegExpExecArray): string {
  let out = '';
  let t = template;
  for (;;) {
    const i = t.indexOf('$');
    if (i < 0) break;
    out += t.slice(0, i);
    t = t.slice(i + 1);
    if (t[0] === '$') {
      out += '$';
      t = t.slice(1);
      continue;
    }
    const brace = t[0] === '{';
    const mm = (brace ? /^\{([\p{L}\p{Nd}_]+)\}/u : /^([\p{L}\p{Nd}_]+)/u).exec(t);
    if (!mm) {
      out += '$';
      continue;
    }
    const name = mm[1]!;
    t = t.slice(mm[0].length);
    if (/^\d+$/.test(name)) {
      const num = Number(name);
      if (num < m.length && m[num] !== undefined) out += m[num];
    } else {
      const idx = g.names.indexOf(name);
      if (idx > 0 && m[idx] !== undefined) out += m[idx];
    }
  }
  return out + t;
}

/** regexp.ReplaceAllString (literal=false) / ReplaceAllLiteralString (literal=true). */
export function replaceAll(g: GoRegexp, s: string, repl: string, literal: boolean): string {
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= s.length) {
    const m = g.m.execFrom(s, searchPos);
    if (!m) break;
    const a0 = m.index;
    const a1 = a0 + m[0].length;
    out += s.slice(lastEnd, a0);
    if (a1 > lastEnd || a0 === 0) out += literal ? repl : expand(g, repl, m);
    if (out.length > limits.maxOutputBytes) throw new RangeError(outputLimitMessage());
    lastEnd = a1;
    const width = searchPos < s.length ? advance(s, searchPos) - searchPos : 1;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + s.slice(lastEnd);
}
