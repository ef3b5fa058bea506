// RE2 regular expressions (Go regexp/syntax, Perl flags) evaluated in TypeScript, in linear time.
//
// LogQL regexes are RE2: matching is linear in the input, always. A backtracking engine (JavaScript's RegExp) is not:
// `(a+)+$` takes exponential time, and even `\d+x` takes quadratic time on a long line of digits. Yet V8's irregexp is
// 10-200x faster than anything else here on ordinary patterns and ordinary lines (re2-wasm copies and UTF-8-encodes
// each input: ~15 µs a call against ~0.07 µs). So each pattern gets two engines:
//   - the JavaScript RegExp translation, used while the input is short enough that the pattern's worst-case
//     backtracking stays under a fixed budget of steps (`jsMaxLength`, computed from the pattern's structure: nested
//     or adjacent overlapping quantifiers raise the degree of the bound, a quantifier followed by something it cannot
//     match does not);
//   - a Pike VM (Thompson NFA simulation with submatches, leftmost-first like Go's regexp) for longer inputs and for
//     patterns whose backtracking could explode: O(input × program) time.
// Both give Go's answers (re2-wasm serves as the oracle in re2.test.ts). Go's parse-time limits apply: repeat counts
// ≤ 1000, nested repeats ≤ 1000 copies, nesting depth ≤ 1000, compiled size ≤ Go's maxSize; errors read like Go's
// ("error parsing regexp: invalid repeat count: `{1001}`").
// Known differences: under a *scoped* `(?i)` large non-ASCII class ranges are not case-expanded; case folding uses
// JavaScript's simple case mapping plus the three non-trivial orbits Go knows (k/K/U+212A, s/S/U+017F, å/Å/U+212B).

export class RE2SyntaxError extends Error {
  override name = 'RE2SyntaxError';
}
/** kept for callers that still name it; nothing throws it any more (every RE2 construct is supported) */
export class RE2UnsupportedError extends Error {
  override name = 'RE2UnsupportedError';
}

/** What the pipeline calls per line: test and exec, RegExp-compatible (no 'g' state). */
export interface RE2RegExp {
  test(s: string): boolean;
  exec(s: string): RegExpExecArray | null;
}

export interface RE2Matcher {
  /** test/exec through the hybrid engine (kept under this name for the pipeline's `compileRE2(...).regexp`) */
  readonly regexp: RE2RegExp;
  /** capture group names by group number (index 0 = whole match, unnamed groups are '') */
  readonly groupNames: string[];
  /** the original RE2 pattern */
  readonly source: string;
  /** inputs up to this many UTF-16 units run on the JavaScript RegExp, longer ones on the linear-time VM */
  readonly jsMaxLength: number;
  test(s: string): boolean;
  exec(s: string): RegExpExecArray | null;
  /** the leftmost match starting at or after `from` (the text before `from` still counts for `\b` and `^`) */
  execFrom(s: string, from: number): RegExpExecArray | null;
}

// ---------------------------------------------------------------- character data

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

let orbits: Map<number, number[]> | undefined;

/** Case-fold orbits: code points grouped by their simple lower-case form (built once, ~25 ms, on first use). */
function foldOrbits(): Map<number, number[]> {
  if (orbits) return orbits;
  const byKey = new Map<number, Set<number>>();
  const join = (a: number, b: number) => {
    const sa = byKey.get(a);
    const sb = byKey.get(b);
    if (sa && sb) {
      if (sa === sb) return;
      for (const x of sb) {
        sa.add(x);
        byKey.set(x, sa);
      }
    } else if (sa) {
      sa.add(b);
      byKey.set(b, sa);
    } else if (sb) {
      sb.add(a);
      byKey.set(a, sb);
    } else {
      const set = new Set([a, b]);
      byKey.set(a, set);
      byKey.set(b, set);
    }
  };
  for (let cp = 0; cp < 0x20000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
      if (v !== ch && v.length <= 2 && [...v].length === 1) join(cp, v.codePointAt(0)!);
    }
  }
  // the non-trivial simple folds Go knows that JavaScript's case mapping misses
  join(0xdf, 0x1e9e); // ß ẞ
  orbits = new Map();
  for (const [cp, set] of byKey) orbits.set(cp, [...set]);
  return orbits;
}

/** simple case-fold orbit of a code point (the variants `(?i)` lets match), itself included */
function foldVariants(cp: number): number[] {
  return foldOrbits().get(cp) ?? [cp];
}

function foldRanges(ranges: Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [lo, hi] of ranges) {
    if (hi - lo > 5000) continue; // documented gap: huge ranges are not case-expanded under a scoped (?i)
    for (let cp = lo; cp <= hi; cp++) for (const v of foldVariants(cp)) if (v < lo || v > hi) out.push([v, v]);
  }
  return out;
}

