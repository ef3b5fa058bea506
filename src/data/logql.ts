// LogQL text helpers for the frontend: find selectors, matchers, parsers and syntax errors with the same grammar the
// backend parses with (@grafana/lezer-logql), and edit queries (add/remove filters) by position, never by regex on
// the whole string.

import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode, Tree } from '@lezer/common';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface Span {
  from: number;
  to: number;
}

export function parse(expr: string): Tree {
  return parser.parse(expr);
}

function nodesNamed(expr: string, names: string[], tree = parse(expr)): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  tree.iterate({
    enter: (ref) => {
      if (names.includes(ref.name)) {
        out.push(ref.node);
      }
    },
  });
  return out;
}

/** Unquote a LogQL string literal ("…" with escapes, or `…` raw). */
export function unquote(lit: string): string {
  if (lit.startsWith('`')) {
    return lit.slice(1, -1);
  }
  if (lit.startsWith('"')) {
    try {
      return JSON.parse(lit);
    } catch {
      return lit.slice(1, -1).replace(/\\(.)/g, '$1');
    }
  }
  return lit;
}

/** Quote a value as a LogQL double-quoted string literal. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** Escape a value for an RE2 regex (as used in `=~` matchers of multi-value variables). */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}

/** Spans of every stream selector `{…}` in the query. */
export function getSelectorSpans(expr: string): Span[] {
  return nodesNamed(expr, ['Selector']).map((n) => ({ from: n.from, to: n.to }));
}

/** Text of every stream selector in the query. */
export function getStreamSelectors(expr: string): string[] {
  return getSelectorSpans(expr).map((s) => expr.slice(s.from, s.to));
}

function matcherFromNode(expr: string, node: SyntaxNode): Matcher | undefined {
  const id = node.getChild('Identifier');
  const str = node.getChild('String');
  const opNode = node.getChild('Eq') ?? node.getChild('Neq') ?? node.getChild('Re') ?? node.getChild('Nre');
  if (!id || !opNode) {
    return undefined;
  }
  return {
    label: expr.slice(id.from, id.to),
    op: expr.slice(opNode.from, opNode.to) as MatchOp,
    value: str ? unquote(expr.slice(str.from, str.to)) : '',
  };
}

/** Matchers of the first selector (or of the given selector text). */
export function getMatchers(expr: string): Matcher[] {
  const tree = parse(expr);
  const sel = nodesNamed(expr, ['Selector'], tree)[0];
  if (!sel) {
    return [];
  }
  const out: Matcher[] = [];
  let m: Matcher | undefined;
  sel.cursor().iterate((ref) => {
    if (ref.name === 'Matcher' && (m = matcherFromNode(expr, ref.node))) {
      out.push(m);
    }
  });
  return out;
}

export function formatSelector(matchers: Matcher[]): string {
  return `{${matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(', ')}}`;
}

/** True for log queries (streams), false for metric queries. */
export function isLogsQuery(expr: string): boolean {
  const tree = parse(expr);
  let metric = false;
  tree.iterate({
    enter: (ref) => {
      if (ref.name === 'MetricExpr') {
        metric = true;
      }
      return !metric;
    },
  });
  return !metric && expr.trim() !== '';
}

const PARSER_NODES = ['LabelParser', 'JsonExpressionParser', 'LogfmtParser', 'LogfmtExpressionParser'];

/** Parsers used in the query, in order: json, logfmt, regexp, pattern, unpack. */
export function getParsers(expr: string): string[] {
  return nodesNamed(expr, PARSER_NODES).map((n) => expr.slice(n.from, n.to).split(/\s/)[0]);
}

/** The first syntax error, if any: its offset and a message naming what was found there. */
export function findSyntaxError(expr: string): { from: number; to: number; message: string } | undefined {
  if (expr.trim() === '') {
    return undefined;
  }
  const tree = parse(expr);
  let err: { from: number; to: number } | undefined;
  tree.iterate({
    enter: (ref) => {
      if (err) {
        return false;
      }
      if (ref.type.isError) {
        err = { from: ref.from, to: ref.to };
        return false;
      }
      return true;
    },
  });
  if (!err) {
    return undefined;
  }
  const rest = expr.slice(err.from).trimStart();
  const tok = rest.match(/^(\S+)/)?.[1];
  const to = err.to > err.from ? err.to : Math.min(expr.length, err.from + (tok?.length ?? 1));
  return {
    from: err.from,
    to: Math.max(to, err.from),
    message: tok ? `parse error: unexpected ${JSON.stringify(tok.slice(0, 20))}` : 'parse error: unexpected end of query',
  };
}

