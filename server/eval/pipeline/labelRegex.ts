// Label filters `name =~ "re"` / `name !~ "re"` as Loki 3.7.6 evaluates them (pkg/logql/log NewStringLabelFilter):
// the regex is parsed (Go regexp/syntax, Perl flags), simplified, and when its tree has one of a few shapes it is
// replaced by literal tests instead of the fully anchored regex:
//   - ``          (empty match)              → true: `=~""` keeps every line, `!~""` drops every line
//   - `.*`        (star of any-but-newline)  → true
//   - `.+`                                    → the value is not empty
//   - `abc`, `(?i)abc` (one literal)          → equality (case-insensitive under (?i))
//   - `a|b|…`     (alternation of the above)  → or; an alternative that is `true` is *dropped* from the or
//   - a concatenation of ≤ 3 pieces: one literal, `.*`s, and alternations after the literal
//                                             → *unanchored* substring tests: `GE.*` keeps `XGET`
// Anything else is the anchored regex. The shapes are those of Go's parse tree, so the tree below is built the way
// Go's parser builds it (literal runs merged, alternations factored by common literal prefix, single characters of
// an alternation merged into a class); pieces no simplification can use (classes, anchors, repeats) are opaque.

export type LabelRegexTest =
  | { kind: 'true' }
  | { kind: 'exists' }
  | { kind: 'equal' | 'contains'; text: string; caseInsensitive: boolean }
  | { kind: 'or'; left: LabelRegexTest; right: LabelRegexTest };

type Node =
  | { op: 'lit'; runes: string[]; fold: boolean }
  | { op: 'empty'; fold: boolean }
  | { op: 'anyNotNL' | 'any' | 'class' | 'other'; fold: boolean }
  | { op: 'star' | 'plus' | 'quest'; sub: Node; fold: boolean }
  | { op: 'repeat'; min: number; max: number; sub: Node; fold: boolean }
  | { op: 'capture'; sub: Node; fold: boolean }
  | { op: 'concat' | 'alt'; subs: Node[]; fold: boolean }
  | { op: '('; capture: boolean; fold: boolean; flags: Flags }
  | { op: '|'; fold: boolean };

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  U: boolean;
}

class Unsupported extends Error {}

const isCharClass = (n: Node): boolean =>
  (n.op === 'lit' && n.runes.length === 1) || n.op === 'class' || n.op === 'any' || n.op === 'anyNotNL';
const isPseudo = (n: Node): boolean => n.op === '(' || n.op === '|';

const EXTRA_FOLDS: Record<string, string[]> = {
  k: ['K', 'k', '\u212a'],
  s: ['S', 's', '\u017f'],
  '\u00b5': ['\u00b5', '\u039c', '\u03bc'],
  '\u00e5': ['\u00c5', '\u00e5', '\u212b'],
};