function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function inRanges(ranges: Range[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

function isWordCp(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
}

// ---------------------------------------------------------------- syntax tree

/** One code point out of a set: a literal, a class, `.`, or an escape such as `\d` or `\pL`. */
interface CharSet {
  kind: 'lit' | 'class' | 'dot' | 'escape';
  /** the literal (kind 'lit') */
  cp: number;
  /** positive ranges, before negation and before case folding */
  ranges: Range[];
  /** JS property atoms (`\p{L}`, `\P{Greek}` …) also in the set */
  props: string[];
  neg: boolean;
  /** case-insensitive (under `(?i)`) */
  fold: boolean;
}

type Assert = 'bot' | 'eot' | 'bol' | 'eol' | 'wb' | 'nwb';

type Node =
  | { t: 'empty' }
  | { t: 'char'; set: CharSet }
  | { t: 'assert'; a: Assert }
  | { t: 'cat'; subs: Node[] }
  | { t: 'alt'; subs: Node[] }
  | { t: 'cap'; index: number; sub: Node }
  | { t: 'rep'; min: number; max: number; greedy: boolean; sub: Node; text: string; op: string };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

// Go's limits (regexp/syntax/parse.go)
const MAX_REPEAT = 1000;
const MAX_HEIGHT = 1000;
const MAX_SIZE = Math.floor((128 << 20) / 40); // 128 MB of 40-byte Insts

class Parser {
  private pos = 0;
  private flags: Flags = { i: false, m: false, s: false, U: false };
  readonly groupNames: string[] = [''];

  constructor(private readonly src: string) {}

  /** Go's regexp/syntax error: `error parsing regexp: <code>: `<expr>`` (expr: the offending text, else the whole
   *  pattern) */
  err(code: string, expr: string = this.src): never {
    throw new RE2SyntaxError(`error parsing regexp: ${code}: \`${expr}\``);
  }

  private nextCp(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) this.err('trailing backslash at end of expression', '');
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  parse(): Node {
    const n = this.parseAlternation(0);
    if (this.pos < this.src.length) this.err('unexpected )');
    return n;
  }

  /** parses until ')' (depth > 0) or end */
  private parseAlternation(depth: number): Node {
    const saved = { ...this.flags };
    const branches: Node[] = [this.parseConcat(depth)];
    while (this.pos < this.src.length && this.src[this.pos] === '|') {
      this.pos++;
      branches.push(this.parseConcat(depth));
    }
    if (depth > 0 && this.pos >= this.src.length) this.err('missing closing )');
    this.flags = saved;
    return branches.length === 1 ? branches[0]! : { t: 'alt', subs: branches };
  }

  private parseConcat(depth: number): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '|') break;
      if (c === ')') {
        if (depth === 0) this.err('unexpected )');
        break;
      }
      this.parseQuantified(items);
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0]! : { t: 'cat', subs: items };
  }

  /** one atom (possibly several for \Q…\E) and its quantifier, appended to items */
  private parseQuantified(items: Node[]): void {
    const before = items.length;
    this.parseAtom(items);
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    let text: string;
    if (c === '*' || c === '+' || c === '?') {
      text = c;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : -1;
      this.pos++;
    } else if (c === '{') {
      const r = parseRepeat(this.src, this.pos);
      if (r === null) return; // a literal '{' follows; handled by the next atom
      ({ min, max, text } = r);
      if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
        this.err('invalid repeat count', text);
      }
      this.pos += text.length;
    } else return;
    if (items.length === before) this.err('missing argument to repetition operator', text);
    const op = text; // the operator without a laziness mark
    let greedy = true;
    if (this.src[this.pos] === '?') {
      greedy = false;
      text += '?';
      this.pos++;
    }
    if (this.flags.U) greedy = !greedy;
    const nextC = this.src[this.pos];
    if (nextC === '*' || nextC === '+' || nextC === '?' || (nextC === '{' && parseRepeat(this.src, this.pos))) {
      let nextText = nextC === '{' ? parseRepeat(this.src, this.pos)!.text : nextC;
      if (this.src[this.pos + nextText.length] === '?') nextText += '?';
      this.err('invalid nested repetition operator', text + nextText);
    }
    const sub = items.pop()!;
    const rep: Node = { t: 'rep', min, max, greedy, sub, text, op };
    // Go: x{n,m} with n or m ≥ 2 may not hold more than 1000 copies of its innermost part
    if (text[0] === '{' && (min >= 2 || max >= 2) && !repeatIsValid(rep, MAX_REPEAT)) {
      this.err('invalid repeat count', text);
    }
    items.push(rep);
  }

  private charNode(set: Partial<CharSet> & { kind: CharSet['kind'] }): Node {
    return {
      t: 'char',
      set: { cp: -1, ranges: [], props: [], neg: false, fold: false, ...set },
    };
  }

  private literal(cp: number): Node {
    return this.charNode({ kind: 'lit', cp, ranges: [[cp, cp]], fold: this.flags.i });
  }

  private parseAtom(items: Node[]): void {
    const c = this.src[this.pos];
    switch (c) {
      case '(': {
        const g = this.parseGroup();
        if (g !== null) items.push(g); // a flags-only group (?i) is no atom
        return;
      }
      case '[':
        items.push(this.parseClass());
        return;
      case '.':
        this.pos++;
        items.push(this.charNode({ kind: 'dot', ranges: this.flags.s ? [] : [[10, 10]], neg: true }));
        return;
      case '^':
        this.pos++;
        items.push({ t: 'assert', a: this.flags.m ? 'bol' : 'bot' });
        return;
      case '$':
        this.pos++;
        items.push({ t: 'assert', a: this.flags.m ? 'eol' : 'eot' });
        return;
      case '\\':
        this.parseEscape(items);
        return;
      case '*':
      case '+':
      case '?':
        this.err('missing argument to repetition operator', c);
        break;
      case '{': {
        // a '{' that does not start a valid repeat is a literal in RE2
        const r = parseRepeat(this.src, this.pos);
        if (r) this.err('missing argument to repetition operator', r.text);
        this.pos++;
        items.push(this.literal(0x7b));
        return;
      }
    }
    items.push(this.literal(this.nextCp()));
  }

  private parseGroup(): Node | null {
    const rest = this.src.slice(this.pos, this.pos + 4);
    if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
      const open = rest.startsWith('(?P<') ? 4 : 3;
      const end = this.src.indexOf('>', this.pos);
      if (end < 0) this.err('invalid named capture', this.src.slice(this.pos));
      const name = this.src.slice(this.pos + open, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) this.err('invalid named capture', this.src.slice(this.pos, end + 1));
      // Go accepts a name twice (each group keeps its own number)
      const index = this.groupNames.length;
      this.groupNames.push(name);
      this.pos = end + 1;
      const sub = this.parseAlternation(1);
      this.pos++;
      return { t: 'cap', index, sub };
    }
    if (rest.startsWith('(?')) {
      // Go's parsePerlFlags: (?flags) or (?flags:re), flags from imsU, one '-' that must be followed by a flag
      const f = { ...this.flags };
      let i = this.pos + 2;
      let sign = 1;
      let sawFlag = false;
      for (;;) {
        const c = this.src[i];
        if (c === undefined) this.err('invalid or unsupported Perl syntax', this.src.slice(this.pos));
        i++;
        if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
          f[c] = sign > 0;
          sawFlag = true;
          continue;
        }
        if (c === '-' && sign > 0) {
          sign = -1;
          sawFlag = false;
          continue;
        }
        if ((c === ':' || c === ')') && (sign > 0 || sawFlag)) {
          this.pos = i;
          if (c === ')') {
            // applies to the rest of the current group
            this.flags = f;
            return null;
          }
          const saved = this.flags;
          this.flags = f;
          const sub = this.parseAlternation(1);
          this.pos++;
          this.flags = saved;
          return sub;
        }
        this.err('invalid or unsupported Perl syntax', this.src.slice(this.pos, i));
      }
    }
    this.pos++;
    const index = this.groupNames.length;
    this.groupNames.push('');
    const sub = this.parseAlternation(1);
    this.pos++;
    return { t: 'cap', index, sub };
  }

  /** reads an escape after '\'; returns either a code point or a class (ranges or a JS \p atom) */
  private readEscape(
    inClass: boolean,
  ): { cp: number } | { ranges: Range[]; neg?: boolean } | { prop: string } | { assert: Assert } | { quote: string } {
    const start = this.pos;
    this.pos++; // the backslash
    if (this.pos >= this.src.length) this.err('trailing backslash at end of expression', '');
    const c = this.src[this.pos]!;
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
        return { ranges: PERL[c]! };
      case 'D':
      case 'W':
      case 'S':
        return inClass ? { ranges: complement(PERL[c.toLowerCase()]!) } : { ranges: PERL[c.toLowerCase()]!, neg: true };
      case 'p':
      case 'P': {
        let name: string;
        if (this.src[this.pos] === '{') {
          const end = this.src.indexOf('}', this.pos);
          if (end < 0) this.err('invalid character class range', this.src.slice(start));
          name = this.src.slice(this.pos + 1, end);
          this.pos = end + 1;
        } else {
          name = String.fromCodePoint(this.nextCp());
        }
        const text = this.src.slice(start, this.pos);
        let neg = c === 'P';
        if (name.startsWith('^')) {
          neg = !neg;
          name = name.slice(1);
        }
        let prop: string;
        if (name === 'Any') prop = 'Any';
        else if (GENERAL_CATEGORIES.has(name)) prop = name;
        else if (/^[A-Z][A-Za-z_]*$/.test(name)) prop = `Script=${name}`;
        else this.err('invalid character class range', text);
        try {
          new RegExp(`\\p{${prop}}`, 'u');
        } catch {
          this.err('invalid character class range', text);
        }
        return { prop: `\\${neg ? 'P' : 'p'}{${prop}}` };
      }
      case 'x': {
        if (this.src[this.pos] === '{') {
          let i = this.pos + 1;
          while (i < this.src.length && /[0-9A-Fa-f]/.test(this.src[i]!)) i++;
          const hex = this.src.slice(this.pos + 1, i);
          if (hex === '' || this.src[i] !== '}' || parseInt(hex, 16) > MAX_CP) {
            this.err('invalid escape sequence', this.src.slice(start, hex === '' && this.src[i] === '}' ? i + 1 : i));
          }
          this.pos = i + 1;
          return { cp: parseInt(hex, 16) };
        }
        const hex = this.src.slice(this.pos, this.pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
          const bad = /^[0-9A-Fa-f]/.test(hex) ? 2 : 1;
          this.err('invalid escape sequence', this.src.slice(start, Math.min(this.src.length, this.pos + bad)));
        }
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
        if (c !== '0' && !/[0-7]/.test(this.src[this.pos] ?? '')) this.err('invalid escape sequence', `\\${c}`);
        let digits = c;
        while (digits.length < 3 && /[0-7]/.test(this.src[this.pos] ?? '')) digits += this.src[this.pos++];
        return { cp: parseInt(digits, 8) };
      }
      case 'Q': {
        if (inClass) break;
        const end = this.src.indexOf('\\E', this.pos);
        const lit = end < 0 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return { quote: lit };
      }
    }
    if (!inClass) {
      switch (c) {
        case 'A':
          return { assert: 'bot' };
        case 'z':
          return { assert: 'eot' };
        case 'b':
          return { assert: 'wb' };
        case 'B':
          return { assert: 'nwb' };
      }
    }
    this.err('invalid escape sequence', `\\${c}`);
  }

  private parseEscape(items: Node[]): void {
    const e = this.readEscape(false);
    if ('cp' in e) items.push(this.literal(e.cp));
    else if ('ranges' in e)
      items.push(this.charNode({ kind: 'escape', ranges: e.ranges, neg: e.neg === true, fold: this.flags.i }));
    else if ('prop' in e) {
      // \P{X} is the complement of \p{X}: kept positive with neg so that folding applies before negation, as in Go
      const neg = e.prop[1] === 'P';
      items.push(this.charNode({ kind: 'escape', props: ['\\p' + e.prop.slice(2)], neg, fold: this.flags.i }));
    } else if ('assert' in e) items.push({ t: 'assert', a: e.assert });
    // \Q…\E: a run of literals; a following quantifier applies to the last one only, as in RE2
    else for (const ch of e.quote) items.push(this.literal(ch.codePointAt(0)!));
  }

  private parseClass(): Node {
    const begin = this.pos;
    this.pos++; // [
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    const props: string[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.src.length) this.err('missing closing ]', this.src.slice(begin));
      const c = this.src[this.pos];
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && this.src[this.pos + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos, this.pos + 16));
        if (m) {
          const r = POSIX[m[2]!];
          if (!r) this.err('invalid character class range', m[0]);
          ranges.push(...(m[1] ? complement(r) : r));
          this.pos += m[0].length;
          continue;
        }
      }
      // a single element: char, escape, or range lo-hi
      const loStart = this.pos;
      const lo = this.readClassChar(ranges, props);
      if (lo === null) continue; // a class escape was already added
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const hiStart = this.pos;
        const hi = this.readClassChar(ranges, props);
        if (hi === null) this.err('invalid escape sequence', this.src.slice(hiStart, hiStart + 2));
        if (hi < lo) this.err('invalid character class range', this.src.slice(loStart, this.pos));
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    return this.charNode({ kind: 'class', ranges, props, neg: negated, fold: this.flags.i });
  }

  /** one class element; returns its code point, or null when it was a class escape (added to ranges/props) */
  private readClassChar(ranges: Range[], props: string[]): number | null {
    const c = this.src[this.pos];
    if (c === '\\') {
      const e = this.readEscape(true);
      if ('cp' in e) return e.cp;
      if ('ranges' in e) ranges.push(...e.ranges);
      else if ('prop' in e) props.push(e.prop);
      else if ('quote' in e) for (const ch of e.quote) ranges.push([ch.codePointAt(0)!, ch.codePointAt(0)!]);
      return null;
    }
    return this.nextCp();
  }
}

