// Semantic checks: everything Loki rejects after the grammar has accepted a query (pkg/logql/syntax: mustNew*,
// RangeAggregationExpr.validate, validateMatchers, validateSortGrouping, the regexp/pattern/json stage builders).
// Every error names the construct and points at it.

import { regexSyntaxChars } from '../util/regexScan';
import { re2Error as goRegexpError, re2MatchesEmpty } from '../eval/re2';
import type { AnyExpr, Expr, LabelFilterExpr, LogExpr, Matcher, MetricExpr, Span, Stage } from './ast';
import { LogQLError } from './errors';
import { isComparisonOp, isSetOp, RANGE_FUNCTIONS, VECTOR_FUNCTIONS } from './functions';
import { parseExpr } from './parse';

/** parse + check: what the engine calls. Throws LogQLError. A variants query is refused as Loki refuses it when
 *  multi-variant queries are off (its default). */
export function parse(query: string): Expr {
  const expr = parseExpr(query);
  checkExpr(expr, query);
  if (expr.kind === 'variants') throw new LogQLError('check', ERR_VARIANTS_DISABLED);
  return expr;
}

export const ERR_VARIANTS_DISABLED = 'multi variant queries are disabled for this instance';

/** parse + check, variants queries included (format_query: what Loki's ParseExpr accepts). Throws LogQLError. */
export function parseQuery(query: string): AnyExpr {
  const expr = parseExpr(query);
  checkExpr(expr, query, false);
  return expr;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function checkExpr(expr: AnyExpr, query: string, execution = true): void {
  new Checker(query, execution).expr(expr);
}

/** Parses an RE2 pattern with Go's syntax and limits (eval/re2, no compilation); returns Go's error or undefined. */
export function re2Error(pattern: string): string | undefined {
  return goRegexpError(pattern);
}

/** Whether a fully anchored RE2 pattern matches the empty string (Prometheus label matcher semantics). */
export function regexMatchesEmpty(pattern: string): boolean {
  return re2MatchesEmpty(`(?s:${pattern})`);
}

export function matcherMatchesEmpty(m: { op: Matcher['op']; value: string }): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return regexMatchesEmpty(m.value);
    case '!~':
      return !regexMatchesEmpty(m.value);
  }
}

/** Named groups of an RE2 pattern, `(?P<name>…)` or `(?<name>…)`, in order. */
export function regexGroupNames(pattern: string): string[] {
  const out: string[] = [];
  for (const [c, i] of regexSyntaxChars(pattern)) {
    if (c === '(' && pattern[i + 1] === '?') {
      const m = /^\(\?P?<([^>]*)>/.exec(pattern.slice(i));
      if (m) out.push(m[1]!);
    }
  }
  return out;
}

/** A Loki `pattern` expression: literals and `<name>` / `<_>` captures. */
export type PatternPart = { kind: 'literal'; text: string } | { kind: 'capture'; name: string };

export function parsePattern(text: string): PatternPart[] {
  const parts: PatternPart[] = [];
  const re = /<[A-Za-z_][A-Za-z0-9_]*>/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push({ kind: 'literal', text: text.slice(last, m.index) });
    parts.push({ kind: 'capture', name: m[0].slice(1, -1) });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ kind: 'literal', text: text.slice(last) });
  return parts;
}

/** Validates a pattern as Loki does; `lineFilter` patterns (|> !>) may not name captures. Returns an error or undefined. */
export function patternError(text: string, lineFilter: boolean): string | undefined {
  const parts = parsePattern(text);
  for (let i = 0; i + 1 < parts.length; i++) {
    const a = parts[i]!;
    const b = parts[i + 1]!;
    if (a.kind === 'capture' && b.kind === 'capture')
      return `found consecutive capture '<${a.name}><${b.name}>': invalid expression`;
  }
  const named = parts.filter((p): p is { kind: 'capture'; name: string } => p.kind === 'capture' && p.name !== '_');
  if (lineFilter) {
    if (named.length) return `named captures are not allowed: found '<${named[0]!.name}>'`;
    return undefined;
  }
  if (named.length === 0) return 'at least one capture is required';
  const seen = new Set<string>();
  for (const c of named) {
    if (seen.has(c.name)) return `duplicate capture name (${c.name}): invalid expression`;
    seen.add(c.name);
  }
  return undefined;
}

