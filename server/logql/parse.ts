// LogQL text → typed AST, using the lezer grammar Grafana's own Loki editor uses (@grafana/lezer-logql).
//
// The lezer tree is only a concrete syntax tree: this file maps it to ast.ts, decodes Go string literals, numbers,
// durations and byte sizes, and rebuilds binary operator precedence (the grammar's precedence table does not match
// Loki's: `a / 2 ^ 3` would otherwise group as `(a / 2) ^ 3`). Syntax errors name line, column and the offending token.

import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { GoSyntaxError, unquoteGo } from '../util/gostring';
import type {
  BinaryOp,
  CompareOp,
  Expr,
  ExtractionParam,
  Grouping,
  LabelFilterExpr,
  LabelFilterStage,
  LabelFormatOp,
  LabelSelection,
  LineFilter,
  LineFilterOp,
  LineFilterValue,
  LogExpr,
  MatchOp,
  Matcher,
  MetricExpr,
  RangeOp,
  Span,
  Stage,
  Unwrap,
  UnwrapConversion,
  VectorMatching,
  VectorOp,
} from './ast';
import { LogQLError } from './errors';
import { BINARY_OPERATORS, RANGE_FUNCTIONS, VECTOR_FUNCTIONS } from './functions';
import { BytesError, DurationError, parseBytes, parseDuration, parsePromDuration } from './units';

/** Loki refuses queries this long or longer (pkg/logql/syntax/parser.go maxInputSize). */
export const MAX_QUERY_LENGTH = 5120;

export function parseExpr(query: string): Expr {
  if (query.length >= MAX_QUERY_LENGTH) {
    throw new LogQLError(
      'parse',
      `input size too long (${query.length} > ${MAX_QUERY_LENGTH})`,
      { from: 0, to: 0 },
      query,
    );
  }
  // The lezer grammar lacks Loki's `selector pipeline unwrap [range] offset d` form: when the parse fails on such an
  // `offset`, blank it out (same length, so every span stays valid), parse again and hand the offset to the builder.
  let text = query;
  const offsets: DetachedOffset[] = [];
  for (;;) {
    const tree = parser.parse(text);
    const err = firstError(tree.topNode);
    if (err) {
      const detached = detachOffset(text, err.from);
      if (detached) {
        offsets.push(detached.offset);
        text = detached.text;
        continue;
      }
      throw syntaxError(query, err.from, err.to);
    }
    const top = tree.topNode.getChild('Expr');
    if (!top) throw syntaxError(query, 0, query.length);
    const b = new Builder(query, offsets);
    const expr = b.expr(top);
    const unused = offsets.find((o) => !b.usedOffsets.has(o));
    if (unused) throw syntaxError(query, unused.from, unused.to);
    return expr;
  }
}

interface DetachedOffset {
  from: number;
  to: number;
  duration: string;
}

function detachOffset(text: string, errPos: number): { text: string; offset: DetachedOffset } | undefined {
  const tok = tokenAt(text, errPos);
  if (!tok || tok.text !== 'offset') return undefined;
  const before = text.slice(0, tok.from).trimEnd();
  if (!before.endsWith(']')) return undefined;
  const dur = tokenAt(text, tok.from + tok.text.length);
  if (!dur || !/^-?[0-9]/.test(dur.text)) return undefined;
  const to = dur.from + dur.text.length;
  return {
    text: text.slice(0, tok.from) + ' '.repeat(to - tok.from) + text.slice(to),
    offset: { from: tok.from, to, duration: dur.text },
  };
}

// ---------------------------------------------------------------- syntax errors

function firstError(root: SyntaxNode): { from: number; to: number } | undefined {
  let found: { from: number; to: number } | undefined;
  root.toTree().iterate({
    enter(n) {
      if (found) return false;
      if (n.type.isError) {
        found = { from: n.from, to: n.to };
        return false;
      }
      return undefined;
    },
  });
  return found;
}

const TWO_CHAR_OPS = ['|=', '|~', '|>', '!=', '!~', '!>', '=~', '==', '>=', '<='];