/** Go's parseInt for repeat counts: no leading zeros; 8+ digits give -1 (too big). */
function repeatInt(src: string, at: number): [number, number] | null {
  const c = src.charCodeAt(at);
  if (!(c >= 48 && c <= 57)) return null;
  const d = src.charCodeAt(at + 1);
  if (c === 48 && d >= 48 && d <= 57) return null;
  let end = at;
  while (end < src.length && src.charCodeAt(end) >= 48 && src.charCodeAt(end) <= 57) end++;
  let n = 0;
  for (let i = at; i < end; i++) {
    if (n >= 1e8) {
      n = -1;
      break;
    }
    n = n * 10 + (src.charCodeAt(i) - 48);
  }
  return [n, end];
}

/** Go's parseRepeat at src[at] === '{': {min,max} (max -1 = unbounded), or null when '{' is a literal. */
function parseRepeat(src: string, at: number): { min: number; max: number; text: string } | null {
  if (src[at] !== '{') return null;
  const a = repeatInt(src, at + 1);
  if (a === null) return null;
  let [min, i] = a;
  let max: number;
  if (i >= src.length) return null;
  if (src[i] !== ',') max = min;
  else {
    i++;
    if (i >= src.length) return null;
    if (src[i] === '}') max = -1;
    else {
      const b = repeatInt(src, i);
      if (b === null) return null;
      [max, i] = b;
      if (max < 0) min = -1;
    }
  }
  if (src[i] !== '}') return null;
  return { min, max, text: src.slice(at, i + 1) };
}

