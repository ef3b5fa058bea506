// Loki's pattern expressions (pkg/logql/log/pattern): `<name>` captures, `<_>` skips, everything else is literal.
export type PatternNode = { lit: string } | { cap: string };
type Node = PatternNode;

export interface PatternMatcher {
  names: string[];
  /** the captures of named groups, in order (fewer than names when the line ends early); null if no match */
  matches(line: string): string[] | null;
  /** the `|>` line-filter test */
  test(line: string): boolean;
}

function parse(src: string): Node[] {
  const out: Node[] = [];
  const re = /<([A-Za-z_][A-Za-z0-9_]*)>/g;
  let last = 0;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    if (m.index > last) out.push({ lit: src.slice(last, m.index) });
    out.push({ cap: m[1] });
    last = m.index + m[0].length;
  }
  if (last < src.length) out.push({ lit: src.slice(last) });
  return out;
}

function noConsecutive(e: Node[]): void {
  for (let i = 0; i + 1 < e.length; i++) {
    if ('cap' in e[i] && 'cap' in e[i + 1]) {
      const a = e[i] as { cap: string };
      const b = e[i + 1] as { cap: string };
      throw new Error(`found consecutive capture '<${a.cap}><${b.cap}>': invalid expression`);
    }
  }
}

function build(e: Node[], names: string[]): PatternMatcher {
  return {
    names,
    matches(line: string): string[] | null {
      if (line.length === 0 || e.length === 0) return null;
      const caps: string[] = [];
      let k = 0;
      let rest = line;
      const n0 = e[0];
      if ('lit' in n0) {
        if (!rest.startsWith(n0.lit)) return null;
        rest = rest.slice(n0.lit.length);
        k = 1;
      }
      if (k >= e.length) return null;
      while (k < e.length) {
        const cap = (e[k] as { cap: string }).cap;
        if (k === e.length - 1) {
          if (cap !== '_') caps.push(rest);
          return caps;
        }
        const lit = (e[k + 1] as { lit: string }).lit;
        k += 2;
        const i = rest.indexOf(lit);
        if (i < 0) {
          if (cap !== '_') caps.push(rest);
          return caps;
        }
        if (cap !== '_') caps.push(rest.slice(0, i));
        rest = rest.slice(i + lit.length);
      }
      return caps;
    },
    test(line: string): boolean {
      if (line.length === 0 || e.length === 0) return line.length === 0 && e.length === 0;
      let off = 0;
      for (let i = 0; i < e.length; i++) {
        const n = e[i];
        if (!('lit' in n)) continue;
        const j = line.indexOf(n.lit, off);
        if (j < 0) return false;
        // as Loki: a literal after a capture must not follow immediately (the capture is non-empty); the first
        // literal is searched, not anchored (Loki's Matcher.Test quirk)
        if (i !== 0 && j === off) return false;
        off = j + n.lit.length;
      }
      const reqRem = 'cap' in e[e.length - 1];
      return reqRem === (off !== line.length);
    },
  };
}

/** the nodes of a valid `pattern` parser expression (compilePattern's checks applied) */
export function patternNodes(src: string): PatternNode[] {
  compilePattern(src);
  return parse(src);
}

/** the `pattern` parser stage: at least one named capture, no two captures in a row, unique names */
export function compilePattern(src: string): PatternMatcher {
  const e = parse(src);
  const names = e.flatMap((n) => ('cap' in n && n.cap !== '_' ? [n.cap] : []));
  if (names.length === 0) throw new Error('at least one capture is required');
  noConsecutive(e);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`duplicate capture name (${n}): invalid expression`);
    seen.add(n);
  }
  return build(e, names);
}

/** the `|>` / `!>` line filter: only `<_>` captures allowed */
export function compilePatternFilter(src: string): PatternMatcher {
  if (src.length === 0) return build([], []);
  const e = parse(src);
  noConsecutive(e);
  for (const n of e)
    if ('cap' in n && n.cap !== '_') throw new Error(`named captures are not allowed: found '<${n.cap}>'`);
  return build(e, []);
}