/** The token starting at (or after whitespace/comments from) `pos`, or undefined at the end of the text. */
export function tokenAt(text: string, pos: number): { text: string; from: number } | undefined {
  let i = pos;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    break;
  }
  if (i >= text.length) return undefined;
  const c = text[i]!;
  let j = i + 1;
  if (c === '"' || c === '`') {
    while (j < text.length && text[j] !== c && text[j] !== '\n') {
      if (c === '"' && text[j] === '\\') j++;
      j++;
    }
    j = Math.min(j + 1, text.length);
  } else if (/[A-Za-z_:]/.test(c)) {
    while (j < text.length && /[A-Za-z0-9_:]/.test(text[j]!)) j++;
  } else if (/[0-9.]/.test(c)) {
    while (j < text.length && /[0-9A-Za-zµ.]/.test(text[j]!)) j++;
  } else if (c === '-' && text.startsWith('--', i)) {
    while (j < text.length && /[a-z-]/.test(text[j]!)) j++;
  } else if (TWO_CHAR_OPS.includes(text.slice(i, i + 2))) {
    j = i + 2;
  }
  return { text: text.slice(i, j), from: i };
}

function syntaxError(query: string, from: number, to: number): LogQLError {
  const tok = tokenAt(query, from);
  if (!tok) {
    return new LogQLError(
      'parse',
      'syntax error: unexpected end of query',
      { from: query.length, to: query.length },
      query,
    );
  }
  const shown = tok.text.length > 40 ? tok.text.slice(0, 40) + '…' : tok.text;
  return new LogQLError(
    'parse',
    `syntax error: unexpected ${JSON.stringify(shown)}`,
    { from: tok.from, to: Math.max(to, tok.from + tok.text.length) },
    query,
  );
}

// ---------------------------------------------------------------- Go string literals

/**
 * Decodes a Go string literal as Loki's lexer does (Prometheus strutil.Unquote): `"…"` with Go escapes, or a backtick
 * raw string (no escapes, carriage returns kept). See unquoteGo. Throws Error on a bad literal.
 */
export function unquoteGoString(lit: string): string {
  if (lit[0] === "'") throw new GoSyntaxError();
  return unquoteGo(lit, { keepRawCR: true });
}

/** Go's strconv.ParseFloat for the number forms the grammar lexes (no hex without a `p` exponent, as Go). */
export function parseGoFloat(text: string): number | undefined {
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
  return undefined;
}

// ---------------------------------------------------------------- tree → AST

const MATCH_OPS: Record<string, MatchOp> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };
const COMPARE_OPS: Record<string, CompareOp> = {
  Eq: '=',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Gte: '>=',
  Lss: '<',
  Lte: '<=',
};
const LINE_FILTER_OPS: Record<string, LineFilterOp> = {
  PipeExact: '|=',
  Neq: '!=',
  PipeMatch: '|~',
  Nre: '!~',
  PipePattern: '|>',
  Npa: '!>',
};
const BIN_OPS: Record<string, BinaryOp> = {
  Or: 'or',
  And: 'and',
  Unless: 'unless',
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Gte: '>=',
  Lss: '<',
  Lte: '<=',
};
const CONVERSIONS: Record<string, UnwrapConversion> = {
  BytesConv: 'bytes',
  DurationConv: 'duration',
  DurationSecondsConv: 'duration_seconds',
};

interface BinOperand {
  expr: MetricExpr;
  span: Span; // the operand's text, parentheses included
}
interface BinOperator {
  op: BinaryOp;
  bool: boolean;
  matching?: VectorMatching;
}

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

class Builder {
  readonly usedOffsets = new Set<DetachedOffset>();

  constructor(
    private readonly q: string,
    private readonly detachedOffsets: DetachedOffset[] = [],
  ) {}

  private detachedOffset(from: number, to: number): bigint | undefined {
    const o = this.detachedOffsets.find((d) => d.from >= from && d.to <= to && !this.usedOffsets.has(d));
    if (!o) return undefined;
    this.usedOffsets.add(o);
    try {
      return parseDuration(o.duration);
    } catch (e) {
      if (e instanceof DurationError) this.fail(o, e.message);
      throw e;
    }
  }

  private span(n: SyntaxNode): Span {
    return { from: n.from, to: n.to };
  }