/** Go's repeatIsValid: the repeat and the repeats inside it make at most n copies of the innermost part. */
function repeatIsValid(re: Node, n: number): boolean {
  if (re.t === 'rep' && re.text[0] === '{') {
    let m = re.max;
    if (m === 0) return true;
    if (m < 0) m = re.min;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
  }
  switch (re.t) {
    case 'cat':
    case 'alt':
      return re.subs.every((s) => repeatIsValid(s, n));
    case 'cap':
    case 'rep':
      return repeatIsValid(re.sub, n);
    default:
      return true;
  }
}

/** Go's calcSize: the compiled program's size in instructions (an upper bound). */
function calcSize(re: Node): number {
  let size: number;
  switch (re.t) {
    case 'char':
      size = 1;
      break;
    case 'cap':
      size = 2 + calcSize(re.sub);
      break;
    case 'cat':
      size = 0;
      for (const s of re.subs) size += calcSize(s);
      break;
    case 'alt':
      size = re.subs.length - 1;
      for (const s of re.subs) size += calcSize(s);
      break;
    case 'rep': {
      const sub = calcSize(re.sub);
      if (re.text[0] !== '{') size = (re.max === -1 && re.min === 0 ? 2 : 1) + sub;
      else if (re.max === -1) size = re.min === 0 ? 2 + sub : 1 + re.min * sub;
      else size = re.max * sub + (re.max - re.min);
      break;
    }
    default:
      size = 1;
  }
  return Math.max(1, size);
}

function height(re: Node): number {
  switch (re.t) {
    case 'cat':
    case 'alt': {
      let h = 0;
      for (const s of re.subs) h = Math.max(h, height(s));
      return 1 + h;
    }
    case 'cap':
    case 'rep':
      return 1 + height(re.sub);
    default:
      return 1;
  }
}

interface Parsed {
  root: Node;
  groupNames: string[];
  /** every node is case-insensitive (a leading (?i) never turned off): JS's 'i' flag can do the folding */
  allFold: boolean;
  size: number;
}

function parseRE2(pattern: string): Parsed {
  const p = new Parser(pattern);
  let root: Node;
  try {
    root = p.parse();
  } catch (e) {
    if (e instanceof RangeError) p.err('expression nests too deeply'); // the parser's own recursion ran out
    throw e;
  }
  if (height(root) > MAX_HEIGHT) p.err('expression nests too deeply');
  const size = calcSize(root);
  if (size > MAX_SIZE) p.err('expression too large');
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  const allFold = !!lead && lead[1]!.includes('i') && everyFold(root);
  return { root, groupNames: p.groupNames, allFold, size };
}

function everyFold(n: Node): boolean {
  switch (n.t) {
    case 'char':
      return n.set.fold || n.set.kind === 'dot';
    case 'cat':
    case 'alt':
      return n.subs.every(everyFold);
    case 'cap':
    case 'rep':
      return everyFold(n.sub);
    default:
      return true;
  }
}

/** Validates an RE2 pattern (Go's syntax and limits); returns Go's error message, or undefined when it is valid. */
export function re2Error(pattern: string): string | undefined {
  try {
    parseRE2(pattern);
    return undefined;
  } catch (e) {
    if (e instanceof RE2SyntaxError) return e.message;
    throw e;
  }
}

// ---------------------------------------------------------------- JavaScript translation

class JsEmitter {
  constructor(
    private readonly iFlag: boolean,
    private readonly foldLits: boolean,
  ) {}

  emit(n: Node): string {
    switch (n.t) {
      case 'empty':
        return '';
      case 'char':
        return this.char(n.set);
      case 'assert':
        switch (n.a) {
          case 'bot':
            return '^';
          case 'eot':
            return '$';
          case 'bol':
            return '(?<![^\\n])';
          case 'eol':
            return '(?![^\\n])';
          case 'wb':
            return '\\b';
          case 'nwb':
            return '\\B';
        }
        break;
      case 'cat':
        return n.subs.map((s) => (s.t === 'alt' ? `(?:${this.emit(s)})` : this.emit(s))).join('');
      case 'alt':
        return n.subs.map((s) => this.emit(s)).join('|');
      case 'cap':
        return `(${this.emit(n.sub)})`;
      case 'rep':
        return `(?:${this.emit(n.sub)})${n.op}${n.greedy ? '' : '?'}`;
    }
  }

  private char(s: CharSet): string {
    switch (s.kind) {
      case 'lit':
        if (s.fold && this.foldLits) {
          const v = foldVariants(s.cp);
          if (v.length > 1) return `[${v.map(cpAtom).join('')}]`;
        }
        return cpAtom(s.cp);
      case 'dot':
        return s.ranges.length === 0 ? '[^]' : '[^\\n]';
      case 'escape': {
        if (s.props.length > 0) return s.neg ? s.props[0]!.replace('\\p', '\\P') : s.props[0]!;
        const ranges = s.fold && !this.iFlag ? foldRanges(s.ranges) : s.ranges;
        return `[${s.neg ? '^' : ''}${rangesToClassBody(ranges)}]`;
      }
      case 'class': {
        const ranges = s.fold && !this.iFlag ? foldRanges(s.ranges) : s.ranges;
        const body = rangesToClassBody(ranges) + s.props.join('');
        if (body === '') return s.neg ? '[^]' : '[]';
        return `[${s.neg ? '^' : ''}${body}]`;
      }
    }
  }
}

export interface RE2Translation {
  source: string;
  flags: string;
  groupNames: string[];
}

function toJs(p: Parsed, anchored: boolean): RE2Translation {
  const e = new JsEmitter(p.allFold, !p.allFold);
  let source = e.emit(p.root);
  if (anchored) source = `^(?:${source})$`;
  return { source, flags: p.allFold ? 'iu' : 'u', groupNames: p.groupNames };
}

/** The JavaScript RegExp source for an RE2 pattern (exact, but backtracking: for patterns known to be benign). */
export function translateRE2(pattern: string, opts: { anchored: boolean }): RE2Translation {
  return toJs(parseRE2(pattern), opts.anchored);
}