/** Parses a json stage expression (`a.b[0]`, `["k"]`, `a["b c"].d`) into path steps; throws Error as Loki's jsonexpr. */
export function parseJsonPath(expr: string): (string | number)[] {
  const out: (string | number)[] = [];
  let i = 0;
  let expectField = true; // at start or after a dot
  let first = true;
  const isStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c === '.') {
      if (first || expectField) throw new Error('syntax error: unexpected DOT');
      expectField = true;
      i++;
      continue;
    }
    if (c === '[') {
      if (expectField && !first) throw new Error('syntax error: unexpected LSB');
      i++;
      while (expr[i] === ' ') i++;
      if (expr[i] === '"') {
        let j = i + 1;
        while (j < expr.length && expr[j] !== '"' && expr[j] !== ']') j++;
        out.push(expr.slice(i + 1, j));
        i = j + 1;
      } else if (/[0-9]/.test(expr[i] ?? '')) {
        let j = i;
        while (/[0-9]/.test(expr[j] ?? '')) j++;
        if (expr[j] === '.') throw new Error('cannot use float as array index');
        out.push(Number(expr.slice(i, j)));
        i = j;
      } else throw new Error(`unexpected char ${expr[i] ?? 'EOF'}`);
      while (expr[i] === ' ') i++;
      if (expr[i] !== ']') throw new Error('syntax error: expected RSB');
      i++;
      first = false;
      expectField = false;
      continue;
    }
    if (isStart(c)) {
      if (!expectField) throw new Error('syntax error: unexpected FIELD');
      let j = i;
      while (j < expr.length && /[A-Za-z0-9_]/.test(expr[j]!)) j++;
      out.push(expr.slice(i, j));
      i = j;
      first = false;
      expectField = false;
      continue;
    }
    throw new Error(`unexpected char ${c}`);
  }
  if (out.length === 0 || (expectField && !first)) throw new Error('syntax error: unexpected end of expression');
  return out;
}

class Checker {
  /** `execution`: also what Loki only checks when it builds the pipeline (line filter regexes) */
  constructor(
    private readonly q: string,
    private readonly execution = true,
  ) {}

  private fail(span: Span, message: string, kind: 'check' | 'unsupported' = 'check'): never {
    throw new LogQLError(kind, message, span, this.q);
  }

  expr(e: AnyExpr): void {
    if (e.kind === 'log') this.log(e);
    else if (e.kind === 'variants') {
      this.log(e.log);
      if (e.unwrap) for (const pf of e.unwrap.postFilters) this.labelFilter(pf.expr);
      for (const v of e.variants) this.metric(v);
    } else this.metric(e);
  }

  private log(e: LogExpr): void {
    for (const m of e.matchers) {
      if (m.op === '=~' || m.op === '!~') this.regex(m.value, m.span, 'matcher');
    }
    if (!e.matchers.some((m) => !matcherMatchesEmpty(m))) {
      this.fail(
        e.matchers[0]?.span ?? e.span,
        'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
      );
    }
    for (const s of e.pipeline) this.stage(s);
  }

  private regex(pattern: string, span: Span, what: string): void {
    const err = re2Error(pattern);
    if (err !== undefined) this.fail(span, `invalid regular expression in ${what} ${JSON.stringify(pattern)}: ${err}`);
  }

  private stage(s: Stage): void {
    switch (s.kind) {
      case 'lineFilter':
        for (const v of s.filter.values) {
          if (v.kind === 'ip') continue;
          // Loki compiles line filter regexes when it builds the pipeline: format_query accepts any
          if ((s.filter.op === '|~' || s.filter.op === '!~') && this.execution) {
            const err = re2Error(v.value);
            if (err !== undefined) this.fail(s.span, `stage '${s.filter.op} ${JSON.stringify(v.value)}' : ${err}`);
          }
          if (s.filter.op === '|>' || s.filter.op === '!>') {
            const err = patternError(v.value, true);
            if (err) this.fail(s.span, `invalid pattern in line filter: ${err}`);
          }
        }
        return;
      case 'regexp': {
        this.regex(s.pattern, s.span, 'regexp parser');
        const names = regexGroupNames(s.pattern).filter((n) => n !== '');
        if (names.length === 0) this.fail(s.span, 'invalid regexp parser: at least one named capture must be supplied');
        const seen = new Set<string>();
        for (const n of names) {
          if (!LABEL_NAME.test(n)) this.fail(s.span, `invalid regexp parser: invalid extracted label name '${n}'`);
          if (seen.has(n)) this.fail(s.span, `invalid regexp parser: duplicate extracted label name '${n}'`);
          seen.add(n);
        }
        return;
      }
      case 'pattern': {
        const err = patternError(s.pattern, false);
        if (err) this.fail(s.span, `invalid pattern parser: ${err}`);
        return;
      }
      case 'json':
        for (const p of s.params) {
          if (!LABEL_NAME.test(p.label)) this.fail(p.span, `invalid extracted label name '${p.label}'`);
          try {
            parseJsonPath(p.expression);
          } catch (e) {
            this.fail(p.span, `cannot parse expression [${p.expression}]: ${(e as Error).message}`);
          }
        }
        return;
      case 'logfmt':
        for (const p of s.params)
          if (!LABEL_NAME.test(p.label)) this.fail(p.span, `invalid extracted label name '${p.label}'`);
        return;
      case 'labelFilter':
        this.labelFilter(s.expr);
        return;
      case 'labelFormat': {
        const seen = new Set<string>();
        for (const op of s.ops) {
          if (!LABEL_NAME.test(op.dst)) this.fail(op.span, `invalid label name '${op.dst}' in label_format`);
          if (seen.has(op.dst))
            this.fail(op.span, `multiple label name '${op.dst}' not allowed in a single format operation`);
          seen.add(op.dst);
        }
        return;
      }
      case 'drop':
      case 'keep':
        for (const l of s.labels)
          if (l.matcher && (l.matcher.op === '=~' || l.matcher.op === '!~'))
            this.regex(l.matcher.value, l.span, s.kind);
        return;
      case 'unpack':
      case 'lineFormat':
      case 'decolorize':
        return;
    }
  }