  private text(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  private fail(n: SyntaxNode | Span, message: string, kind: 'parse' | 'check' | 'unsupported' = 'parse'): never {
    throw new LogQLError(kind, message, { from: n.from, to: n.to }, this.q);
  }

  private need(n: SyntaxNode, name: string): SyntaxNode {
    const c = n.getChild(name);
    if (!c) this.fail(n, `syntax error: missing ${name} in ${this.text(n)}`);
    return c;
  }

  private str(n: SyntaxNode): string {
    try {
      return unquoteGoString(this.text(n));
    } catch (e) {
      return this.fail(n, `invalid string literal ${this.text(n)}: ${(e as Error).message}`);
    }
  }

  private number(n: SyntaxNode): number {
    const v = parseGoFloat(this.text(n));
    if (v === undefined) this.fail(n, `unable to parse literal as a float: ${this.text(n)}`);
    return v;
  }

  private duration(n: SyntaxNode, rangeOnly: boolean): bigint {
    try {
      return rangeOnly ? parsePromDuration(this.text(n)) : parseDuration(this.text(n));
    } catch (e) {
      if (e instanceof DurationError) this.fail(n, e.message);
      throw e;
    }
  }

  expr(n: SyntaxNode): Expr {
    const c = n.firstChild;
    if (!c) this.fail(n, 'syntax error: empty expression');
    if (c.name === 'LogExpr') return this.logExpr(c);
    if (c.name === 'MetricExpr') return this.metricExpr(c);
    return this.fail(c, `syntax error: unexpected ${c.name}`);
  }

  // ------------------------------------------------------------ log queries

  private logExpr(n: SyntaxNode): LogExpr {
    const inner = n.getChild('LogExpr');
    if (inner) return this.logExpr(inner); // ( logExpr )
    const sel = this.need(n, 'Selector');
    const pipe = n.getChild('PipelineExpr');
    return { kind: 'log', matchers: this.selector(sel), pipeline: pipe ? this.pipeline(pipe) : [], span: this.span(n) };
  }

  private selector(n: SyntaxNode): Matcher[] {
    const out: Matcher[] = [];
    const walk = (m: SyntaxNode) => {
      for (const c of children(m)) {
        if (c.name === 'Matchers') walk(c);
        else if (c.name === 'Matcher') out.push(this.matcher(c));
      }
    };
    walk(this.need(n, 'Matchers'));
    return out;
  }

  private matcher(n: SyntaxNode): Matcher {
    const [id, op, val] = children(n);
    if (!id || !op || !val || !(op.name in MATCH_OPS)) this.fail(n, `syntax error: invalid matcher ${this.text(n)}`);
    return { name: this.text(id), op: MATCH_OPS[op.name]!, value: this.str(val), span: this.span(n) };
  }

  private pipeline(n: SyntaxNode): Stage[] {
    const stages: Stage[] = [];
    const walk = (p: SyntaxNode) => {
      for (const c of children(p)) {
        if (c.name === 'PipelineExpr') walk(c);
        else if (c.name === 'PipelineStage') stages.push(...this.stage(c));
      }
    };
    walk(n);
    return stages;
  }

  private stage(n: SyntaxNode): Stage[] {
    const lf = n.getChild('LineFilters');
    if (lf) return this.lineFilters(lf).map((filter) => ({ kind: 'lineFilter' as const, filter, span: filter.span }));
    const body = children(n).find((c) => c.name !== 'Pipe');
    if (!body) this.fail(n, 'syntax error: empty pipeline stage');
    const span = this.span(n);
    switch (body.name) {
      case 'LogfmtParser':
      case 'LogfmtExpressionParser': {
        const flags = this.flags(body.getChild('LogfmtParserFlags'));
        const list = body.getChild('LabelExtractionExpressionList');
        return [
          {
            kind: 'logfmt',
            strict: flags.has('--strict'),
            keepEmpty: flags.has('--keep-empty'),
            params: list ? this.extractionParams(list) : [],
            span,
          },
        ];
      }
      case 'JsonExpressionParser':
        return [
          { kind: 'json', params: this.extractionParams(this.need(body, 'LabelExtractionExpressionList')), span },
        ];
      case 'LabelParser': {
        const kw = body.firstChild!;
        switch (kw.name) {
          case 'Json':
            return [{ kind: 'json', params: [], span }];
          case 'Unpack':
            return [{ kind: 'unpack', span }];
          case 'Regexp':
            return [{ kind: 'regexp', pattern: this.str(this.need(body, 'String')), span }];
          case 'Pattern':
            return [{ kind: 'pattern', pattern: this.str(this.need(body, 'String')), span }];
        }
        return this.fail(body, `unknown parser ${this.text(kw)}`, 'unsupported');
      }
      case 'LabelFilter':
        return [{ kind: 'labelFilter', expr: this.labelFilter(body), span }];
      case 'LineFormatExpr':
        return [{ kind: 'lineFormat', template: this.str(this.need(body, 'String')), span }];
      case 'LabelFormatExpr':
        return [{ kind: 'labelFormat', ops: this.labelFormats(this.need(body, 'LabelsFormat')), span }];
      case 'DecolorizeExpr':
        return [{ kind: 'decolorize', span }];
      case 'DropLabelsExpr':
        return [
          {
            kind: 'drop',
            labels: this.labelSelections(this.need(body, 'DropLabels'), 'DropLabels', 'DropLabel'),
            span,
          },
        ];
      case 'KeepLabelsExpr':
        return [
          {
            kind: 'keep',
            labels: this.labelSelections(this.need(body, 'KeepLabels'), 'KeepLabels', 'KeepLabel'),
            span,
          },
        ];
    }
    return this.fail(body, `unsupported pipeline stage ${this.text(body)}`, 'unsupported');
  }

  private lineFilters(n: SyntaxNode): LineFilter[] {
    const out: LineFilter[] = [];
    const orValues = (o: SyntaxNode, into: LineFilter) => {
      // OrFilter: String | FilterOp ( String ) | String Or OrFilter
      const s = o.getChild('String');
      if (s)
        into.values.push(
          o.getChild('FilterOp') ? { kind: 'ip', value: this.str(s) } : { kind: 'string', value: this.str(s) },
        );
      into.span = { from: into.span.from, to: Math.max(into.span.to, o.to) };
      const next = o.getChild('OrFilter');
      if (next) orValues(next, into);
    };
    const walk = (m: SyntaxNode) => {
      for (const c of children(m)) {
        if (c.name === 'LineFilters') walk(c);
        else if (c.name === 'LineFilter') {
          const f = this.lineFilter(c);
          out.push(f);
        } else if (c.name === 'OrFilter') {
          const last = out[out.length - 1];
          if (!last) this.fail(c, 'syntax error: unexpected or');
          orValues(c, last);
        }
      }
    };
    walk(n);
    return out;
  }

  private lineFilter(n: SyntaxNode): LineFilter {
    const filter = this.need(n, 'Filter');
    const opNode = filter.firstChild;
    const op = opNode ? LINE_FILTER_OPS[opNode.name] : undefined;
    if (!op) this.fail(filter, `syntax error: unknown line filter ${this.text(filter)}`);
    const s = this.need(n, 'String');
    const first: LineFilterValue = n.getChild('FilterOp')
      ? { kind: 'ip', value: this.str(s) }
      : { kind: 'string', value: this.str(s) };
    const f: LineFilter = { op, values: [first], span: this.span(n) };
    let o = n.getChild('OrFilter');
    while (o) {
      const os = o.getChild('String');
      if (os)
        f.values.push(
          o.getChild('FilterOp') ? { kind: 'ip', value: this.str(os) } : { kind: 'string', value: this.str(os) },
        );
      o = o.getChild('OrFilter');
    }
    return f;
  }

  private flags(n: SyntaxNode | null): Set<string> {
    const out = new Set<string>();
    if (!n) return out;
    for (const f of n.getChildren('ParserFlag')) out.add(this.text(f));
    for (const inner of n.getChildren('LogfmtParserFlags')) for (const f of this.flags(inner)) out.add(f);
    return out;
  }

  private extractionParams(n: SyntaxNode): ExtractionParam[] {
    const out: ExtractionParam[] = [];
    const walk = (m: SyntaxNode) => {
      for (const c of children(m)) {
        if (c.name === 'LabelExtractionExpressionList') walk(c);
        else if (c.name === 'LabelExtractionExpression') {
          const id = this.need(c, 'Identifier');
          const s = c.getChild('String');
          const label = this.text(id);
          out.push({ label, expression: s ? this.str(s) : label, span: this.span(c) });
        }
      }
    };
    walk(n);
    return out;
  }

  private labelFormats(n: SyntaxNode): LabelFormatOp[] {
    const out: LabelFormatOp[] = [];
    const walk = (m: SyntaxNode) => {
      for (const c of children(m)) {
        if (c.name === 'LabelsFormat') walk(c);
        else if (c.name === 'LabelFormatMatcher') {
          const [dst, , src] = children(c);
          if (!dst || !src) this.fail(c, `syntax error: invalid label_format ${this.text(c)}`);
          if (src.name === 'String')
            out.push({ kind: 'template', dst: this.text(dst), template: this.str(src), span: this.span(c) });
          else out.push({ kind: 'rename', dst: this.text(dst), src: this.text(src), span: this.span(c) });
        }
      }
    };
    walk(n);
    return out;
  }

  private labelSelections(n: SyntaxNode, listName: string, itemName: string): LabelSelection[] {
    const out: LabelSelection[] = [];
    const walk = (m: SyntaxNode) => {
      for (const c of children(m)) {
        if (c.name === listName) walk(c);
        else if (c.name === itemName) {
          const mt = c.getChild('Matcher');
          if (mt) {
            const m2 = this.matcher(mt);
            out.push({ name: m2.name, matcher: { op: m2.op, value: m2.value }, span: this.span(c) });
          } else out.push({ name: this.text(this.need(c, 'Identifier')), span: this.span(c) });
        }
      }
    };
    walk(n);
    return out;
  }

  private labelFilter(n: SyntaxNode): LabelFilterExpr {
    const subs = n.getChildren('LabelFilter');
    const span = this.span(n);
    if (subs.length === 2) {
      const kind = n.getChild('Or') ? 'or' : 'and';
      return { kind, left: this.labelFilter(subs[0]!), right: this.labelFilter(subs[1]!), span };
    }
    if (subs.length === 1) return this.labelFilter(subs[0]!); // ( filter )
    const c = n.firstChild;
    if (!c) this.fail(n, 'syntax error: empty label filter');
    switch (c.name) {
      case 'Matcher': {
        const m = this.matcher(c);
        return { kind: 'string', name: m.name, op: m.op, value: m.value, span };
      }
      case 'IpLabelFilter': {
        const [id, op] = children(c);
        const s = this.need(c, 'String');
        return { kind: 'ip', name: this.text(id!), op: op!.name === 'Neq' ? '!=' : '=', value: this.str(s), span };
      }
      case 'NumberFilter': {
        const [id, op] = children(c);
        const lit = this.need(c, 'LiteralExpr');
        return { kind: 'number', name: this.text(id!), op: this.compareOp(op!), value: this.literal(lit), span };
      }
      case 'UnitFilter': {
        const f = c.firstChild!;
        const [id, op, val] = children(f);
        if (!id || !op || !val) this.fail(f, `syntax error: invalid filter ${this.text(f)}`);
        if (f.name === 'DurationFilter') {
          const ns = this.duration(val, false);
          return { kind: 'duration', name: this.text(id), op: this.compareOp(op), seconds: Number(ns) / 1e9, span };
        }
        let bytes: number;
        try {
          bytes = parseBytes(this.text(val));
        } catch (e) {
          if (e instanceof BytesError) this.fail(val, e.message);
          throw e;
        }
        return { kind: 'bytes', name: this.text(id), op: this.compareOp(op), bytes, span };
      }
    }
    return this.fail(c, `syntax error: unexpected ${this.text(c)}`);
  }

  private compareOp(n: SyntaxNode): CompareOp {
    const op = COMPARE_OPS[n.name];
    if (!op) this.fail(n, `syntax error: unexpected ${this.text(n)}`);
    return op;
  }

  private literal(n: SyntaxNode): number {
    const v = this.number(this.need(n, 'Number'));
    return n.getChild('Sub') ? -v : v;
  }

  // ------------------------------------------------------------ metric queries

  private metricExpr(n: SyntaxNode): MetricExpr {
    const c = n.firstChild;
    if (!c) this.fail(n, 'syntax error: empty expression');
    const span = this.span(n);
    switch (c.name) {
      case 'MetricExpr':
        return this.metricExpr(c); // ( metricExpr )
      case 'RangeAggregationExpr':
        return this.rangeAgg(c);
      case 'VectorAggregationExpr':
        return this.vectorAgg(c);
      case 'BinOpExpr':
        return this.binOp(c);
      case 'LiteralExpr':
        return { kind: 'literal', value: this.literal(c), span };
      case 'VectorExpr':
        return { kind: 'vector', value: this.number(this.need(c, 'Number')), span };
      case 'LabelReplaceExpr': {
        const strs = c.getChildren('String');
        if (strs.length !== 4) this.fail(c, 'syntax error: label_replace needs an expression and four strings');
        const [dst, replacement, src, regex] = strs.map((s) => this.str(s)) as [string, string, string, string];
        return {
          kind: 'labelReplace',
          expr: this.metricExpr(this.need(c, 'MetricExpr')),
          dst,
          replacement,
          src,
          regex,
          span,
        };
      }
      case 'LabelAggregationExpr':
        return this.fail(c, `${this.text(c.firstChild ?? c).split('(')[0]} is not supported`, 'unsupported');
    }
    return this.fail(c, `syntax error: unexpected ${this.text(c)}`);
  }

  private rangeAgg(n: SyntaxNode): MetricExpr {
    const opNode = this.need(n, 'RangeOp');
    const op = this.text(opNode) as RangeOp;
    if (!(op in RANGE_FUNCTIONS)) this.fail(opNode, `unknown range aggregation ${op}`, 'unsupported');
    const num = n.getChild('Number');
    const g = n.getChild('Grouping');
    let lr = this.need(n, 'LogRangeExpr');
    // ( logRangeExpr ) nests
    for (let inner = lr.getChild('LogRangeExpr'); inner; inner = inner.getChild('LogRangeExpr')) lr = inner;
    const sel = this.need(lr, 'Selector');
    const pipe = lr.getChild('PipelineExpr');
    const range = this.need(this.need(lr, 'Range'), 'Duration');
    const off = lr.getChild('OffsetExpr');
    const uw = lr.getChild('UnwrapExpr');
    const logFrom = sel.from;
    const logTo = pipe && pipe.to > sel.to ? pipe.to : sel.to;
    const log: LogExpr = {
      kind: 'log',
      matchers: this.selector(sel),
      pipeline: pipe ? this.pipeline(pipe) : [],
      span: { from: logFrom, to: logTo },
    };
    return {
      kind: 'rangeAgg',
      op,
      ...(num ? { param: this.number(num) } : {}),
      log,
      ...(uw ? { unwrap: this.unwrap(uw) } : {}),
      range: this.duration(range, true),
      offset: off ? this.duration(this.need(off, 'Duration'), false) : (this.detachedOffset(range.to, n.to) ?? 0n),
      ...(g ? { grouping: this.grouping(g) } : {}),
      span: this.span(n),
    };
  }

  private unwrap(n: SyntaxNode): Unwrap {
    const post: LabelFilterStage[] = [];
    let cur = n;
    const filters: SyntaxNode[] = [];
    while (cur.getChild('UnwrapExpr')) {
      const lf = cur.getChild('LabelFilter');
      if (lf) filters.unshift(lf);
      cur = cur.getChild('UnwrapExpr')!;
    }
    for (const lf of filters) {
      // the stage's span starts at the pipe before the filter
      const pipe = lf.prevSibling;
      post.push({
        kind: 'labelFilter',
        expr: this.labelFilter(lf),
        span: { from: pipe ? pipe.from : lf.from, to: lf.to },
      });
    }
    const conv = cur.getChild('ConvOp');
    const id = this.need(cur, 'Identifier');
    return {
      label: this.text(id),
      ...(conv && conv.firstChild ? { conversion: CONVERSIONS[conv.firstChild.name]! } : {}),
      postFilters: post,
      span: this.span(n),
    };
  }

  private grouping(n: SyntaxNode): Grouping {
    const labels: string[] = [];
    const walk = (m: SyntaxNode) => {
      for (const c of children(m)) {
        if (c.name === 'Labels') walk(c);
        else if (c.name === 'Identifier') labels.push(this.text(c));
      }
    };
    const l = n.getChild('Labels');
    if (l) walk(l);
    return { without: !!n.getChild('Without'), labels, span: this.span(n) };
  }

  private vectorAgg(n: SyntaxNode): MetricExpr {
    const opNode = this.need(n, 'VectorOp');
    const op = this.text(opNode) as VectorOp;
    if (!(op in VECTOR_FUNCTIONS)) this.fail(opNode, `unknown vector aggregation ${op}`, 'unsupported');
    const num = n.getChild('Number');
    if (num && VECTOR_FUNCTIONS[op].param === 'required' && !/^[0-9]+$/.test(this.text(num))) {
      // Loki reads k with strconv.Atoi: `topk(2.0, …)` is an error
      this.fail(num, `invalid parameter ${op}(${this.text(num)},`, 'check');
    }
    const g = n.getChild('Grouping');
    return {
      kind: 'vectorAgg',
      op,
      ...(num ? { param: this.number(num) } : {}),
      ...(g ? { grouping: this.grouping(g) } : {}),
      expr: this.metricExpr(this.need(n, 'MetricExpr')),
      span: this.span(n),
    };
  }

  /** Flattens a chain of un-parenthesised binary operations and rebuilds it with Loki's precedence. */
  private binOp(n: SyntaxNode): MetricExpr {
    const operands: BinOperand[] = [];
    const operators: BinOperator[] = [];
    const collect = (b: SyntaxNode) => {
      const kids = children(b);
      const exprs = kids.filter((k) => k.name === 'Expr');
      const opNode = kids.find((k) => k.name in BIN_OPS);
      const modNode = kids.find((k) => k.name === 'BinOpModifier');
      if (exprs.length !== 2 || !opNode) this.fail(b, `syntax error: incomplete binary operation ${this.text(b)}`);
      const op = BIN_OPS[opNode.name]!;
      this.operand(exprs[0]!, op, 'left', operands, operators, collect);
      operators.push({ op, ...this.modifier(modNode) });
      this.operand(exprs[1]!, op, 'right', operands, operators, collect);
    };
    collect(n);
    return this.climb(operands, operators);
  }

  private operand(
    e: SyntaxNode,
    op: BinaryOp,
    side: 'left' | 'right',
    operands: BinOperand[],
    _operators: BinOperator[],
    collect: (b: SyntaxNode) => void,
  ): void {
    const c = e.firstChild;
    if (c && c.name === 'MetricExpr' && c.firstChild?.name === 'BinOpExpr') {
      collect(c.firstChild);
      return;
    }
    if (!c || c.name !== 'MetricExpr') {
      this.fail(
        e,
        `unexpected type for ${side} leg of binary operation (${op}): a log query is not a metric query`,
        'check',
      );
    }
    operands.push({ expr: this.metricExpr(c), span: this.span(e) });
  }

  private modifier(n: SyntaxNode | undefined): { bool: boolean; matching?: VectorMatching } {
    if (!n) return { bool: false };
    const bool = !!n.getChild('Bool');
    const oi = n.getChild('OnOrIgnoringModifier');
    if (!oi) return { bool };
    const matching: VectorMatching = {
      on: !!oi.getChild('On'),
      labels: this.groupingLabels(oi.getChild('GroupingLabels')),
    };
    const gl = n.getChild('GroupLeft');
    const gr = n.getChild('GroupRight');
    if (gl || gr)
      matching.group = { side: gl ? 'left' : 'right', include: this.groupingLabels(n.getChild('GroupingLabels')) };
    return { bool, matching };
  }

  private groupingLabels(n: SyntaxNode | null): string[] {
    const out: string[] = [];
    if (!n) return out;
    const walk = (m: SyntaxNode) => {
      for (const c of children(m)) {
        if (c.name === 'GroupingLabelList' || c.name === 'GroupingLabel') walk(c);
        else if (c.name === 'LabelName' || c.name === 'Identifier') out.push(this.text(c));
      }
    };
    walk(n);
    return out;
  }

  private climb(operands: BinOperand[], operators: BinOperator[]): MetricExpr {
    let pos = 0;
    let opi = 0;
    const parse = (minPrec: number): BinOperand => {
      let left = operands[pos++]!;
      while (opi < operators.length) {
        const o = operators[opi]!;
        const info = BINARY_OPERATORS[o.op];
        if (info.precedence < minPrec) break;
        opi++;
        const right = parse(info.rightAssoc ? info.precedence : info.precedence + 1);
        const span = { from: left.span.from, to: right.span.to };
        left = {
          expr: {
            kind: 'binary',
            op: o.op,
            bool: o.bool,
            ...(o.matching ? { matching: o.matching } : {}),
            left: left.expr,
            right: right.expr,
            span,
          },
          span,
        };
      }
      return left;
    };
    return parse(0).expr;
  }
}