// ---------------------------------------------------------------- how far backtracking can go

/** First code points a node can consume: ranges, or null when unknown/anything. */
interface First {
  ranges: Range[] | null;
  nullable: boolean;
}

function charSetRanges(s: CharSet): Range[] | null {
  if (s.props.length > 0) return null;
  let r = s.kind === 'lit' && s.fold ? foldVariants(s.cp).map((c): Range => [c, c]) : s.ranges;
  if ((s.kind === 'class' || s.kind === 'escape') && s.fold) r = foldRanges(r);
  r = normalize(r);
  return s.neg ? complement(r) : r;
}

const firstMemo = new WeakMap<Node, First>();

function first(n: Node): First {
  let f = firstMemo.get(n);
  if (f === undefined) {
    f = computeFirst(n);
    firstMemo.set(n, f);
  }
  return f;
}

function computeFirst(n: Node): First {
  switch (n.t) {
    case 'empty':
    case 'assert':
      return { ranges: [], nullable: true };
    case 'char':
      return { ranges: charSetRanges(n.set), nullable: false };
    case 'cap':
      return first(n.sub);
    case 'rep': {
      const f = first(n.sub);
      return { ranges: f.ranges, nullable: f.nullable || n.min === 0 };
    }
    case 'alt': {
      let ranges: Range[] | null = [];
      let nullable = false;
      for (const s of n.subs) {
        const f = first(s);
        nullable ||= f.nullable;
        ranges = ranges === null || f.ranges === null ? null : [...ranges, ...f.ranges];
      }
      return { ranges, nullable };
    }
    case 'cat': {
      let ranges: Range[] | null = [];
      for (const s of n.subs) {
        const f = first(s);
        ranges = ranges === null || f.ranges === null ? null : [...ranges, ...f.ranges];
        if (!f.nullable) return { ranges, nullable: false };
      }
      return { ranges, nullable: true };
    }
  }
}

function disjoint(a: Range[] | null, b: Range[] | null): boolean {
  if (a === null || b === null) return false;
  const x = normalize(a);
  const y = normalize(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i]![1] < y[j]![0]) i++;
    else if (y[j]![1] < x[i]![0]) j++;
    else return false;
  }
  return true;
}

const exclusiveMemo = new WeakMap<Node, boolean>();

/** whether at most one branch of an alternation can match at a given position (their first characters differ) */
function exclusiveAlt(node: Extract<Node, { t: 'alt' }>): boolean {
  let x = exclusiveMemo.get(node);
  if (x === undefined) {
    x = true;
    const tagged: [number, number, number][] = [];
    node.subs.forEach((sub, b) => {
      const f = first(sub);
      if (f.nullable || f.ranges === null) x = false;
      else for (const [lo, hi] of normalize(f.ranges)) tagged.push([lo, hi, b]);
    });
    if (x) {
      tagged.sort((a, b) => a[0] - b[0]);
      let maxHi = -1;
      for (const [lo, hi] of tagged) {
        // ranges of one branch are normalized (disjoint), so any overlap is between two branches
        if (lo <= maxHi) {
          x = false;
          break;
        }
        maxHi = Math.max(maxHi, hi);
      }
    }
    exclusiveMemo.set(node, x);
  }
  return x;
}

const cap = (x: number): number => (x > 1e30 || Number.isNaN(x) ? Infinity : x);

/**
 * Worst-case backtracking of a node entered once at one position, on inputs of length n:
 * s = how many distinct ways it can succeed (each retries everything after it), c = steps to enumerate them all.
 */
function cost(node: Node, n: number): { s: number; c: number } {
  switch (node.t) {
    case 'empty':
    case 'assert':
    case 'char':
      return { s: 1, c: 1 };
    case 'cap': {
      const r = cost(node.sub, n);
      return { s: r.s, c: r.c + 1 };
    }
    case 'alt': {
      const exclusive = exclusiveAlt(node);
      let s = 0;
      let c = 1;
      for (const sub of node.subs) {
        const r = cost(sub, n);
        s = exclusive ? Math.max(s, r.s) : s + r.s;
        c += r.c;
      }
      return { s: cap(s), c: cap(c) };
    }
    case 'cat': {
      let mult = 1;
      let c = 0;
      for (let i = 0; i < node.subs.length; i++) {
        const sub = node.subs[i]!;
        const r = cost(sub, n);
        c = cap(c + mult * r.c);
        let s = r.s;
        // a loop over one character class followed by something that cannot start with such a character: only the
        // exit after the loop's longest run can go on (the others fail on their next character at once)
        if (s > 1 && sub.t === 'rep' && sub.sub.t === 'char' && i + 1 < node.subs.length) {
          const next = node.subs[i + 1]!;
          const f = first(next);
          if (next.t === 'assert' && next.a === 'eot') s = 1;
          else if (!f.nullable && disjoint(charSetRanges(sub.sub.set), f.ranges)) s = 1;
        }
        mult = cap(mult * s);
      }
      return { s: mult, c };
    }
    case 'rep': {
      const fs = first(node.sub);
      const r = cost(node.sub, n);
      if (fs.nullable && node.max === -1) return { s: Infinity, c: Infinity };
      // each iteration consumes at least one character unless the body can match empty
      let kmax = node.max === -1 ? n : fs.nullable ? node.max : Math.min(node.max, n);
      if (kmax < node.min) kmax = node.min;
      const counts = kmax - node.min + 1;
      if (r.s <= 1) return { s: counts, c: cap(kmax * r.c + counts) };
      // several ways per iteration: they multiply
      let s = 0;
      for (let k = node.min; k <= kmax && s !== Infinity; k++) s = cap(s + r.s ** k);
      return { s, c: cap(s * (r.c + 1)) };
    }
  }
}

/** most backtracking steps one call may take on the JavaScript engine (~1 ms) */
const JS_STEP_BUDGET = 1_000_000;