/** Go's unicode.SimpleFold orbit of a rune (upper and lower case, plus the few three-member orbits), sorted. */
function foldOrbit(c: string): string[] {
  const lo = c.toLowerCase();
  const extra = EXTRA_FOLDS[lo] ?? EXTRA_FOLDS[c];
  if (extra) return extra;
  const set = new Set([c]);
  for (const x of [lo, c.toUpperCase()]) if ([...x].length === 1) set.add(x);
  return [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

class GoRegexpParser {
  private stack: Node[] = [];
  private flags: Flags = { i: false, s: false, m: false, U: false };
  private t: string;

  constructor(pattern: string) {
    this.t = pattern;
  }

  parse(): Node {
    let lastRepeat = false;
    while (this.t !== '') {
      let repeat = false;
      const c = this.t[0]!;
      switch (c) {
        case '(':
          if (this.t.startsWith('(?')) this.perlFlags();
          else {
            this.push({ op: '(', capture: true, fold: this.flags.i, flags: { ...this.flags } });
            this.t = this.t.slice(1);
          }
          break;
        case '|':
          this.concat();
          if (!this.swapVerticalBar()) this.stack.push({ op: '|', fold: false });
          this.t = this.t.slice(1);
          break;
        case ')':
          this.rightParen();
          this.t = this.t.slice(1);
          break;
        case '^':
        case '$':
          this.push({ op: 'other', fold: this.flags.i });
          this.t = this.t.slice(1);
          break;
        case '.':
          this.push({ op: this.flags.s ? 'any' : 'anyNotNL', fold: this.flags.i });
          this.t = this.t.slice(1);
          break;
        case '[':
          this.charClass();
          break;
        case '*':
        case '+':
        case '?': {
          if (lastRepeat) throw new Unsupported();
          this.t = this.t.slice(1);
          if (this.t[0] === '?') this.t = this.t.slice(1);
          this.repeat(c === '*' ? 'star' : c === '+' ? 'plus' : 'quest', 0, 0);
          repeat = true;
          break;
        }
        case '{': {
          const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(this.t);
          if (!m) {
            this.literal('{');
            this.t = this.t.slice(1);
            break;
          }
          if (lastRepeat) throw new Unsupported();
          const min = Number(m[1]);
          const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
          this.t = this.t.slice(m[0].length);
          if (this.t[0] === '?') this.t = this.t.slice(1);
          this.repeat('repeat', min, max);
          repeat = true;
          break;
        }
        case '\\':
          this.escape();
          break;
        default: {
          const cp = String.fromCodePoint(this.t.codePointAt(0)!);
          this.literal(cp);
          this.t = this.t.slice(cp.length);
        }
      }
      lastRepeat = repeat;
    }
    this.concat();
    if (this.swapVerticalBar()) this.stack.pop();
    this.alternate();
    if (this.stack.length !== 1) throw new Unsupported();
    return this.stack[0]!;
  }

  private literal(c: string): void {
    // Go stores the smallest rune of a case-folding literal's orbit (upper case for ASCII letters)
    const r = this.flags.i ? foldOrbit(c)[0]! : c;
    this.push({ op: 'lit', runes: [r], fold: this.flags.i });
  }

  /** Go's push: single-rune classes become literals, then literal runs merge (maybeConcat). */
  private push(n: Node): void {
    this.maybeConcat();
    this.stack.push(n);
  }

  private maybeConcat(): void {
    const n = this.stack.length;
    if (n < 2) return;
    const a = this.stack[n - 2]!;
    const b = this.stack[n - 1]!;
    if (a.op !== 'lit' || b.op !== 'lit' || a.fold !== b.fold) return;
    a.runes = [...a.runes, ...b.runes];
    this.stack.pop();
  }

  private repeat(op: 'star' | 'plus' | 'quest' | 'repeat', min: number, max: number): void {
    const n = this.stack.length;
    const sub = this.stack[n - 1];
    if (!sub || isPseudo(sub)) throw new Unsupported();
    this.stack[n - 1] = op === 'repeat' ? { op, min, max, sub, fold: this.flags.i } : { op, sub, fold: this.flags.i };
  }

  private perlFlags(): void {
    const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(this.t);
    if (named) {
      this.push({ op: '(', capture: true, fold: this.flags.i, flags: { ...this.flags } });
      this.t = this.t.slice(named[0].length);
      return;
    }
    const m = /^\(\?([imsU-]*)([:)])/.exec(this.t);
    if (!m) throw new Unsupported();
    const saved = { ...this.flags };
    let neg = false;
    for (const f of m[1]!) {
      if (f === '-') neg = true;
      else this.flags[f as keyof Flags] = !neg;
    }
    this.t = this.t.slice(m[0].length);
    if (m[2] === ':') this.push({ op: '(', capture: false, fold: saved.i, flags: saved });
  }

  private rightParen(): void {
    this.concat();
    if (this.swapVerticalBar()) this.stack.pop();
    this.alternate();
    const n = this.stack.length;
    if (n < 2) throw new Unsupported();
    const inner = this.stack[n - 1]!;
    const paren = this.stack[n - 2]!;
    if (paren.op !== '(') throw new Unsupported();
    this.stack.length = n - 2;
    this.flags = paren.flags;
    if (paren.capture) this.push({ op: 'capture', sub: inner, fold: paren.fold });
    else this.push(inner);
  }

  private concat(): void {
    this.maybeConcat();
    let i = this.stack.length;
    while (i > 0 && !isPseudo(this.stack[i - 1]!)) i--;
    const subs = this.stack.splice(i);
    if (subs.length === 0) this.stack.push({ op: 'empty', fold: false });
    else this.stack.push(collapse(subs, 'concat'));
  }

  private alternate(): void {
    let i = this.stack.length;
    while (i > 0 && !isPseudo(this.stack[i - 1]!)) i--;
    const subs = this.stack.splice(i);
    if (subs.length === 0) throw new Unsupported(); // no match
    this.stack.push(collapse(subs, 'alt'));
  }

  private swapVerticalBar(): boolean {
    const s = this.stack;
    const n = s.length;
    if (n >= 3 && s[n - 2]!.op === '|' && isCharClass(s[n - 1]!) && isCharClass(s[n - 3]!)) {
      s[n - 3] = mergeCharClass(s[n - 3]!, s[n - 1]!);
      s.pop();
      return true;
    }
    if (n >= 2 && s[n - 2]!.op === '|') {
      [s[n - 2], s[n - 1]] = [s[n - 1]!, s[n - 2]!];
      return true;
    }
    return false;
  }

  /** `[...]`: a single rune becomes a literal, a case pair `[Aa]` a case-folding literal; anything else is opaque. */
  private charClass(): void {
    let j = 1;
    const t = this.t;
    let negated = false;
    if (t[j] === '^') {
      negated = true;
      j++;
    }
    const runes = new Set<string>();
    let multi = negated;
    let first = true;
    while (j < t.length && (t[j] !== ']' || first)) {
      first = false;
      if (t.startsWith('[:', j)) {
        const end = t.indexOf(':]', j + 2);
        if (end < 0) throw new Unsupported();
        multi = true;
        j = end + 2;
        continue;
      }
      let lo: string;
      [lo, j] = this.classChar(j);
      if (lo === '\u0000multi') {
        multi = true;
        continue;
      }
      if (t[j] === '-' && t[j + 1] !== ']' && j + 1 < t.length) {
        let hi: string;
        [hi, j] = this.classChar(j + 1);
        if (hi === '\u0000multi' || hi !== lo) multi = true;
        else runes.add(lo);
        continue;
      }
      runes.add(lo);
    }
    if (t[j] !== ']') throw new Unsupported();
    this.t = t.slice(j + 1);
    if (!multi && this.flags.i) for (const r of [...runes]) for (const o of foldOrbit(r)) runes.add(o);
    const list = [...runes];
    if (!multi && list.length === 1) {
      this.push({ op: 'lit', runes: [list[0]!], fold: false });
      return;
    }
    if (!multi && list.length === 2) {
      const [a, b] = list as [string, string];
      const orbit = foldOrbit(a);
      if (orbit.length === 2 && orbit.includes(b)) {
        this.push({ op: 'lit', runes: [orbit[0]!], fold: true });
        return;
      }
    }
    this.push({ op: 'class', fold: this.flags.i });
  }

  /** one class character at j: [the rune or a multi-rune marker, next index] */
  private classChar(j: number): [string, number] {
    const t = this.t;
    if (t[j] !== '\\') {
      const cp = String.fromCodePoint(t.codePointAt(j)!);
      return [cp, j + cp.length];
    }
    const e = t[j + 1];
    if (e === undefined) throw new Unsupported();
    if ('dDsSwWpP'.includes(e)) {
      if (e === 'p' || e === 'P') {
        if (t[j + 2] === '{') {
          const end = t.indexOf('}', j + 3);
          if (end < 0) throw new Unsupported();
          return ['\u0000multi', end + 1];
        }
        return ['\u0000multi', j + 3];
      }
      return ['\u0000multi', j + 2];
    }
    return this.escapedRune(j);
  }

  /** a single-rune escape at j (`\n`, `\x41`, `\x{263a}`, `\012`, `\.`) */
  private escapedRune(j: number): [string, number] {
    const t = this.t;
    const e = t[j + 1]!;
    const simple: Record<string, string> = { a: '\x07', f: '\f', t: '\t', n: '\n', r: '\r', v: '\v' };
    if (e in simple) return [simple[e]!, j + 2];
    if (e === 'x') {
      if (t[j + 2] === '{') {
        const end = t.indexOf('}', j + 3);
        if (end < 0) throw new Unsupported();
        return [String.fromCodePoint(parseInt(t.slice(j + 3, end), 16)), end + 1];
      }
      return [String.fromCodePoint(parseInt(t.slice(j + 2, j + 4), 16)), j + 4];
    }
    if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(t.slice(j + 1))!;
      return [String.fromCodePoint(parseInt(m[0], 8)), j + 1 + m[0].length];
    }
    if (/[A-Za-z0-9]/.test(e)) throw new Unsupported();
    const cp = String.fromCodePoint(t.codePointAt(j + 1)!);
    return [cp, j + 1 + cp.length];
  }

  private escape(): void {
    const t = this.t;
    const e = t[1];
    if (e === undefined) throw new Unsupported();
    if ('AbBz'.includes(e)) {
      this.push({ op: 'other', fold: this.flags.i });
      this.t = t.slice(2);
      return;
    }
    if (e === 'Q') {
      const end = t.indexOf('\\E', 2);
      const lit = end < 0 ? t.slice(2) : t.slice(2, end);
      for (const ch of lit) this.literal(ch);
      this.t = end < 0 ? '' : t.slice(end + 2);
      return;
    }
    if ('dDsSwWpP'.includes(e)) {
      const [, next] = this.classChar(0);
      this.push({ op: 'class', fold: this.flags.i });
      this.t = t.slice(next);
      return;
    }
    const [r, next] = this.escapedRune(0);
    this.literal(r);
    this.t = t.slice(next);
  }
}

function mergeCharClass(a: Node, b: Node): Node {
  if (a.op === 'lit' && b.op === 'lit' && a.runes[0] === b.runes[0] && a.fold === b.fold) return a;
  if (a.op === 'any' || b.op === 'any') return { op: 'any', fold: false };
  if (a.op === 'anyNotNL' || b.op === 'anyNotNL') {
    const nl = (n: Node) => n.op === 'lit' && n.runes[0] === '\n';
    return { op: nl(a) || nl(b) ? 'any' : 'anyNotNL', fold: false };
  }
  return { op: 'class', fold: false };
}

/** Go's collapse: flatten nested ops of the same kind; alternations are factored. */
function collapse(subs: Node[], op: 'concat' | 'alt'): Node {
  if (subs.length === 1) return subs[0]!;
  let out: Node[] = [];
  for (const s of subs) {
    if (s.op === op) out.push(...s.subs);
    else out.push(s);
  }
  if (op === 'alt') {
    out = factor(out);
    if (out.length === 1) return out[0]!;
  }
  return { op, subs: out, fold: false };
}

function leadingString(n: Node): { runes: string[]; fold: boolean } {
  const first = n.op === 'concat' && n.subs.length > 0 ? n.subs[0]! : n;
  if (first.op !== 'lit') return { runes: [], fold: false };
  return { runes: first.runes, fold: first.fold };
}

function removeLeadingString(n: Node, k: number): Node {
  if (n.op === 'concat' && n.subs.length > 0) {
    const sub = removeLeadingString(n.subs[0]!, k);
    const subs = [sub, ...n.subs.slice(1)];
    if (sub.op === 'empty') {
      if (subs.length <= 1) return { op: 'empty', fold: false };
      if (subs.length === 2) return subs[1]!;
      return { ...n, subs: subs.slice(1) };
    }
    return { ...n, subs };
  }
  if (n.op === 'lit') {
    const runes = n.runes.slice(k);
    return runes.length === 0 ? { op: 'empty', fold: n.fold } : { ...n, runes };
  }
  return n;
}

function leadingRegexp(n: Node): Node | undefined {
  if (n.op === 'empty') return undefined;
  if (n.op === 'concat' && n.subs.length > 0) return n.subs[0]!.op === 'empty' ? undefined : n.subs[0];
  return n;
}

function removeLeadingRegexp(n: Node): Node {
  if (n.op === 'concat' && n.subs.length > 0) {
    const subs = n.subs.slice(1);
    if (subs.length === 0) return { op: 'empty', fold: false };
    if (subs.length === 1) return subs[0]!;
    return { ...n, subs };
  }
  return { op: 'empty', fold: false };
}

/** Go's Regexp.Equal for the pieces round 2 factors (opaque classes are never equal: factoring them out or not,
 *  they make every simplification fail). */
function sameNode(a: Node, b: Node): boolean {
  if (a.op !== b.op) return false;
  // (Go compares a literal's runes, not its case folding)
  if (a.op === 'lit' && b.op === 'lit') return a.runes.join('') === b.runes.join('');
  if (a.op === 'any' || a.op === 'anyNotNL') return true;
  if (a.op === 'repeat' && b.op === 'repeat') return a.min === b.min && a.max === b.max && sameNode(a.sub, b.sub);
  return false;
}

/** Go's factor: rounds 1 (common literal prefixes), 2 (common leading character or fixed repeat of one),
 *  3 (single characters → class) and 4 (empty runs). */
function factor(sub: Node[]): Node[] {
  if (sub.length < 2) return sub;
  let out: Node[] = [];
  let str: string[] = [];
  let strFold = false;
  let start = 0;
  for (let i = 0; i <= sub.length; i++) {
    let istr: string[] = [];
    let ifold = false;
    if (i < sub.length) {
      ({ runes: istr, fold: ifold } = leadingString(sub[i]!));
      if (ifold === strFold) {
        let same = 0;
        while (same < str.length && same < istr.length && str[same] === istr[same]) same++;
        if (same > 0) {
          str = str.slice(0, same);
          continue;
        }
      }
    }
    if (i === start) {
      // nothing
    } else if (i === start + 1) {
      out.push(sub[start]!);
    } else {
      const prefix: Node = { op: 'lit', runes: str, fold: strFold };
      const rest = sub.slice(start, i).map((s) => removeLeadingString(s, str.length));
      out.push({ op: 'concat', subs: [prefix, collapse(rest, 'alt')], fold: false });
    }
    start = i;
    str = istr;
    strFold = ifold;
  }
  sub = out;
  out = [];
  start = 0;
  let first: Node | undefined;
  for (let i = 0; i <= sub.length; i++) {
    let ifirst: Node | undefined;
    if (i < sub.length) {
      ifirst = leadingRegexp(sub[i]!);
      if (
        first &&
        ifirst &&
        sameNode(first, ifirst) &&
        (isCharClass(first) || (first.op === 'repeat' && first.min === first.max && isCharClass(first.sub)))
      )
        continue;
    }
    if (i === start + 1) out.push(sub[start]!);
    else if (i > start + 1) {
      const rest = sub.slice(start, i).map(removeLeadingRegexp);
      out.push({ op: 'concat', subs: [first!, collapse(rest, 'alt')], fold: false });
    }
    start = i;
    first = ifirst;
  }
  sub = out;
  out = [];
  start = 0;
  for (let i = 0; i <= sub.length; i++) {
    if (i < sub.length && isCharClass(sub[i]!)) continue;
    if (i === start + 1) out.push(sub[start]!);
    else if (i > start + 1) out.push(sub.slice(start, i).reduce(mergeCharClass));
    if (i < sub.length) out.push(sub[i]!);
    start = i + 1;
  }
  return out.filter((n, i) => !(n.op === 'empty' && out[i + 1]?.op === 'empty'));
}

/** Go's Simplify, for the pieces that matter here: repeats become star/plus/quest or their operand. */
function simplify(n: Node): Node {
  switch (n.op) {
    case 'capture':
      return { ...n, sub: simplify(n.sub) };
    case 'concat':
    case 'alt':
      return { ...n, subs: n.subs.map(simplify) };
    case 'star':
    case 'plus':
    case 'quest': {
      const sub = simplify(n.sub);
      if (sub.op === 'empty') return sub;
      return { ...n, sub };
    }
    case 'repeat': {
      const sub = simplify(n.sub);
      if (n.min === 0 && n.max === -1) return { op: 'star', sub, fold: n.fold };
      if (n.min === 1 && n.max === -1) return { op: 'plus', sub, fold: n.fold };
      if (n.min === 1 && n.max === 1) return sub;
      if (n.min === 0 && n.max === 0) return { op: 'empty', fold: false };
      if (n.min === 0 && n.max === 1) return { op: 'quest', sub, fold: n.fold };
      return { op: 'other', fold: n.fold };
    }
    default:
      return n;
  }
}

// ---------------------------------------------------------------- Loki's simplifier (isLabel = true)

const TRUE: LabelRegexTest = { kind: 'true' };

function or(l: LabelRegexTest | undefined, r: LabelRegexTest): LabelRegexTest {
  if (!l || l.kind === 'true') return r;
  if (r.kind === 'true') return l;
  return { kind: 'or', left: l, right: r };
}

const clearCapture = (n: Node): Node => (n.op === 'capture' ? n.sub : n);
const isDotStar = (n: Node): boolean => n.op === 'star' && n.sub.op === 'anyNotNL';

function simplifyTest(n: Node, isLabel: boolean): LabelRegexTest | undefined {
  switch (n.op) {
    case 'alt': {
      const subs = n.subs.map(clearCapture);
      let f = simplifyTest(subs[0]!, isLabel);
      if (!f) return undefined;
      for (const s of subs.slice(1)) {
        const g = simplifyTest(s, isLabel);
        if (!g) return undefined;
        f = or(f, g);
      }
      return f;
    }
    case 'concat':
      return simplifyConcat(n.subs, undefined);
    case 'capture':
      return simplifyTest(n.sub, isLabel);
    case 'lit':
      return { kind: isLabel ? 'equal' : 'contains', text: n.runes.join(''), caseInsensitive: n.fold };
    case 'star':
      return n.sub.op === 'anyNotNL' ? TRUE : undefined;
    case 'plus':
      return n.sub.op === 'anyNotNL' ? { kind: 'exists' } : undefined;
    case 'empty':
      return TRUE;
    default:
      return undefined;
  }
}

function simplifyConcat(subs0: Node[], base: { text: string; fold: boolean } | undefined): LabelRegexTest | undefined {
  const subs = subs0.map(clearCapture).filter((s) => s.op !== 'empty');
  if (subs.length > 3) return undefined;
  let curr: LabelRegexTest | undefined;
  let literals = 0;
  let baseText = base?.text;
  let baseFold = false;
  for (const s of subs) {
    if (s.op === 'lit') {
      if (literals !== 0) return undefined;
      literals++;
      baseText = (baseText ?? '') + s.runes.join('');
      baseFold = s.fold;
      continue;
    }
    if (s.op === 'alt' && baseText !== undefined) {
      curr = simplifyConcatAlternate(s.subs, baseText, curr, baseFold);
      if (!curr) return undefined;
      continue;
    }
    if (isDotStar(s)) continue;
    return undefined;
  }
  if (curr) return curr;
  if (baseText !== undefined) return { kind: 'contains', text: baseText, caseInsensitive: baseFold };
  return undefined;
}

function simplifyConcatAlternate(
  alts: Node[],
  literal: string,
  curr: LabelRegexTest | undefined,
  baseFold: boolean,
): LabelRegexTest | undefined {
  const contains = (text: string): LabelRegexTest => ({ kind: 'contains', text, caseInsensitive: baseFold });
  for (const alt of alts) {
    if (!baseFold && alt.fold) return undefined;
    switch (alt.op) {
      case 'empty':
        curr = curr ? or(curr, contains(literal)) : contains(literal);
        break;
      case 'lit':
        curr = curr ? or(curr, contains(literal + alt.runes.join(''))) : contains(literal + alt.runes.join(''));
        break;
      case 'concat': {
        const f = simplifyConcat(alt.subs, { text: literal, fold: baseFold });
        if (!f) return undefined;
        curr = curr ? or(curr, f) : f;
        break;
      }
      case 'star':
        if (alt.sub.op !== 'anyNotNL') return undefined;
        curr = curr ? or(curr, contains(literal)) : contains(literal);
        break;
      default:
        return undefined;
    }
  }
  return curr;
}

/** Loki's literal test for a label regex, or undefined when the anchored regex decides. */
export function labelRegexTest(pattern: string): LabelRegexTest | undefined {
  let tree: Node;
  try {
    tree = simplify(new GoRegexpParser(pattern).parse());
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  return simplifyTest(tree, true);
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');
const lowerRune = (r: string): string => {
  const l = r.toLowerCase();
  return [...l].length === 1 ? l : r; // unicode.ToLower maps one rune to one rune
};
const leadByte = (r: string): number => Buffer.from(r, 'utf8')[0]!;

/** Loki's containsLower: `want` is lower case; the first rune must match on its (ASCII-lowered) lead byte. */
function containsLower(line: string, want: string): boolean {
  if (want === '') return true;
  if (/^[\x00-\x7f]*$/.test(line) && /^[\x00-\x7f]*$/.test(want)) return line.toLowerCase().includes(want);
  const l = [...line];
  const w = [...want];
  const first = leadByte(w[0]!);
  for (let i = 0; i + w.length <= l.length; i++) {
    const c = l[i]!;
    const b = c.length === 1 && c.charCodeAt(0) < 0x80 ? c.toLowerCase().charCodeAt(0) : leadByte(c);
    if (b !== first) continue;
    let ok = true;
    for (let j = 0; j < w.length && ok; j++) ok = lowerRune(l[i + j]!) === w[j];
    if (ok) return true;
  }
  return false;
}

/** The test as a predicate over label values (a missing label is ""). */
export function compileLabelRegexTest(t: LabelRegexTest): (v: string) => boolean {
  switch (t.kind) {
    case 'true':
      return () => true;
    case 'exists':
      return (v) => v.length > 0;
    case 'or': {
      const l = compileLabelRegexTest(t.left);
      const r = compileLabelRegexTest(t.right);
      return (v) => l(v) || r(v);
    }
    case 'equal': {
      if (!t.caseInsensitive) return (v) => v === t.text;
      const want = [...t.text].map(lowerRune).join('');
      const len = utf8Length(want);
      return (v) => utf8Length(v) === len && containsLower(v, want);
    }
    case 'contains': {
      if (!t.caseInsensitive) return (v) => v.includes(t.text);
      const want = [...t.text].map(lowerRune).join('');
      return (v) => containsLower(v, want);
    }
  }
}
