// RE2 (Go regexp/syntax, Perl flags) → JavaScript RegExp ('u' flag) translation.
//
// Why a translator rather than re2-wasm: every pipeline regex runs once per log line. V8's irregexp compiles to native
// code and matches UTF-16 strings in place, while re2-wasm copies and UTF-8-encodes each input into WASM memory and
// back (measured several times slower on short lines). The translation below is exact for the RE2 syntax LogQL users
// write (leftmost-first submatch semantics are the same in both engines); re2-wasm serves as the oracle in re2.test.ts.
// What cannot be expressed is refused with a named RE2UnsupportedError (never silently changed):
//   - `(?-i)` after a leading `(?i)` (JS has no scoped case-insensitivity on Node 20);
// Known differences: JS backtracking may be slow on pathological patterns (RE2 is linear time); under a *scoped*
// `(?i)` large non-ASCII class ranges are not case-expanded.

export class RE2SyntaxError extends Error {
  override name = 'RE2SyntaxError';
}
export class RE2UnsupportedError extends Error {
  override name = 'RE2UnsupportedError';
}

export interface RE2Matcher {
  /** the translated JS RegExp (no 'g'/'y' flag: test/exec are stateless) */
  readonly regexp: RegExp;
  /** capture group names by group number (index 0 = whole match, unnamed groups are '') */
  readonly groupNames: string[];
  /** the original RE2 pattern */
  readonly source: string;
  test(s: string): boolean;
  exec(s: string): RegExpExecArray | null;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

type Range = [number, number];
const MAX_CP = 0x10ffff;

const PERL: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
};

const POSIX: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