/** The longest input the JavaScript RegExp may see without exceeding the budget (Infinity: linear anyway). */
function jsMaxLengthOf(root: Node, anchoredAtStart: boolean): number {
  // irregexp tries a pattern anchored at the start once, any other at every position
  const total = (n: number): number => {
    const c = cost(root, n).c;
    return anchoredAtStart ? c + n : cap(n * c + n);
  };
  const c1 = cost(root, 1).c;
  if (!Number.isFinite(c1)) return 0;
  // the cost at one position does not grow with the input: linear overall
  if (cost(root, 1 << 24).c === c1) return Infinity;
  let lo = 0;
  let hi = 1 << 24;
  if (total(hi) <= JS_STEP_BUDGET) return Infinity;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (total(mid) <= JS_STEP_BUDGET) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function capInsideRepeat(n: Node, inRep: boolean): boolean {
  switch (n.t) {
    case 'cap':
      return inRep || capInsideRepeat(n.sub, inRep);
    case 'rep':
      return capInsideRepeat(n.sub, true);
    case 'cat':
    case 'alt':
      return n.subs.some((x) => capInsideRepeat(x, inRep));
    default:
      return false;
  }
}

function startsAnchored(n: Node): boolean {
  switch (n.t) {
    case 'assert':
      return n.a === 'bot';
    case 'cat':
      return n.subs.length > 0 && startsAnchored(n.subs[0]!);
    case 'cap':
      return startsAnchored(n.sub);
    case 'alt':
      return n.subs.every(startsAnchored);
    default:
      return false;
  }
}

// ---------------------------------------------------------------- Pike VM

const enum Op {
  Char,
  Split,
  Jmp,
  Save,
  Assert,
  Match,
}

const ASSERT_CODE: Record<Assert, number> = { bot: 0, eot: 1, bol: 2, eol: 3, wb: 4, nwb: 5 };

type CharTest = (cp: number) => boolean;

function charTest(s: CharSet): CharTest {
  const fold = s.fold;
  const ranges = normalize(s.kind === 'lit' ? [[s.cp, s.cp]] : s.ranges);
  const props = s.props.map((p) => new RegExp(p, 'u'));
  const inSet = (cp: number): boolean => {
    if (inRanges(ranges, cp)) return true;
    if (props.length === 0) return false;
    const ch = String.fromCodePoint(cp);
    for (const p of props) if (p.test(ch)) return true;
    return false;
  };
  const base: CharTest = fold
    ? (cp) => {
        if (inSet(cp)) return true;
        for (const v of foldVariants(cp)) if (v !== cp && inSet(v)) return true;
        return false;
      }
    : inSet;
  const test: CharTest = s.neg ? (cp) => !base(cp) : base;
  // ASCII answers from a table
  const ascii = new Uint8Array(128);
  for (let cp = 0; cp < 128; cp++) ascii[cp] = test(cp) ? 1 : 0;
  return (cp) => (cp < 128 ? ascii[cp] === 1 : test(cp));
}

interface Program {
  op: Uint8Array;
  out: Int32Array;
  arg: Int32Array;
  tests: CharTest[];
  /** 2 × number of groups (group 0 included) */
  ncap: number;
  entry: number;
  /** starts with \A or ^ (not multi-line): only a match starting at 0 can exist */
  anchored: boolean;
  /** literal text every match starts with, for skipping ahead with indexOf ('' when none) */
  prefix: string;
  /** the code points a match can start with (null: any, or the pattern can match empty) */
  firstTest: CharTest | null;
}

class Compiler {
  op: number[] = [];
  out: number[] = [];
  arg: number[] = [];
  tests: CharTest[] = [];
  private testOf = new Map<CharSet, number>();

  emit(op: Op, out = -1, arg = -1): number {
    this.op.push(op);
    this.out.push(out);
    this.arg.push(arg);
    return this.op.length - 1;
  }

  /** compiles n so that it continues at `next`; returns its entry */
  compile(n: Node, next: number): number {
    switch (n.t) {
      case 'empty':
        return next;
      case 'char': {
        let t = this.testOf.get(n.set);
        if (t === undefined) {
          t = this.tests.length;
          this.tests.push(charTest(n.set));
          this.testOf.set(n.set, t);
        }
        return this.emit(Op.Char, next, t);
      }
      case 'assert':
        return this.emit(Op.Assert, next, ASSERT_CODE[n.a]);
      case 'cat': {
        let pc = next;
        for (let i = n.subs.length - 1; i >= 0; i--) pc = this.compile(n.subs[i]!, pc);
        return pc;
      }
      case 'alt': {
        // Split(a, Split(b, c)): earlier branches first
        let pc = this.compile(n.subs[n.subs.length - 1]!, next);
        for (let i = n.subs.length - 2; i >= 0; i--) {
          const a = this.compile(n.subs[i]!, next);
          pc = this.emit(Op.Split, a, pc);
        }
        return pc;
      }
      case 'cap': {
        const close = this.emit(Op.Save, next, 2 * n.index + 1);
        const body = this.compile(n.sub, close);
        return this.emit(Op.Save, body, 2 * n.index);
      }
      case 'rep':
        return this.rep(n.sub, n.min, n.max, n.greedy, next);
    }
  }

  private split(preferred: number, other: number, greedy: boolean): number {
    return greedy ? this.emit(Op.Split, preferred, other) : this.emit(Op.Split, other, preferred);
  }

  /** x?: Split(x, next) */
  /** x+ : x then Split(back to x, next); a nullable x* becomes (x+)? as in Go */
  private plus(sub: Node, greedy: boolean, next: number): number {
    const loop = this.emit(Op.Split, -1, -1);
    const body = this.compile(sub, loop);
    if (greedy) {
      this.out[loop] = body;
      this.arg[loop] = next;
    } else {
      this.out[loop] = next;
      this.arg[loop] = body;
    }
    return body;
  }

  private star(sub: Node, greedy: boolean, next: number): number {
    if (first(sub).nullable) {
      const p = this.plus(sub, greedy, next);
      return this.split(p, next, greedy);
    }
    const loop = this.emit(Op.Split, -1, -1);
    const body = this.compile(sub, loop);
    if (greedy) {
      this.out[loop] = body;
      this.arg[loop] = next;
    } else {
      this.out[loop] = next;
      this.arg[loop] = body;
    }
    return loop;
  }

  private rep(sub: Node, min: number, max: number, greedy: boolean, next: number): number {
    // Go's simplify: x{n,} = x…x x+ ; x{n,m} = x…x (x(x(x)?)?)?
    if (max === -1) {
      if (min === 0) return this.star(sub, greedy, next);
      let pc = this.plus(sub, greedy, next);
      for (let i = 1; i < min; i++) pc = this.compile(sub, pc);
      return pc;
    }
    if (max === 0) return next;
    // the nested optional tail (x(x(x)?)?)?, built inside-out: skipping any copy goes straight to `next`
    let pc = next;
    for (let i = min; i < max; i++) {
      const body = this.compile(sub, pc);
      pc = this.split(body, next, greedy);
    }
    for (let i = 0; i < min; i++) pc = this.compile(sub, pc);
    return pc;
  }
}

function compileProgram(p: Parsed): Program {
  const c = new Compiler();
  const match = c.emit(Op.Match);
  const entry = c.compile(p.root, match);
  const f = first(p.root);
  let firstTest: CharTest | null = null;
  if (!f.nullable && f.ranges !== null) {
    const r = normalize(f.ranges);
    const ascii = new Uint8Array(128);
    for (let cp = 0; cp < 128; cp++) ascii[cp] = inRanges(r, cp) ? 1 : 0;
    firstTest = (cp) => (cp < 128 ? ascii[cp] === 1 : inRanges(r, cp));
  }
  return {
    op: Uint8Array.from(c.op),
    out: Int32Array.from(c.out),
    arg: Int32Array.from(c.arg),
    tests: c.tests,
    ncap: p.groupNames.length * 2,
    entry,
    anchored: startsAnchored(p.root),
    prefix: literalPrefix(p.root),
    firstTest,
  };
}

/** the case-sensitive literal text every match starts with ('' when none) */
function literalPrefix(n: Node): string {
  let out = '';
  const walk = (x: Node): boolean => {
    switch (x.t) {
      case 'char':
        if (x.set.kind !== 'lit' || x.set.fold) return false;
        out += String.fromCodePoint(x.set.cp);
        return true;
      case 'cat':
        for (const sub of x.subs) if (!walk(sub)) return false;
        return true;
      case 'cap':
        return walk(x.sub);
      case 'empty':
        return true;
      default:
        return false;
    }
  };
  walk(n);
  return out;
}

/** Code point ending just before UTF-16 index i (-1 at the start). */
function cpBefore(s: string, i: number): number {
  if (i <= 0) return -1;
  const lo = s.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return s.codePointAt(i - 2)!;
  }
  return lo;
}

