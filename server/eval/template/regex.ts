// Go (RE2) regular expressions on top of JS RegExp: syntax translation for the common
// differences, Go's ReplaceAllString / FindAllStringIndex iteration rules and $-expansion.

import { limits, outputLimitMessage } from './limits';

export interface GoRegexp {
  re: RegExp; // global ('g') flag set
  names: (string | undefined)[]; // index -> group name (1-based; [0] unused)
}

const cache = new Map<string, GoRegexp>();

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

export class RegexError extends Error {}

function translate(src: string): { pattern: string; flags: string; names: (string | undefined)[] } {
  let flags = '';
  let i = 0;
  let out = '';
  const names: (string | undefined)[] = [undefined];
  let needU = false;
  // leading global flags (?i) (?s) (?m) (?is) …
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(src.slice(i));
    if (!m) break;
    for (const f of m[1]!) {
      if (f === 'U') throw new RegexError(`error parsing regexp: ungreedy flag (?U) is not supported: \`${src}\``);
      if (!flags.includes(f)) flags += f;
    }
    i += m[0].length;
  }
  let inClass = false;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) throw new RegexError('error parsing regexp: trailing backslash at end of expression: ``');
      if (e === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      if (e === 'A' && !inClass) {
        out += '(?<![\\s\\S])';
        i += 2;
        continue;
      }
      if (e === 'z' && !inClass) {
        out += '(?![\\s\\S])';
        i += 2;
        continue;
      }
      if (e === 'p' || e === 'P') {
        needU = true;
        if (src[i + 2] === '{') {
          const close = src.indexOf('}', i + 2);
          out += '\\' + e + src.slice(i + 2, close + 1);
          i = close + 1;
        } else {
          out += '\\' + e + '{' + src[i + 2] + '}';
          i += 3;
        }
        continue;
      }
      if (e === 's') {
        out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
        i += 2;
        continue;
      }
      if (e === 'S') {
        out += inClass ? '\\S' : '[^\\t\\n\\f\\r ]';
        i += 2;
        continue;
      }
      out += c + e;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
        if (m && POSIX[m[2]!] !== undefined) {
          if (m[1]) throw new RegexError(`error parsing regexp: negated POSIX class not supported: \`${src}\``);
          out += POSIX[m[2]!];
          i += m[0].length;
          continue;
        }
      }
      if (c === '[') {
        out += '\\[';
        i++;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (src[i] === '^') {
        out += '^';
        i++;
      }
      if (src[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(') {
      if (src.startsWith('(?P<', i)) {
        const close = src.indexOf('>', i);
        const name = src.slice(i + 4, close);
        names.push(name);
        out += '(?<' + name + '>';
        i = close + 1;
        continue;
      }
      if (src.startsWith('(?<', i) && src[i + 3] !== '=' && src[i + 3] !== '!') {
        const close = src.indexOf('>', i);
        names.push(src.slice(i + 3, close));
        out += src.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (src[i + 1] === '?') {
        const m = /^\(\?([imsU-]*)(:|\))/.exec(src.slice(i));
        if (m && m[1] !== '')
          throw new RegexError(`error parsing regexp: inline flags are only supported at the start: \`${src}\``);
        if (src.startsWith('(?:', i)) {
          out += '(?:';
          i += 3;
          continue;
        }
        throw new RegexError(`error parsing regexp: invalid or unsupported Perl syntax: \`${src.slice(i, i + 3)}\``);
      }
      names.push(undefined);
      out += c;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  if (needU) flags += 'u';
  return { pattern: out, flags, names };
}

export function compileRegexp(src: string): GoRegexp {
  const hit = cache.get(src);
  if (hit) return hit;
  const t = translate(src);
  let re: RegExp;
  try {
    re = new RegExp(t.pattern, t.flags + 'g');
  } catch (e) {
    throw new RegexError(`error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  const g: GoRegexp = { re, names: t.names };
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
  const re = g.re;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
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
  const re = g.re;
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= s.length) {
    re.lastIndex = searchPos;
    const m = re.exec(s);
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