/** a code point as a JS regex atom usable inside and outside classes in 'u' mode */
function cpAtom(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f) {
    return String.fromCodePoint(cp);
  }
  if (cp < 0x80 && cp >= 0x20 && !'^$\\.*+?()[]{}|/-'.includes(String.fromCharCode(cp))) {
    return String.fromCharCode(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

function rangesToClassBody(ranges: Range[]): string {
  let s = '';
  for (const [lo, hi] of ranges) s += lo === hi ? cpAtom(lo) : `${cpAtom(lo)}-${cpAtom(hi)}`;
  return s;
}

/** simple case-fold orbit of a code point (the variants `(?i)` lets match) */
function foldVariants(cp: number): number[] {
  const out = new Set<number>([cp]);
  const ch = String.fromCodePoint(cp);
  for (const v of [
    ch.toLowerCase(),
    ch.toUpperCase(),
    ch.toUpperCase().toLowerCase(),
    ch.toLowerCase().toUpperCase(),
  ]) {
    if ([...v].length === 1) out.add(v.codePointAt(0)!);
  }
  // the non-trivial simple folds Go knows: k K U+212A (Kelvin), s S U+017F (long s), å Å U+212B (Angstrom)
  const extra: number[][] = [
    [0x6b, 0x4b, 0x212a],
    [0x73, 0x53, 0x17f],
    [0xe5, 0xc5, 0x212b],
  ];
  for (const orbit of extra) if (orbit.includes(cp)) for (const o of orbit) out.add(o);
  return [...out];
}

class Translator {
  private pos = 0;
  private out = '';
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private readonly useIFlag: boolean;
  readonly groupNames: string[] = [''];

  constructor(private readonly src: string) {
    const lead = /^\(\?([imsU]+)\)/.exec(src);
    this.useIFlag = !!lead && lead[1].includes('i');
  }

  get jsFlags(): string {
    return this.useIFlag ? 'iu' : 'u';
  }

  private err(msg: string): never {
    throw new RE2SyntaxError(`error parsing regexp: ${msg}: \`${this.src}\``);
  }

  private peekCp(at = this.pos): number {
    return this.src.codePointAt(at) ?? -1;
  }

  private nextCp(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) this.err('trailing backslash at end of expression');
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  translate(): string {
    this.parseAlternation(0);
    if (this.pos < this.src.length) this.err('unexpected )');
    return this.out;
  }

  private setFlags(f: Flags): void {
    if (this.useIFlag && !f.i)
      throw new RE2UnsupportedError(`RE2 (?-i) after a leading (?i) is not supported: ${this.src}`);
    this.flags = f;
  }

  /** parses until ')' (depth > 0) or end; emits into this.out */
  private parseAlternation(depth: number): void {
    const saved = { ...this.flags };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === ')') {
        if (depth === 0) this.err('unexpected )');
        break;
      }
      if (c === '|') {
        this.out += '|';
        this.pos++;
        continue;
      }
      this.parseQuantified();
    }
    if (depth > 0 && this.pos >= this.src.length) this.err('missing closing )');
    this.flags = saved;
  }

  /** set by a \Q…\E run: where its last literal starts (a quantifier applies to that literal only) */
  private quoteLastStart = -1;

  private parseQuantified(): void {
    const before = this.out.length;
    this.quoteLastStart = -1;
    const quantifiable = this.parseAtom();
    const start = this.quoteLastStart >= before ? this.quoteLastStart : before;
    // quantifiers
    for (;;) {
      const c = this.src[this.pos];
      let q: string | null = null;
      if (c === '*' || c === '+' || c === '?') {
        q = c;
        this.pos++;
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
        if (!m) break; // a literal '{' follows; handled by the next atom
        const min = Number(m[1]);
        const max = m[3] === undefined || m[3] === '' ? -1 : Number(m[3]);
        if (min > 1000 || max > 1000 || (max >= 0 && max < min)) this.err(`invalid repeat count: \`${m[0]}\``);
        q = m[0];
        this.pos += m[0].length;
      }
      if (q === null) break;
      if (!quantifiable || this.out.length === start) this.err(`missing argument to repetition operator: \`${q}\``);
      let lazy = false;
      if (this.src[this.pos] === '?') {
        lazy = true;
        this.pos++;
      }
      if (this.flags.U) lazy = !lazy;
      const nextC = this.src[this.pos];
      if (
        nextC === '*' ||
        nextC === '+' ||
        nextC === '?' ||
        (nextC === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos)))
      ) {
        this.err(`invalid nested repetition operator: \`${q}${nextC}\``);
      }
      // wrap the atom so the quantifier applies to all of it (atoms may expand to several JS tokens)
      const atom = this.out.slice(start);
      this.out = this.out.slice(0, start) + `(?:${atom})` + q + (lazy ? '?' : '');
      break;
    }
  }

  /** returns false for zero-width assertions that RE2 still lets be repeated (treated as quantifiable) */
  private parseAtom(): boolean {
    const c = this.src[this.pos];
    switch (c) {
      case '(':
        this.parseGroup();
        return true;
      case '[':
        this.out += this.parseClass();
        return true;
      case '.':
        this.pos++;
        this.out += this.flags.s ? '[^]' : '[^\\n]';
        return true;
      case '^':
        this.pos++;
        this.out += this.flags.m ? '(?<![^\\n])' : '^';
        return true;
      case '$':
        this.pos++;
        this.out += this.flags.m ? '(?![^\\n])' : '$';
        return true;
      case '\\':
        this.parseEscape();
        return true;
      case '*':
      case '+':
      case '?':
        this.err(`missing argument to repetition operator: \`${c}\``);
        break;
      case '{': {
        // a '{' that does not start a valid repeat is a literal in RE2
        if (/^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos))) this.err(`missing argument to repetition operator`);
        this.pos++;
        this.out += '\\{';
        return true;
      }
    }
    const cp = this.nextCp();
    this.emitLiteral(cp);
    return true;
  }

  private emitLiteral(cp: number): void {
    if (this.flags.i && !this.useIFlag) {
      const v = foldVariants(cp);
      if (v.length > 1) {
        this.out += `[${v.map(cpAtom).join('')}]`;
        return;
      }
    }
    this.out += cpAtom(cp);
  }

  private parseGroup(): void {
    const rest = this.src.slice(this.pos);
    if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
      const open = rest.startsWith('(?P<') ? 4 : 3;
      const end = rest.indexOf('>');
      if (end < 0) this.err(`invalid named capture: \`${rest}\``);
      const name = rest.slice(open, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) this.err(`invalid named capture: \`${rest.slice(0, end + 1)}\``);
      if (this.groupNames.includes(name)) this.err(`duplicate capture group name: \`${name}\``);
      this.groupNames.push(name);
      this.pos += end + 1;
      this.out += '(';
      this.parseAlternation(1);
      this.pos++;
      this.out += ')';
      return;
    }
    if (rest.startsWith('(?')) {
      // flags: (?flags) or (?flags:re)
      const m = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (!m || (m[1] === '' && (m[2] === undefined || m[2] === '') && m[3] === ')') || m[2] === '') {
        if (/^\(\?(=|!|<=|<!)/.test(rest)) this.err(`invalid or unsupported Perl syntax: \`${rest.slice(0, 3)}\``);
        this.err(`invalid or unsupported Perl syntax: \`${rest.slice(0, 3)}\``);
      }
      const f = { ...this.flags };
      for (const ch of m[1]) f[ch as keyof Flags] = true;
      for (const ch of m[2] ?? '') f[ch as keyof Flags] = false;
      this.pos += m[0].length;
      if (m[3] === ')') {
        // applies to the rest of the current group
        this.setFlags(f);
        return;
      }
      const saved = this.flags;
      this.setFlags(f);
      this.out += '(?:';
      this.parseAlternation(1);
      this.pos++;
      this.out += ')';
      this.flags = saved;
      return;
    }
    this.pos++;
    this.groupNames.push('');
    this.out += '(';
    this.parseAlternation(1);
    this.pos++;
    this.out += ')';
  }

  /** reads an escape after '\'; returns either a code point or a class (ranges or a JS \p atom) */
  private readEscape(
    inClass: boolean,
  ): { cp: number } | { ranges: Range[] } | { prop: string } | { assert: string } | { quote: string } {
    this.pos++; // the backslash
    if (this.pos >= this.src.length) this.err('trailing backslash at end of expression');
    const c = this.src[this.pos];
    const cp = this.nextCp();
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return { cp }; // any escaped punctuation is a literal in RE2
    switch (c) {
      case 'a':
        return { cp: 7 };
      case 'f':
        return { cp: 12 };
      case 't':
        return { cp: 9 };
      case 'n':
        return { cp: 10 };
      case 'r':
        return { cp: 13 };
      case 'v':
        return { cp: 11 };
      case 'd':
      case 'w':
      case 's':
        return { ranges: PERL[c] };
      case 'D':
      case 'W':
      case 'S':
        return { ranges: complement(PERL[c.toLowerCase()]) };
      case 'p':
      case 'P': {
        let name: string;
        if (this.src[this.pos] === '{') {
          const end = this.src.indexOf('}', this.pos);
          if (end < 0) this.err(`invalid character class range: \`${this.src.slice(this.pos - 2)}\``);
          name = this.src.slice(this.pos + 1, end);
          this.pos = end + 1;
        } else {
          name = String.fromCodePoint(this.nextCp());
        }
        let neg = c === 'P';
        if (name.startsWith('^')) {
          neg = !neg;
          name = name.slice(1);
        }
        let prop: string;
        if (name === 'Any') prop = 'Any';
        else if (GENERAL_CATEGORIES.has(name)) prop = name;
        else if (/^[A-Z][A-Za-z_]*$/.test(name)) prop = `Script=${name}`;
        else this.err(`invalid character class range: \`\\${c}{${name}}\``);
        try {
          new RegExp(`\\p{${prop}}`, 'u');
        } catch {
          this.err(`invalid character class range: \`\\${c}{${name}}\``);
        }
        return { prop: `\\${neg ? 'P' : 'p'}{${prop}}` };
      }
      case 'x': {
        if (this.src[this.pos] === '{') {
          const end = this.src.indexOf('}', this.pos);
          const hex = end < 0 ? '' : this.src.slice(this.pos + 1, end);
          if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > MAX_CP) this.err('invalid escape sequence: `\\x{`');
          this.pos = end + 1;
          return { cp: parseInt(hex, 16) };
        }
        const hex = this.src.slice(this.pos, this.pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.err('invalid escape sequence: `\\x`');
        this.pos += 2;
        return { cp: parseInt(hex, 16) };
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        // \0 or \1-\7 followed by a digit: octal, up to 3 digits; a lone \1-\7 is a backreference (unsupported)
        if (c !== '0' && !/[0-7]/.test(this.src[this.pos] ?? '')) this.err(`invalid escape sequence: \`\\${c}\``);
        let digits = c;
        while (digits.length < 3 && /[0-7]/.test(this.src[this.pos] ?? '')) digits += this.src[this.pos++];
        return { cp: parseInt(digits, 8) };
      }
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos);
        const lit = end < 0 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return { quote: lit };
      }
    }
    if (!inClass) {
      switch (c) {
        case 'A':
          return { assert: '^' };
        case 'z':
          return { assert: '$' };
        case 'b':
          return { assert: '\\b' };
        case 'B':
          return { assert: '\\B' };
      }
    }
    this.err(`invalid escape sequence: \`\\${c}\``);
  }

  private parseEscape(): void {
    const e = this.readEscape(false);
    if ('cp' in e) this.emitLiteral(e.cp);
    else if ('ranges' in e) this.out += `[${rangesToClassBody(e.ranges)}]`;
    else if ('prop' in e) this.out += e.prop;
    else if ('assert' in e) this.out += e.assert;
    else {
      // \Q…\E: a run of literals; a following quantifier applies to the last one only, as in RE2
      const cps = [...e.quote].map((ch) => ch.codePointAt(0)!);
      for (let k = 0; k < cps.length; k++) {
        if (k === cps.length - 1) this.quoteLastStart = this.out.length;
        this.emitLiteral(cps[k]);
      }
    }
  }

  private parseClass(): string {
    const begin = this.pos;
    this.pos++; // [
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const parts: string[] = [];
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.src.length) this.err(`missing closing ]: \`${this.src.slice(begin)}\``);
      const c = this.src[this.pos];
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && this.src[this.pos + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
        if (m) {
          const r = POSIX[m[2]];
          if (!r) this.err(`invalid character class range: \`${m[0]}\``);
          ranges.push(...(m[1] ? complement(r) : r));
          this.pos += m[0].length;
          continue;
        }
      }
      // a single element: char, escape, or range lo-hi
      const lo = this.readClassChar();
      if (lo === null) continue; // a class escape was already added
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const hi = this.readClassChar();
        if (hi === null || hi < lo) this.err(`invalid character class range`);
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    // pending escapes (\d, \pL …) were pushed by readClassChar into these buffers
    ranges.push(...this.classRanges.splice(0));
    parts.push(...this.classParts.splice(0));
    let finalRanges = ranges;
    if (this.flags.i && !this.useIFlag) finalRanges = foldRanges(ranges);
    const body = rangesToClassBody(finalRanges) + parts.join('');
    if (body === '') return negated ? '[^]' : '[]';
    return `[${negated ? '^' : ''}${body}]`;
  }

  private classRanges: Range[] = [];
  private classParts: string[] = [];

  /** one class element; returns its code point, or null when it was a class escape (added to the buffers) */
  private readClassChar(): number | null {
    const c = this.src[this.pos];
    if (c === '\\') {
      const e = this.readEscape(true);
      if ('cp' in e) return e.cp;
      if ('ranges' in e) this.classRanges.push(...e.ranges);
      else if ('prop' in e) this.classParts.push(e.prop);
      else if ('quote' in e) for (const ch of e.quote) this.classRanges.push([ch.codePointAt(0)!, ch.codePointAt(0)!]);
      return null;
    }
    return this.nextCp();
  }
}