/**
 * Pike VM over one program: the leftmost-first match (Go's regexp semantics) starting at or after `from`. Threads run
 * in lockstep over the input, at most one per instruction, so time is O(input × program) whatever the pattern.
 * Buffers are allocated once per program and reused (JavaScript runs one match at a time).
 */
class PikeVM {
  private readonly mark: Int32Array;
  private gen = 0;
  private cpc: Int32Array;
  private npc: Int32Array;
  private ccaps: (Int32Array | null)[];
  private ncaps: (Int32Array | null)[];
  private readonly stackPc: Int32Array;
  private readonly stackCaps: (Int32Array | null)[];
  private ncap = 2;
  private len = 0;

  constructor(private readonly prog: Program) {
    const n = prog.op.length;
    this.mark = new Int32Array(n);
    this.cpc = new Int32Array(n);
    this.npc = new Int32Array(n);
    this.ccaps = new Array<Int32Array | null>(n).fill(null);
    this.ncaps = new Array<Int32Array | null>(n).fill(null);
    this.stackPc = new Int32Array(n + 1);
    this.stackCaps = new Array<Int32Array | null>(n + 1).fill(null);
  }

  private assertOk(code: number, at: number, prev: number, cur: number): boolean {
    switch (code) {
      case 0:
        return at === 0;
      case 1:
        return at === this.len;
      case 2:
        return at === 0 || prev === 10;
      case 3:
        return at === this.len || cur === 10;
      case 4:
        return isWordCp(prev) !== isWordCp(cur);
      default:
        return isWordCp(prev) === isWordCp(cur);
    }
  }

  /** adds pc's closure at position `at` (between code points prev and cur) to the list, in priority order;
   *  returns the list's new length */
  private add(
    lpc: Int32Array,
    lcaps: (Int32Array | null)[],
    count: number,
    pc0: number,
    caps0: Int32Array | null,
    at: number,
    prev: number,
    cur: number,
  ): number {
    const { op, out, arg } = this.prog;
    const mark = this.mark;
    const gen = this.gen;
    const stackPc = this.stackPc;
    const stackCaps = this.stackCaps;
    let sp = 0;
    stackPc[sp] = pc0;
    stackCaps[sp++] = caps0;
    while (sp > 0) {
      let pc = stackPc[--sp]!;
      let caps = stackCaps[sp]!;
      for (;;) {
        if (mark[pc] === gen) break;
        mark[pc] = gen;
        const o = op[pc]!;
        if (o === Op.Split) {
          stackPc[sp] = arg[pc]!;
          stackCaps[sp++] = caps;
          pc = out[pc]!;
        } else if (o === Op.Save) {
          const k = arg[pc]!;
          if (caps !== null && k < this.ncap) {
            caps = caps.slice();
            caps[k] = at;
          }
          pc = out[pc]!;
        } else if (o === Op.Assert) {
          if (!this.assertOk(arg[pc]!, at, prev, cur)) break;
          pc = out[pc]!;
        } else if (o === Op.Jmp) {
          pc = out[pc]!;
        } else {
          lpc[count] = pc;
          lcaps[count++] = caps;
          break;
        }
      }
    }
    return count;
  }

  run(s: string, from: number, wantCaps: boolean): Int32Array | null {
    const prog = this.prog;
    const { op, out, arg, tests, entry, prefix, firstTest } = prog;
    this.ncap = wantCaps ? prog.ncap : 2;
    const len = (this.len = s.length);
    let matched: Int32Array | null = null;
    let ccount = 0;
    let pos = from;
    let prev = cpBefore(s, from);
    this.gen++;
    for (;;) {
      if (ccount === 0 && matched === null && !prog.anchored) {
        // nothing running: jump to where a match can start
        let next = pos;
        if (prefix !== '') next = s.indexOf(prefix, pos);
        else if (firstTest !== null) {
          while (next < len) {
            const c = s.codePointAt(next)!;
            if (firstTest(c)) break;
            next += c > 0xffff ? 2 : 1;
          }
          if (next >= len) next = -1;
        }
        if (next < 0) break;
        if (next !== pos) {
          pos = next;
          prev = cpBefore(s, pos);
        }
      }
      const cur = pos < len ? s.codePointAt(pos)! : -1;
      const width = cur > 0xffff ? 2 : 1;
      if (matched === null && (!prog.anchored || pos === 0)) {
        let caps: Int32Array | null = null;
        if (wantCaps) {
          caps = new Int32Array(this.ncap).fill(-1);
          caps[0] = pos;
        }
        ccount = this.add(this.cpc, this.ccaps, ccount, entry, caps, pos, prev, cur);
      }
      if (ccount === 0 && (matched !== null || pos >= len || prog.anchored)) break;
      this.gen++;
      const nextPos = pos + width;
      const after = nextPos < len ? s.codePointAt(nextPos)! : -1;
      let ncount = 0;
      const cpc = this.cpc;
      const ccaps = this.ccaps;
      for (let i = 0; i < ccount; i++) {
        const pc = cpc[i]!;
        if (op[pc] === Op.Match) {
          let caps = ccaps[i]!;
          if (caps === null) caps = new Int32Array([-1, pos]);
          else {
            caps = caps.slice();
            caps[1] = pos;
          }
          matched = caps;
          if (!wantCaps) return matched;
          break; // leftmost-first: the lower-priority threads are cut off
        }
        if (cur >= 0 && tests[arg[pc]!]!(cur)) {
          ncount = this.add(this.npc, this.ncaps, ncount, out[pc]!, ccaps[i]!, nextPos, cur, after);
        }
      }
      if (pos >= len) break;
      pos = nextPos;
      prev = cur;
      const tp = this.cpc;
      this.cpc = this.npc;
      this.npc = tp;
      const tc = this.ccaps;
      this.ccaps = this.ncaps;
      this.ncaps = tc;
      ccount = ncount;
    }
    return matched;
  }
}