/** Convert an offset into 1-based line/column. */
export function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Convert 1-based line/column into an offset. */
export function positionToOffset(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) {
    off += lines[i].length + 1;
  }
  return off + Math.max(0, column - 1);
}

// ---------------------------------------------------------------- editing

function applyEdits(expr: string, edits: Array<{ from: number; to: number; text: string }>): string {
  let out = expr;
  for (const e of [...edits].sort((a, b) => b.from - a.from)) {
    out = out.slice(0, e.from) + e.text + out.slice(e.to);
  }
  return out;
}

/** Add (or replace) a matcher in every selector. An existing identical matcher is left alone. */
export function addMatcherToSelectors(expr: string, m: Matcher): string {
  const tree = parse(expr);
  const selectors = nodesNamed(expr, ['Selector'], tree);
  if (selectors.length === 0) {
    return expr.trim() === '' ? formatSelector([m]) : expr;
  }
  const edits = selectors.map((sel) => {
    const matchers = getMatchers(expr.slice(sel.from, sel.to));
    const rest = matchers.filter((x) => !(x.label === m.label && x.op === m.op && x.value === m.value));
    // Replace a contradicting matcher on the same label (app="a" → app!="a").
    const filtered = rest.filter((x) => !(x.label === m.label && x.value === m.value));
    return { from: sel.from, to: sel.to, text: formatSelector([...filtered, m]) };
  });
  return applyEdits(expr, edits);
}

/** Remove a matcher from every selector (keeps at least one matcher). */
export function removeMatcherFromSelectors(expr: string, m: Matcher): string {
  const selectors = nodesNamed(expr, ['Selector']);
  const edits = selectors.map((sel) => {
    const matchers = getMatchers(expr.slice(sel.from, sel.to));
    const rest = matchers.filter((x) => !(x.label === m.label && x.op === m.op && x.value === m.value));
    return { from: sel.from, to: sel.to, text: formatSelector(rest.length ? rest : matchers) };
  });
  return applyEdits(expr, edits);
}

interface StageRef {
  node: SyntaxNode;
  /** the enclosing PipelineStage (includes the leading pipe) */
  stage: SyntaxNode;
}

/** Label filter stages `| key op "value"` (simple string matchers only). */
function labelFilterStages(expr: string, tree: Tree): Array<StageRef & { matcher: Matcher }> {
  const out: Array<StageRef & { matcher: Matcher }> = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name === 'LabelFilter') {
        const stage = ref.node.parent;
        const matcherNode = ref.node.getChild('Matcher');
        if (stage?.name === 'PipelineStage' && matcherNode && matcherNode.to === ref.to && matcherNode.from === ref.from) {
          const matcher = matcherFromNode(expr, matcherNode);
          if (matcher) {
            out.push({ node: ref.node, stage, matcher });
          }
        }
      }
    },
  });
  return out;
}

/** Where to insert a new pipeline stage after the last parser (per log expression), or after the selector. */
function insertionPoints(expr: string, tree: Tree, afterParser: boolean): number[] {
  const points: number[] = [];
  // Each Selector belongs to a LogExpr or LogRangeExpr; its pipeline is the sibling PipelineExpr.
  for (const sel of nodesNamed(expr, ['Selector'], tree)) {
    const parent = sel.parent;
    let point = sel.to;
    const pipeline = parent?.getChild('PipelineExpr');
    if (pipeline) {
      if (afterParser) {
        let last = -1;
        pipeline.cursor().iterate((ref) => {
          if (PARSER_NODES.includes(ref.name)) {
            last = Math.max(last, ref.node.parent?.to ?? ref.to);
          }
        });
        point = last >= 0 ? last : pipeline.to;
      } else {
        // After the line filters that follow the selector directly.
        let end = sel.to;
        pipeline.cursor().iterate((ref) => {
          if (ref.name === 'PipelineStage') {
            const isLineFilter = ref.node.firstChild?.name === 'LineFilters';
            if (isLineFilter && ref.from <= end + 2) {
              end = ref.to;
            }
            return false;
          }
          return true;
        });
        point = end;
      }
    }
    points.push(point);
  }
  return points;
}

/** Add a label filter `| key op "value"` after the parser of each log expression. */
export function addLabelFilter(expr: string, m: Matcher): string {
  const tree = parse(expr);
  const points = insertionPoints(expr, tree, true);
  const text = ` | ${m.label}${m.op}${quote(m.value)}`;
  return applyEdits(
    expr,
    points.map((p) => ({ from: p, to: p, text })),
  );
}