function foldRanges(ranges: Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [lo, hi] of ranges) {
    if (hi - lo > 5000) continue; // documented gap: huge ranges are not case-expanded under a scoped (?i)
    for (let cp = lo; cp <= hi; cp++) for (const v of foldVariants(cp)) if (v < lo || v > hi) out.push([v, v]);
  }
  return out;
}

export interface RE2Translation {
  source: string;
  flags: string;
  groupNames: string[];
}

export function translateRE2(pattern: string, opts: { anchored: boolean }): RE2Translation {
  const t = new Translator(pattern);
  let source = t.translate();
  if (opts.anchored) source = `^(?:${source})$`;
  return { source, flags: t.jsFlags, groupNames: t.groupNames };
}

const cache = new Map<string, RE2Matcher>();

/** Compiles an RE2 pattern; anchored = the whole input must match (label matchers), else a match anywhere counts. */
export function compileRE2(pattern: string, opts: { anchored: boolean }): RE2Matcher {
  const key = (opts.anchored ? 'A' : 'U') + pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  const tr = translateRE2(pattern, opts);
  let regexp: RegExp;
  try {
    regexp = new RegExp(tr.source, tr.flags);
  } catch (e) {
    throw new RE2SyntaxError(`error parsing regexp: ${(e as Error).message}: \`${pattern}\``);
  }
  const m: RE2Matcher = {
    regexp,
    groupNames: tr.groupNames,
    source: pattern,
    test: (s) => regexp.test(s),
    exec: (s) => regexp.exec(s),
  };
  if (cache.size > 1000) cache.clear();
  cache.set(key, m);
  return m;
}