function toExecArray(s: string, caps: Int32Array, ngroups: number): RegExpExecArray {
  const arr: (string | undefined)[] = [];
  for (let g = 0; g < ngroups; g++) {
    const a = caps[2 * g]!;
    const b = caps[2 * g + 1]!;
    arr.push(a >= 0 && b >= 0 ? s.slice(a, b) : undefined);
  }
  const r = arr as unknown as RegExpExecArray;
  r.index = caps[0]!;
  r.input = s;
  r.groups = undefined;
  return r;
}

// ---------------------------------------------------------------- the hybrid matcher

class Hybrid implements RE2Matcher, RE2RegExp {
  readonly regexp: RE2RegExp = this;
  readonly groupNames: string[];
  readonly jsMaxLength: number;
  private readonly jsMaxLengthExec: number;
  private js?: RegExp | null;
  private jsGlobal?: RegExp;
  private machine?: PikeVM;
  /** the anchored form (label matchers) compiles `^(?:p)$`, which the VM runs as an anchored search */
  private readonly anchoredRoot: Parsed;

  constructor(
    readonly source: string,
    private readonly parsed: Parsed,
    private readonly anchored: boolean,
    forceJsMax?: number,
  ) {
    this.groupNames = parsed.groupNames;
    this.anchoredRoot = anchored
      ? {
          ...parsed,
          root: { t: 'cat', subs: [{ t: 'assert', a: 'bot' }, parsed.root, { t: 'assert', a: 'eot' }] },
        }
      : parsed;
    this.jsMaxLength = forceJsMax ?? jsMaxLengthOf(this.anchoredRoot.root, anchored || startsAnchored(parsed.root));
    // JavaScript resets the captures of a repeated group at each iteration, Go keeps the last ones that matched
    // (`(?:(a)|b)+` on "ab": undefined vs "a"): submatches of such patterns always come from the VM
    this.jsMaxLengthExec = forceJsMax ?? (capInsideRepeat(parsed.root, false) ? -1 : this.jsMaxLength);
  }

  /** instructions the VM needs (for the cache's accounting) */
  get size(): number {
    return this.parsed.size;
  }

  /** the RegExp translation, or null when V8 refuses it (too large): then the VM serves every input */
  private jsRe(): RegExp | null {
    if (this.js === undefined) {
      const t = toJs(this.parsed, this.anchored);
      try {
        this.js = new RegExp(t.source, t.flags);
      } catch {
        this.js = null;
      }
    }
    return this.js;
  }

  vm(): PikeVM {
    return (this.machine ??= new PikeVM(compileProgram(this.anchoredRoot)));
  }

  test(s: string): boolean {
    if (s.length <= this.jsMaxLength) {
      const re = this.jsRe();
      if (re !== null) {
        try {
          return re.test(s);
        } catch {
          this.js = null; // V8 compiles lazily and may refuse a huge pattern only now
        }
      }
    }
    return this.vm().run(s, 0, false) !== null;
  }

  exec(s: string): RegExpExecArray | null {
    if (s.length <= this.jsMaxLengthExec) {
      const re = this.jsRe();
      if (re !== null) {
        try {
          return re.exec(s);
        } catch {
          this.js = null;
        }
      }
    }
    const caps = this.vm().run(s, 0, true);
    return caps === null ? null : toExecArray(s, caps, this.groupNames.length);
  }

  execFrom(s: string, from: number): RegExpExecArray | null {
    if (from > s.length) return null;
    if (s.length <= this.jsMaxLengthExec) {
      const re = this.jsRe();
      if (re !== null) {
        try {
          this.jsGlobal ??= new RegExp(re.source, re.flags + 'g');
          this.jsGlobal.lastIndex = from;
          return this.jsGlobal.exec(s);
        } catch {
          this.js = null;
        }
      }
    }
    const caps = this.vm().run(s, from, true);
    return caps === null ? null : toExecArray(s, caps, this.groupNames.length);
  }
}

/** Whether the engine for this input would be the JavaScript RegExp (tests, benchmarks). */
export function usesJs(m: RE2Matcher, s: string): boolean {
  return s.length <= m.jsMaxLength;
}

/** One of the two engines alone (tests, benchmarks): 'js' = the RegExp translation, 'vm' = the Pike VM. */
export function re2Engine(
  pattern: string,
  opts: { anchored: boolean },
  engine: 'js' | 'vm',
): Pick<RE2Matcher, 'test' | 'exec' | 'execFrom'> {
  const m = new Hybrid(pattern, parseRE2(pattern), opts.anchored, engine === 'js' ? Infinity : -1);
  return { test: (s) => m.test(s), exec: (s) => m.exec(s), execFrom: (s, from) => m.execFrom(s, from) };
}

const cache = new Map<string, Hybrid>();
let cachedSize = 0;
const CACHE_MAX_ENTRIES = 1000;
const CACHE_MAX_SIZE = 2_000_000;

/** Compiles an RE2 pattern; anchored = the whole input must match (label matchers), else a match anywhere counts. */
export function compileRE2(pattern: string, opts: { anchored: boolean }): RE2Matcher {
  const key = (opts.anchored ? 'A' : 'U') + pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  const m = new Hybrid(pattern, parseRE2(pattern), opts.anchored);
  if (cache.size >= CACHE_MAX_ENTRIES || cachedSize + m.size > CACHE_MAX_SIZE) {
    cache.clear();
    cachedSize = 0;
  }
  cache.set(key, m);
  cachedSize += m.size;
  return m;
}

/** Whether a fully anchored RE2 pattern matches the empty string (Prometheus label matcher semantics). */
export function re2MatchesEmpty(pattern: string): boolean {
  const m = compileRE2(pattern, { anchored: true }) as Hybrid;
  return m.vm().run('', 0, false) !== null;
}