export function removeLabelFilter(expr: string, m: Matcher): string {
  const tree = parse(expr);
  const edits = labelFilterStages(expr, tree)
    .filter((s) => s.matcher.label === m.label && s.matcher.op === m.op && s.matcher.value === m.value)
    .map((s) => {
      // remove the stage and the whitespace before it
      let from = s.stage.from;
      while (from > 0 && /\s/.test(expr[from - 1])) {
        from--;
      }
      return { from, to: s.stage.to, text: '' };
    });
  return applyEdits(expr, edits);
}

/** Add a line filter (`|= "text"` or `!= "text"`) right after the selector's existing line filters. */
export function addLineFilter(expr: string, value: string, op: '|=' | '!=' | '|~' | '!~' = '|='): string {
  const tree = parse(expr);
  const points = insertionPoints(expr, tree, false);
  if (points.length === 0) {
    return expr;
  }
  const text = ` ${op} ${quote(value)}`;
  return applyEdits(
    expr,
    points.map((p) => ({ from: p, to: p, text })),
  );
}

/** Labels the query's selectors constrain. */
export function selectorLabels(expr: string): Set<string> {
  const out = new Set<string>();
  for (const sel of getStreamSelectors(expr)) {
    for (const m of getMatchers(sel)) {
      out.add(m.label);
    }
  }
  return out;
}

/** True when the query has the filter, in a selector or as a label filter. */
export function hasFilter(expr: string, m: Matcher): boolean {
  for (const sel of getStreamSelectors(expr)) {
    if (getMatchers(sel).some((x) => x.label === m.label && x.op === m.op && x.value === m.value)) {
      return true;
    }
  }
  return labelFilterStages(expr, parse(expr)).some(
    (s) => s.matcher.label === m.label && s.matcher.op === m.op && s.matcher.value === m.value,
  );
}

/**
 * Add a label filter where it belongs: a stream label (one the selector already uses, or any label of a query without
 * a parser) goes into the selector; a label of a query with a parser goes after the parser.
 */
export function addFilter(expr: string, m: Matcher, opts: { streamLabel?: boolean } = {}): string {
  const hasParser = getParsers(expr).length > 0;
  const inSelector = opts.streamLabel ?? (!hasParser || selectorLabels(expr).has(m.label));
  return inSelector ? addMatcherToSelectors(expr, m) : addLabelFilter(expr, m);
}

export function removeFilter(expr: string, m: Matcher): string {
  return removeLabelFilter(removeMatcherFromSelectors(expr, m), m);
}

/** Replace the range of every range aggregation (`[5m]` → `[$__auto]`). */
export function replaceRanges(expr: string, range: string): string {
  const edits = nodesNamed(expr, ['Range']).map((n) => ({ from: n.from, to: n.to, text: `[${range}]` }));
  return applyEdits(expr, edits);
}

/** The log pipeline part of a log query: everything after the first selector. */
export function logPipeline(expr: string): string {
  const sel = getSelectorSpans(expr)[0];
  return sel ? expr.slice(sel.to).trim() : '';
}

/** Parse a duration like `1h30m`, `500ms`, `2d` into milliseconds; undefined when it is not one. */
export function durationToMs(d: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/g;
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    y: 31_536_000_000,
  };
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(d))) {
    if (m.index !== consumed) {
      return undefined;
    }
    consumed += m[0].length;
    total += parseFloat(m[1]) * unit[m[2]];
  }
  return consumed === d.length && consumed > 0 ? total : undefined;
}

/** Format milliseconds as a LogQL duration (whole units: 90000 → 90s, 3600000 → 1h). */
export function msToDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [u, n] of units) {
    if (ms >= n && ms % n === 0) {
      return `${ms / n}${u}`;
    }
  }
  return `${Math.max(1, Math.round(ms))}ms`;
}

const CONTEXT_STAGE_NODES = [...PARSER_NODES, 'LineFormatExpr', 'DecolorizeExpr'];

/**
 * The pipeline stages of a log query that change how lines look (parsers, line_format, decolorize), without line or
 * label filters: what log context keeps so that context lines look like the row.
 */
export function formattingStages(expr: string): string {
  const tree = parse(expr);
  const out: string[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name === 'PipelineStage') {
        const child = ref.node.getChildren('Pipe').length ? ref.node.lastChild : ref.node.firstChild;
        if (child && CONTEXT_STAGE_NODES.includes(child.name)) {
          out.push(`| ${expr.slice(child.from, child.to)}`);
        }
        return false;
      }
      return true;
    },
  });
  return out.join(' ');
}
