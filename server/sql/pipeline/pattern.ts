// `| pattern` and `| regexp` in SQL: one RE2 evaluation per row extracts every capture of the stage (a struct of
// groups), and each label reads its field. Both parsers are exact in SQL (they never set errors): a pattern becomes an
// anchored regex whose lazy captures stop at the first occurrence of the next literal, with a fallback branch at each
// capture for Loki's "literal not found: the capture takes the rest of the line and matching stops".
//
// Where the engine binds values inside an expression (Dialect.letIn) and the labels read sit early in the pattern, a
// capture is instead read by Loki's own walk — find the next literal, cut, go on with the rest — in string functions:
// the regex's capture engine cost twice as much as these substring searches on the public suite's nginx lines.
import type { LabelSql, PipelineContext } from './compile';
import { helperName, NotInSql } from './compile';
import { patternNodes, type PatternNode } from '../../eval/pipeline/pattern';
import type { SqlWriter } from '../dialect';
import { compileRE2 } from '../../eval/re2';
import { sanitizeLabelKey } from '../../eval/pipeline/builder';

type Producer = (ctx: PipelineContext, name: string) => LabelSql | undefined;

/** RE2 quoting of a literal */
function quote(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => '\\' + c);
}

interface Capture {
  name: string;
  /** group numbers holding the value (found / not-found branch: at most one is non-empty) */
  groups: number[];
  /** the group that is non-empty when the capture is reached ('' group index 0: the line matched at all) */
  reached: number;
}

export function patternLabels(src: string): Producer | NotInSql {
  const nodes = patternNodes(src);
  let n = 0;
  const caps: Capture[] = [];
  let re = '(?s)^';
  let i = 0;
  let reached: number;
  if ('lit' in nodes[0]) {
    re += `(${quote(nodes[0].lit)})`;
    reached = ++n;
    i = 1;
  } else {
    reached = 0;
  }
  // build nested alternatives from node i (a capture)
  const build = (k: number, reachedGroup: number): string => {
    const cap = (nodes[k] as { cap: string }).cap;
    if (k === nodes.length - 1) {
      const g = ++n;
      caps.push({ name: cap, groups: [g], reached: reachedGroup });
      return '(.*)';
    }
    const lit = (nodes[k + 1] as { lit: string }).lit;
    const found = ++n;
    const litGroup = ++n;
    const capture: Capture = { name: cap, groups: [found], reached: reachedGroup };
    caps.push(capture);
    const rest = k + 2 < nodes.length ? build(k + 2, litGroup) : '';
    const notFound = ++n;
    capture.groups.push(notFound);
    return `(?:(.*?)(${quote(lit)})${rest}|(.*))`;
  };
  re += build(i, reached);
  const groups = n;
  const named = new Map(caps.filter((c) => c.name !== '_').map((c) => [c.name, c]));
  let helper: string | undefined;
  return (ctx, name) => {
    const c = named.get(name);
    if (!c) return undefined;
    const { w, fns } = ctx;
    const walked = walkCapture(w, nodes, name);
    if (walked) return { helpers: [], value: walked };
    const helpers: string[] = [];
    if (!helper) {
      helper = helperName(ctx);
      if (re.includes('\0')) throw new NotInSql('a pattern with NUL runs in TypeScript');
      helpers.push(`${fns.regexExtractGroups(w, 'line', re, groups)} AS ${helper}`);
    }
    const value = c.groups.map((g) => fns.groupOf(helper!, g)).join(' || ');
    // Loki: an empty line matches nothing; a capture the match did not reach is not set
    const isReached = c.reached === 0 ? `line <> ''` : `${fns.groupOf(helper, c.reached)} <> ''`;
    return { helpers, value: `CASE WHEN ${isReached} THEN ${value} END` };
  };
}

/** captures walked past at most, for the substring walk (each one is a bound value and two searches) */
const MAX_WALK = 3;

/**
 * Capture `name` of pattern `nodes` by Loki's walk in string functions, or undefined where the regex serves better
 * (no Dialect.letIn, or the capture lies after more than MAX_WALK others). NULL when the walk does not reach it:
 * an empty line, a leading literal the line does not start with, an earlier literal not found.
 */
function walkCapture(w: SqlWriter, nodes: PatternNode[], name: string): string | undefined {
  const d = w.dialect;
  if (!d.letIn) return undefined;
  const at = nodes.findIndex((x) => 'cap' in x && x.cap === name);
  const before = nodes.slice(0, at).filter((x) => 'cap' in x).length;
  if (before > MAX_WALK) return undefined;
  const lit = (k: number) => w.bind((nodes[k] as { lit: string }).lit, 'string');
  let names = 0;
  // `r`: the rest of the line at capture node k (never NULL here)
  const from = (k: number, r: string): string => {
    if (k === nodes.length - 1) return r;
    const l = lit(k + 1);
    const found = `strpos(${r}, ${l})`;
    if (k === at) return `(CASE WHEN ${found} = 0 THEN ${r} ELSE left(${r}, ${found} - 1) END)`;
    const next = `_pr${names++}`;
    const rest = `(CASE WHEN ${found} = 0 THEN NULL ELSE substr(${r}, ${found} + length(${l})) END)`;
    return d.letIn!(rest, next, `(CASE WHEN ${next} IS NULL THEN NULL ELSE ${from(k + 2, next)} END)`);
  };
  if ('lit' in nodes[0]!) {
    const l = lit(0);
    const r0 = `_pr${names++}`;
    const rest = `(CASE WHEN line <> '' AND starts_with(line, ${l}) THEN substr(line, length(${l}) + 1) END)`;
    return d.letIn(rest, r0, `(CASE WHEN ${r0} IS NULL THEN NULL ELSE ${from(1, r0)} END)`);
  }
  return `(CASE WHEN line = '' THEN NULL ELSE ${from(0, 'line')} END)`;
}

/** The labels a `| regexp` sets, each with its group (the first group a name sanitises to). */
function regexpGroups(src: string): { byName: Map<string, number>; groups: number } {
  const m = compileRE2(src, { anchored: false });
  const byName = new Map<string, number>();
  m.groupNames.forEach((g, idx) => {
    if (g !== '' && !byName.has(sanitizeLabelKey(g))) byName.set(sanitizeLabelKey(g), idx);
  });
  return { byName, groups: m.groupNames.length - 1 };
}

/** The labels a `| regexp` or `| pattern` stage can set. */
export function parsedLabelNames(st: { kind: 'regexp' | 'pattern'; pattern: string }): string[] {
  if (st.kind === 'regexp') return [...regexpGroups(st.pattern).byName.keys()];
  return patternNodes(st.pattern).flatMap((n) => ('cap' in n && n.cap !== '_' ? [n.cap] : []));
}

export function regexpLabels(src: string): Producer | NotInSql {
  const { byName, groups } = regexpGroups(src);
  let helper: string | undefined;
  let matched: string | undefined;
  return (ctx, name) => {
    const g = byName.get(name);
    if (g === undefined) return undefined;
    const { w, fns } = ctx;
    const helpers: string[] = [];
    if (!helper) {
      helper = helperName(ctx);
      matched = helperName(ctx);
      if (src.includes('\0')) throw new NotInSql('a regexp with NUL runs in TypeScript');
      helpers.push(
        `${fns.regexExtractGroups(w, 'line', src, groups)} AS ${helper}`,
        `${fns.regexMatch('line', w.bind(src, 'string'))} AS ${matched}`,
      );
    }
    return { helpers, value: `CASE WHEN ${matched} THEN ${fns.groupOf(helper, g)} END` };
  };
}