  private labelFilter(f: LabelFilterExpr): void {
    switch (f.kind) {
      case 'and':
      case 'or':
        this.labelFilter(f.left);
        this.labelFilter(f.right);
        return;
      case 'string':
        if (f.op === '=~' || f.op === '!~') this.regex(f.value, f.span, 'label filter');
        return;
      default:
        return;
    }
  }

  private metric(e: MetricExpr): void {
    switch (e.kind) {
      case 'literal':
      case 'vector':
        return;
      case 'rangeAgg': {
        const fn = RANGE_FUNCTIONS[e.op];
        if (e.param !== undefined && fn.param === 'none')
          this.fail(e.span, `parameter ${e.param} not supported for operation ${e.op}`);
        if (e.param === undefined && fn.param === 'required')
          this.fail(e.span, `parameter required for operation ${e.op}`);
        if (e.grouping && !fn.grouping) this.fail(e.grouping.span, `grouping not allowed for ${e.op} aggregation`);
        if (e.unwrap && fn.unwrap === 'forbidden') this.fail(e.unwrap.span, `invalid aggregation ${e.op} with unwrap`);
        if (!e.unwrap && fn.unwrap === 'required') this.fail(e.span, `invalid aggregation ${e.op} without unwrap`);
        this.log(e.log);
        if (e.unwrap) for (const pf of e.unwrap.postFilters) this.labelFilter(pf.expr);
        return;
      }
      case 'vectorAgg': {
        const fn = VECTOR_FUNCTIONS[e.op];
        if (fn.param === 'required') {
          if (e.param === undefined) this.fail(e.span, `parameter required for operation ${e.op}`);
          if (!Number.isInteger(e.param)) this.fail(e.span, `invalid parameter ${e.op}(${e.param},`);
          if (e.param <= 0) this.fail(e.span, `invalid parameter (must be greater than 0) ${e.op}(${e.param}`);
        } else if (e.param !== undefined) {
          this.fail(e.span, `unsupported parameter for operation ${e.op}(${e.param},`);
        }
        if (e.grouping) {
          if (fn.grouping === 'forbidden') this.fail(e.grouping.span, `grouping not allowed for ${e.op} aggregation`);
          if (fn.grouping === 'empty-only' && e.grouping.labels.length > 0)
            this.fail(e.grouping.span, `${e.op} doesn't allow grouping by labels`);
        }
        this.metric(e.expr);
        return;
      }
      case 'binary': {
        if (isSetOp(e.op)) {
          if (e.left.kind === 'literal')
            this.fail(
              e.left.span,
              `unexpected literal for left leg of logical/set binary operation (${e.op}): ${e.left.value}`,
            );
          if (e.right.kind === 'literal')
            this.fail(
              e.right.span,
              `unexpected literal for right leg of logical/set binary operation (${e.op}): ${e.right.value}`,
            );
        }
        if (e.bool && !isComparisonOp(e.op))
          this.fail(e.span, `bool modifier can only be used on comparison operators, not ${e.op}`);
        if (e.matching?.group && isSetOp(e.op)) this.fail(e.span, `no grouping allowed for "${e.op}" operation`);
        if (e.matching) {
          const inMatch = new Set(e.matching.labels);
          if (e.matching.on && e.matching.group) {
            for (const l of e.matching.group.include) {
              if (inMatch.has(l)) this.fail(e.span, `label "${l}" must not occur in ON and GROUP clause at once`);
            }
          }
        }
        this.metric(e.left);
        this.metric(e.right);
        return;
      }
      case 'labelReplace': {
        const err = re2Error(`^(?s:${e.regex})$`);
        if (err !== undefined) this.fail(e.span, `invalid regex in label_replace: ${err}`);
        // Loki does not check the destination's name (an empty one with an empty replacement is a no-op)
        if (e.dst !== '' && !LABEL_NAME.test(e.dst))
          this.fail(e.span, `invalid destination label name in label_replace(): ${e.dst}`);
        this.metric(e.expr);
        return;
      }
    }
  }
}
