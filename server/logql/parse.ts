// LogQL text → typed AST, accepting exactly the language of Loki 3.7.6 (pkg/logql/syntax/syntax.y): a recursive
// descent over the tokens of lexer.ts that resolves every ambiguity the way Loki's LALR parser does:
//   - binary operators: or < and, unless < comparisons < + - < * / % < ^ (right-associative); a modifier (`bool`,
//     `on(…)`, `ignoring(…)`, `group_left(…)`) follows the operator; two literals fold into one (`1 + 1` is `2`);
//   - label filters: `or` binds looser than `and`; `,` and a plain space (juxtaposition) both mean "and" and take
//     everything to their right: `a, b or c` is `a and (b or c)`;
//   - after a selector, `|=`, `!=`, `|~`, `!~`, `|>`, `!>` are line filters, and after a line filter `or` continues it;
//   - every placement of range, offset, pipeline and unwrap Loki allows in a range aggregation, parenthesised or not.
// Loki's checks made while parsing (mustNew*) are in check.ts. Syntax errors name line, column and the token.

import { GoSyntaxError, unquoteGo } from '../util/gostring';
import type {
  AnyExpr,
  BinaryOp,
  CompareOp,
  ExtractionParam,
  Grouping,
  LabelFilterExpr,
  LabelFormatOp,
  LabelSelection,
  LineFilter,
  LineFilterOp,
  LineFilterValue,
  LogExpr,
  MatchOp,
  Matcher,
  MetricExpr,
  RangeAggregation,
  RangeOp,
  Span,
  Stage,
  Unwrap,
  UnwrapConversion,
  VectorMatching,
  VectorOp,
} from './ast';
import { LogQLError } from './errors';
import { BINARY_OPERATORS } from './functions';
import { lex, type Token, type TokenType } from './lexer';

/** Loki refuses queries this long or longer (pkg/logql/syntax/parser.go maxInputSize). */
export const MAX_QUERY_LENGTH = 131072;

export function parseExpr(query: string): AnyExpr {
  if (query.length >= MAX_QUERY_LENGTH) {
    throw new LogQLError(
      'parse',
      `input size too long (${query.length} > ${MAX_QUERY_LENGTH})`,
      { from: 0, to: 0 },
      query,
    );
  }
  let expr: AnyExpr;
  try {
    expr = new Parser(query, lex(query)).root();
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep(query);
    throw e;
  }
  // every later pass (checks, planning, evaluation) recurses over the tree: a deeper one would exhaust the stack
  if (depthOf(expr) > MAX_NESTING) throw tooDeep(query);
  return expr;
}

/** Nesting beyond any real query (parentheses, operators, aggregations): refused rather than risking the stack. */
export const MAX_NESTING = 1000;

function tooDeep(query: string): LogQLError {
  return new LogQLError(
    'parse',
    `the query is nested too deeply (more than ${MAX_NESTING} levels)`,
    { from: 0, to: 0 },
    query,
  );
}

/** The deepest chain of syntax nodes (objects with a `kind`), walked with an explicit stack. */
function depthOf(root: object): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const isNode = typeof (v as { kind?: unknown }).kind === 'string';
    const depth = isNode ? d + 1 : d;
    if (depth > max) max = depth;
    if (max > MAX_NESTING) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return max;
}

/**
 * Decodes a Go string literal as Loki's lexer does (Prometheus strutil.Unquote): `"…"` with Go escapes, or a backtick
 * raw string (no escapes, carriage returns kept). Throws Error on a bad literal.
 */
export function unquoteGoString(lit: string): string {
  if (lit[0] === "'") throw new GoSyntaxError();
  return unquoteGo(lit, { keepRawCR: true });
}

/** Go's strconv.ParseFloat for the number tokens the lexer produces (decimal, `_` separators, hex with `p`). */
export function parseGoFloat(text: string): number | undefined {
  let s = text;
  if (s.includes('_')) {
    if (!underscoreOK(s)) return undefined;
    s = s.replaceAll('_', '');
  }
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) return Number(s);
  const hex = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
  if (hex && (hex[1] !== '' || (hex[2] ?? '') !== '')) {
    const int = hex[1] === '' ? 0 : parseInt(hex[1]!, 16);
    const frac = hex[2] ? parseInt(hex[2], 16) / 16 ** hex[2].length : 0;
    return (int + frac) * 2 ** Number(hex[3]);
  }
  return undefined;
}

/** Go's underscoreOK: `_` only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = 'xX'.includes(s[1]!);
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** Go's strconv.Atoi for a vector aggregation parameter. */
function goAtoi(text: string): number | undefined {
  return /^[0-9]+$/.test(text) && text.length < 19 ? Number(text) : undefined;
}

const MATCH_OPS: Partial<Record<TokenType, MatchOp>> = { EQ: '=', NEQ: '!=', RE: '=~', NRE: '!~' };
const COMPARE_OPS: Partial<Record<TokenType, CompareOp>> = {
  EQ: '=',
  CMP_EQ: '==',
  NEQ: '!=',
  GT: '>',
  GTE: '>=',
  LT: '<',
  LTE: '<=',
};
const LINE_FILTER_OPS: Partial<Record<TokenType, LineFilterOp>> = {
  PIPE_EXACT: '|=',
  NEQ: '!=',
  PIPE_MATCH: '|~',
  NRE: '!~',
  PIPE_PATTERN: '|>',
  NPA: '!>',
};
const BIN_OPS: Partial<Record<TokenType, BinaryOp>> = {
  OR: 'or',
  AND: 'and',
  UNLESS: 'unless',
  ADD: '+',
  SUB: '-',
  MUL: '*',
  DIV: '/',
  MOD: '%',
  POW: '^',
  CMP_EQ: '==',
  NEQ: '!=',
  GT: '>',
  GTE: '>=',
  LT: '<',
  LTE: '<=',
};

/** a parsed operand: any expression (log, metric or variants), with the span it covers (parentheses included) */
type Parsed = { expr: AnyExpr; span: Span };

class Parser {
  private i = 0;

  constructor(
    private readonly q: string,
    private readonly toks: Token[],
  ) {}

  // ------------------------------------------------------------ tokens

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  private is(type: TokenType, k = 0): boolean {
    return this.peek(k).type === type;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }

  private accept(type: TokenType): Token | undefined {
    return this.is(type) ? this.next() : undefined;
  }

  private expect(type: TokenType): Token {
    if (!this.is(type)) this.unexpected();
    return this.next();
  }

  /** the span from a token's start to the end of the last consumed token */
  private spanFrom(from: number): Span {
    return { from, to: this.toks[this.i - 1]?.to ?? from };
  }

  private unexpected(t: Token = this.peek()): never {
    if (t.type === 'EOF') {
      throw new LogQLError(
        'parse',
        'syntax error: unexpected end of query',
        { from: this.q.length, to: this.q.length },
        this.q,
      );
    }
    const shown = t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text;
    throw new LogQLError(
      'parse',
      `syntax error: unexpected ${JSON.stringify(shown)}`,
      { from: t.from, to: t.to },
      this.q,
    );
  }

  private fail(span: Span, message: string): never {
    throw new LogQLError('parse', message, span, this.q);
  }

  // ------------------------------------------------------------ expressions

  root(): AnyExpr {
    const e = this.binary(0);
    if (!this.is('EOF')) this.unexpected();
    return e.expr;
  }

  /** operator-precedence climbing over Loki's binary operators */
  private binary(minPrec: number): Parsed {
    let left = this.operand();
    for (;;) {
      const t = this.peek();
      const op = BIN_OPS[t.type];
      if (!op) return left;
      const info = BINARY_OPERATORS[op];
      if (info.precedence < minPrec) return left;
      this.next();
      const mod = this.modifier();
      const right = this.binary(info.rightAssoc ? info.precedence : info.precedence + 1);
      left = this.combine(op, mod, left, right);
    }
  }

  /** Loki's mustNewBinOpExpr: metric legs only, no literal in a set operation, two literals fold */
  private combine(
    op: BinaryOp,
    mod: { bool: boolean; matching?: VectorMatching },
    left: Parsed,
    right: Parsed,
  ): Parsed {
    const span = { from: left.span.from, to: right.span.to };
    for (const [leg, side] of [
      [left, 'left'],
      [right, 'right'],
    ] as const) {
      if (leg.expr.kind === 'log' || leg.expr.kind === 'variants') {
        throw new LogQLError(
          'check',
          `unexpected type for ${side} leg of binary operation (${op}): ${leg.expr.kind === 'log' ? 'a log query is not a metric query' : 'variants'}`,
          leg.span,
          this.q,
        );
      }
    }
    const l = left.expr as MetricExpr;
    const r = right.expr as MetricExpr;
    if (op === 'or' || op === 'and' || op === 'unless') {
      if (l.kind === 'literal')
        throw new LogQLError(
          'check',
          `unexpected literal for left leg of logical/set binary operation (${op}): ${l.value.toFixed(6)}`,
          left.span,
          this.q,
        );
      if (r.kind === 'literal')
        throw new LogQLError(
          'check',
          `unexpected literal for right leg of logical/set binary operation (${op}): ${r.value.toFixed(6)}`,
          right.span,
          this.q,
        );
    }
    if (l.kind === 'literal' && r.kind === 'literal') {
      return { expr: { kind: 'literal', value: foldLiterals(op, l.value, r.value), span }, span };
    }
    return {
      expr: {
        kind: 'binary',
        op,
        bool: mod.bool,
        ...(mod.matching ? { matching: mod.matching } : {}),
        left: l,
        right: r,
        span,
      },
      span,
    };
  }

  private modifier(): { bool: boolean; matching?: VectorMatching } {
    const bool = !!this.accept('BOOL');
    if (!this.is('ON') && !this.is('IGNORING')) return { bool };
    const on = this.next().type === 'ON';
    const matching: VectorMatching = { on, labels: this.labelList() };
    if (this.is('GROUP_LEFT') || this.is('GROUP_RIGHT')) {
      const side = this.next().type === 'GROUP_LEFT' ? 'left' : 'right';
      matching.group = { side, include: this.is('OPEN_PARENTHESIS') ? this.labelList() : [] };
    }
    return { bool, matching };
  }

  /** `( a, b )` or `()` */
  private labelList(): string[] {
    this.expect('OPEN_PARENTHESIS');
    const out: string[] = [];
    if (this.accept('CLOSE_PARENTHESIS')) return out;
    out.push(this.expect('IDENTIFIER').value);
    while (this.accept('COMMA')) out.push(this.expect('IDENTIFIER').value);
    this.expect('CLOSE_PARENTHESIS');
    return out;
  }

  private operand(): Parsed {
    const t = this.peek();
    const from = t.from;
    switch (t.type) {
      case 'OPEN_PARENTHESIS': {
        this.next();
        const inner = this.binary(0);
        this.expect('CLOSE_PARENTHESIS');
        if (inner.expr.kind === 'variants') this.unexpected(t);
        const span = this.spanFrom(from);
        return { expr: inner.expr, span };
      }
      case 'OPEN_BRACE': {
        const log = this.logExpr();
        return { expr: log, span: log.span };
      }
      case 'RANGE_OP':
        return this.wrap(from, this.rangeAggregation());
      case 'VECTOR_OP':
        return this.wrap(from, this.vectorAggregation());
      case 'LABEL_REPLACE':
        return this.wrap(from, this.labelReplace());
      case 'VECTOR': {
        this.next();
        this.expect('OPEN_PARENTHESIS');
        const n = this.expect('NUMBER');
        this.expect('CLOSE_PARENTHESIS');
        const v = parseGoFloat(n.value);
        if (v === undefined) this.fail(n, `unable to parse vectorExpr as a float: ${n.value}`);
        return this.wrap(from, { kind: 'vector', value: v, span: this.spanFrom(from) });
      }
      case 'NUMBER':
      case 'ADD':
      case 'SUB':
        return this.wrap(from, this.literal());
      case 'VARIANTS':
        return this.wrap(from, this.variants());
      default:
        return this.unexpected();
    }
  }

  private wrap(from: number, expr: AnyExpr): Parsed {
    return { expr, span: this.spanFrom(from) };
  }

  private literal(): MetricExpr {
    const from = this.peek().from;
    const sign = this.accept('SUB') ? -1 : (this.accept('ADD'), 1);
    const n = this.expect('NUMBER');
    const v = parseGoFloat(n.value);
    if (v === undefined) this.fail(n, `unable to parse literal as a float: ${n.value}`);
    return { kind: 'literal', value: sign * v, span: this.spanFrom(from) };
  }

  /** a metric expression where the grammar asks for one (function arguments) */
  private metricArg(): MetricExpr {
    const start = this.peek();
    const e = this.binary(0);
    if (e.expr.kind === 'log' || e.expr.kind === 'variants') this.unexpected(start);
    return e.expr;
  }

  private grouping(): Grouping {
    const from = this.peek().from;
    const without = this.next().type === 'WITHOUT';
    const labels = this.labelList();
    return { without, labels, span: this.spanFrom(from) };
  }

  private vectorAggregation(): MetricExpr {
    const from = this.peek().from;
    const opTok = this.next();
    const op = opTok.value as VectorOp;
    let grouping: Grouping | undefined;
    if (this.is('BY') || this.is('WITHOUT')) grouping = this.grouping();
    this.expect('OPEN_PARENTHESIS');
    let paramText: string | undefined;
    let paramTok: Token | undefined;
    if (this.is('NUMBER') && this.is('COMMA', 1)) {
      paramTok = this.next();
      paramText = paramTok.value;
      this.next();
    }
    const expr = this.metricArg();
    this.expect('CLOSE_PARENTHESIS');
    if (!grouping && (this.is('BY') || this.is('WITHOUT'))) grouping = this.grouping();
    const span = this.spanFrom(from);
    // Loki's mustNewVectorAggregationExpr
    let param: number | undefined;
    if (op === 'topk' || op === 'bottomk' || op === 'approx_topk') {
      if (paramText === undefined)
        throw new LogQLError('check', `parameter required for operation ${op}`, span, this.q);
      param = goAtoi(paramText);
      if (param === undefined)
        throw new LogQLError('check', `invalid parameter ${op}(${paramText},`, paramTok ?? span, this.q);
      if (param <= 0)
        throw new LogQLError(
          'check',
          `invalid parameter (must be greater than 0) ${op}(${paramText}`,
          paramTok ?? span,
          this.q,
        );
      if (op === 'approx_topk' && grouping)
        throw new LogQLError('check', `grouping not allowed for ${op} aggregation`, grouping.span, this.q);
    } else if (paramText !== undefined) {
      throw new LogQLError(
        'check',
        `unsupported parameter for operation ${op}(${paramText},`,
        paramTok ?? span,
        this.q,
      );
    }
    return {
      kind: 'vectorAgg',
      op,
      ...(param !== undefined ? { param } : {}),
      ...(grouping ? { grouping } : {}),
      expr,
      span,
    };
  }

  private labelReplace(): MetricExpr {
    const from = this.peek().from;
    this.next();
    this.expect('OPEN_PARENTHESIS');
    const expr = this.metricArg();
    const strs: string[] = [];
    for (let k = 0; k < 4; k++) {
      this.expect('COMMA');
      strs.push(this.expect('STRING').value);
    }
    this.expect('CLOSE_PARENTHESIS');
    const [dst, replacement, src, regex] = strs as [string, string, string, string];
    return { kind: 'labelReplace', expr, dst, replacement, src, regex, span: this.spanFrom(from) };
  }

  private variants(): AnyExpr {
    const from = this.peek().from;
    this.next();
    this.expect('OPEN_PARENTHESIS');
    const variants = [this.metricArg()];
    while (this.accept('COMMA')) variants.push(this.metricArg());
    this.expect('CLOSE_PARENTHESIS');
    this.expect('OF');
    this.expect('OPEN_PARENTHESIS');
    const r = this.logRange();
    this.expect('CLOSE_PARENTHESIS');
    return {
      kind: 'variants',
      variants,
      log: r.log,
      ...(r.unwrap ? { unwrap: r.unwrap } : {}),
      range: r.range,
      offset: r.offset,
      span: this.spanFrom(from),
    };
  }

  // ------------------------------------------------------------ range aggregations

  private rangeAggregation(): RangeAggregation {
    const from = this.peek().from;
    const op = this.next().value as RangeOp;
    this.expect('OPEN_PARENTHESIS');
    let paramTok: Token | undefined;
    if (this.is('NUMBER') && this.is('COMMA', 1)) {
      paramTok = this.next();
      this.next();
    }
    const r = this.logRange();
    this.expect('CLOSE_PARENTHESIS');
    const grouping = this.is('BY') || this.is('WITHOUT') ? this.grouping() : undefined;
    const span = this.spanFrom(from);
    let param: number | undefined;
    if (paramTok) {
      if (op !== 'quantile_over_time')
        throw new LogQLError('check', `parameter ${paramTok.value} not supported for operation ${op}`, span, this.q);
      param = parseGoFloat(paramTok.value);
      if (param === undefined)
        throw new LogQLError(
          'check',
          `invalid parameter for operation ${op}: strconv.ParseFloat: parsing ${JSON.stringify(paramTok.value)}: invalid syntax`,
          paramTok,
          this.q,
        );
    }
    return {
      kind: 'rangeAgg',
      op,
      ...(param !== undefined ? { param } : {}),
      log: r.log,
      ...(r.unwrap ? { unwrap: r.unwrap } : {}),
      range: r.range,
      offset: r.offset,
      ...(grouping ? { grouping } : {}),
      span,
    };
  }

  /**
   * Loki's logRangeExpr: a selector with, in one of the allowed orders, a pipeline, an unwrap, the range and an
   * offset; either `(…)` around the whole, or around the selector part before the range.
   */
  private logRange(): { log: LogExpr; unwrap?: Unwrap; range: bigint; offset: bigint } {
    const open = this.peek();
    if (open.type === 'OPEN_PARENTHESIS') {
      if (!this.is('OPEN_BRACE', 1)) {
        // ( logRangeExpr )
        this.next();
        const inner = this.logRange();
        this.expect('CLOSE_PARENTHESIS');
        return inner;
      }
      this.next();
      const head = this.rangeHead();
      if (this.is('RANGE')) {
        // ( logRangeExpr ) whose inside starts like a bare one
        const inner = this.rangeTail(head);
        this.expect('CLOSE_PARENTHESIS');
        return inner;
      }
      this.expect('CLOSE_PARENTHESIS');
      const range = this.expect('RANGE').duration!;
      const offset = this.offset();
      let unwrap = head.unwrap;
      // `(selector) [r] offset | unwrap x` is the one form that takes an unwrap after a parenthesised selector
      if (!unwrap && head.log.pipeline.length === 0 && this.isUnwrap()) unwrap = this.unwrap();
      return { log: head.log, ...(unwrap ? { unwrap } : {}), range, offset };
    }
    return this.rangeTail(this.rangeHead());
  }

  /** selector [pipeline] [unwrap] */
  private rangeHead(): { log: LogExpr; unwrap?: Unwrap } {
    const log = this.logExpr();
    const unwrap = this.isUnwrap() ? this.unwrap() : undefined;
    return { log, ...(unwrap ? { unwrap } : {}) };
  }

  /** after `selector [pipeline] [unwrap]`: the range, an offset, and (when nothing preceded the range) a pipeline
   *  and/or an unwrap after it */
  private rangeTail(head: { log: LogExpr; unwrap?: Unwrap }): {
    log: LogExpr;
    unwrap?: Unwrap;
    range: bigint;
    offset: bigint;
  } {
    const range = this.expect('RANGE').duration!;
    const offset = this.offset();
    let { log, unwrap } = head;
    if (!unwrap && log.pipeline.length === 0) {
      if (this.isStageStart()) {
        const pipeline = this.pipeline();
        log = { ...log, pipeline, span: { from: log.span.from, to: this.spanFrom(log.span.from).to } };
      }
      if (this.isUnwrap()) unwrap = this.unwrap();
    }
    return { log, ...(unwrap ? { unwrap } : {}), range, offset };
  }

  private offset(): bigint {
    if (!this.accept('OFFSET')) return 0n;
    return this.expect('DURATION').duration!;
  }

  private isUnwrap(): boolean {
    return this.is('PIPE') && this.is('UNWRAP', 1);
  }

  private unwrap(): Unwrap {
    const from = this.peek().from;
    this.next();
    this.next();
    let conversion: UnwrapConversion | undefined;
    let label: string;
    if (this.is('CONV_OP')) {
      conversion = this.next().value as UnwrapConversion;
      this.expect('OPEN_PARENTHESIS');
      label = this.expect('IDENTIFIER').value;
      this.expect('CLOSE_PARENTHESIS');
    } else label = this.expect('IDENTIFIER').value;
    const postFilters: Unwrap['postFilters'] = [];
    // `| labelFilter` after unwrap (a pipe followed by anything else ends the unwrap)
    while (this.is('PIPE') && (this.is('IDENTIFIER', 1) || this.is('OPEN_PARENTHESIS', 1))) {
      const f = this.peek().from;
      this.next();
      const expr = this.labelFilter();
      postFilters.push({ kind: 'labelFilter', expr, span: this.spanFrom(f) });
    }
    return { label, ...(conversion ? { conversion } : {}), postFilters, span: this.spanFrom(from) };
  }

  // ------------------------------------------------------------ log queries

  /** selector [pipeline]; the pipeline stops before `| unwrap` */
  private logExpr(): LogExpr {
    const from = this.peek().from;
    const matchers = this.selector();
    const pipeline = this.isStageStart() ? this.pipeline() : [];
    return { kind: 'log', matchers, pipeline, span: this.spanFrom(from) };
  }

  private selector(): Matcher[] {
    this.expect('OPEN_BRACE');
    const out: Matcher[] = [];
    if (this.accept('CLOSE_BRACE')) return out;
    out.push(this.matcher());
    while (this.accept('COMMA')) out.push(this.matcher());
    this.expect('CLOSE_BRACE');
    return out;
  }

  private matcher(): Matcher {
    const from = this.peek().from;
    const name = this.expect('IDENTIFIER').value;
    const op = MATCH_OPS[this.peek().type];
    if (!op) this.unexpected();
    this.next();
    const value = this.expect('STRING').value;
    return { name, op, value, span: this.spanFrom(from) };
  }

  /** whether a pipeline stage starts here (a line filter, or `|` followed by anything but `unwrap`) */
  private isStageStart(): boolean {
    const t = this.peek().type;
    if (LINE_FILTER_OPS[t]) return true;
    return t === 'PIPE' && !this.is('UNWRAP', 1);
  }

  private pipeline(): Stage[] {
    const stages: Stage[] = [];
    while (this.isStageStart()) {
      if (LINE_FILTER_OPS[this.peek().type]) {
        const f = this.lineFilter();
        stages.push({ kind: 'lineFilter', filter: f, span: f.span });
      } else stages.push(this.pipeStage());
    }
    return stages;
  }

  private lineFilter(): LineFilter {
    const from = this.peek().from;
    const op = LINE_FILTER_OPS[this.next().type]!;
    const values: LineFilterValue[] = [this.lineFilterValue()];
    while (this.accept('OR')) values.push(this.lineFilterValue());
    return { op, values, span: this.spanFrom(from) };
  }

  /** `"text"` or `ip("cidr")` */
  private lineFilterValue(): LineFilterValue {
    if (this.accept('IP')) {
      this.expect('OPEN_PARENTHESIS');
      const v = this.expect('STRING').value;
      this.expect('CLOSE_PARENTHESIS');
      return { kind: 'ip', value: v };
    }
    return { kind: 'string', value: this.expect('STRING').value };
  }

  private pipeStage(): Stage {
    const from = this.peek().from;
    this.expect('PIPE');
    const t = this.peek();
    const span = () => this.spanFrom(from);
    switch (t.type) {
      case 'LOGFMT': {
        this.next();
        const flags = new Set<string>();
        while (this.is('FUNCTION_FLAG')) flags.add(this.next().value);
        const params = this.is('IDENTIFIER') ? this.extractionParams() : [];
        return {
          kind: 'logfmt',
          strict: flags.has('--strict'),
          keepEmpty: flags.has('--keep-empty'),
          params,
          span: span(),
        };
      }
      case 'JSON': {
        this.next();
        const params = this.is('IDENTIFIER') ? this.extractionParams() : [];
        return { kind: 'json', params, span: span() };
      }
      case 'REGEXP': {
        this.next();
        return { kind: 'regexp', pattern: this.expect('STRING').value, span: span() };
      }
      case 'PATTERN': {
        this.next();
        return { kind: 'pattern', pattern: this.expect('STRING').value, span: span() };
      }
      case 'UNPACK':
        this.next();
        return { kind: 'unpack', span: span() };
      case 'LINE_FMT':
        this.next();
        return { kind: 'lineFormat', template: this.expect('STRING').value, span: span() };
      case 'DECOLORIZE':
        this.next();
        return { kind: 'decolorize', span: span() };
      case 'LABEL_FMT': {
        this.next();
        const ops: LabelFormatOp[] = [this.labelFormat()];
        while (this.accept('COMMA')) ops.push(this.labelFormat());
        return { kind: 'labelFormat', ops, span: span() };
      }
      case 'DROP':
      case 'KEEP': {
        this.next();
        const labels: LabelSelection[] = [this.namedMatcher()];
        while (this.accept('COMMA')) labels.push(this.namedMatcher());
        return { kind: t.type === 'DROP' ? 'drop' : 'keep', labels, span: span() };
      }
      case 'IDENTIFIER':
      case 'OPEN_PARENTHESIS':
        return { kind: 'labelFilter', expr: this.labelFilter(), span: span() };
      default:
        return this.unexpected();
    }
  }

  private extractionParams(): ExtractionParam[] {
    const out = [this.extractionParam()];
    while (this.accept('COMMA')) out.push(this.extractionParam());
    return out;
  }

  private extractionParam(): ExtractionParam {
    const from = this.peek().from;
    const label = this.expect('IDENTIFIER').value;
    const expression = this.accept('EQ') ? this.expect('STRING').value : label;
    return { label, expression, span: this.spanFrom(from) };
  }

  private labelFormat(): LabelFormatOp {
    const from = this.peek().from;
    const dst = this.expect('IDENTIFIER').value;
    this.expect('EQ');
    if (this.is('STRING')) return { kind: 'template', dst, template: this.next().value, span: this.spanFrom(from) };
    const src = this.expect('IDENTIFIER').value;
    return { kind: 'rename', dst, src, span: this.spanFrom(from) };
  }

  private namedMatcher(): LabelSelection {
    const from = this.peek().from;
    if (MATCH_OPS[this.peek(1).type] && this.is('STRING', 2)) {
      const m = this.matcher();
      return { name: m.name, matcher: { op: m.op, value: m.value }, span: m.span };
    }
    const name = this.expect('IDENTIFIER').value;
    return { name, span: this.spanFrom(from) };
  }

  // ------------------------------------------------------------ label filters

  private isLabelFilterStart(): boolean {
    return this.is('IDENTIFIER') || this.is('OPEN_PARENTHESIS');
  }

  /** `or` (1) and `and` (2) by precedence; `,` and juxtaposition take everything to their right */
  private labelFilter(minPrec = 0): LabelFilterExpr {
    let left = this.labelFilterOperand();
    for (;;) {
      const t = this.peek().type;
      const prec = t === 'OR' ? 1 : t === 'AND' ? 2 : 0;
      if (prec === 0 || prec < minPrec) return left;
      this.next();
      const right = this.labelFilter(prec + 1);
      left = { kind: t === 'OR' ? 'or' : 'and', left, right, span: { from: left.span.from, to: right.span.to } };
    }
  }

  /** a filter, and with `,` or a space after it, everything to its right (Loki's parser shifts there) */
  private labelFilterOperand(): LabelFilterExpr {
    const primary = this.labelFilterPrimary();
    if (this.is('COMMA') || this.isLabelFilterStart()) {
      this.accept('COMMA');
      const right = this.labelFilter();
      return { kind: 'and', left: primary, right, span: { from: primary.span.from, to: right.span.to } };
    }
    return primary;
  }

  private labelFilterPrimary(): LabelFilterExpr {
    const from = this.peek().from;
    if (this.accept('OPEN_PARENTHESIS')) {
      const inner = this.labelFilter();
      this.expect('CLOSE_PARENTHESIS');
      return { ...inner, span: this.spanFrom(from) };
    }
    const name = this.expect('IDENTIFIER').value;
    const opTok = this.peek();
    const span = () => this.spanFrom(from);
    // matcher: name op "string"
    const mop = MATCH_OPS[opTok.type];
    if (mop && this.is('STRING', 1)) {
      this.next();
      return { kind: 'string', name, op: mop, value: this.next().value, span: span() };
    }
    // ip filter: name = ip("…") / name != ip("…")
    if ((opTok.type === 'EQ' || opTok.type === 'NEQ') && this.is('IP', 1)) {
      this.next();
      this.next();
      this.expect('OPEN_PARENTHESIS');
      const value = this.expect('STRING').value;
      this.expect('CLOSE_PARENTHESIS');
      return { kind: 'ip', name, op: opTok.type === 'NEQ' ? '!=' : '=', value, span: span() };
    }
    const cop = COMPARE_OPS[opTok.type];
    if (!cop) this.unexpected();
    this.next();
    const v = this.peek();
    if (v.type === 'DURATION') {
      this.next();
      return { kind: 'duration', name, op: cop, seconds: Number(v.duration!) / 1e9, ns: v.duration!, span: span() };
    }
    if (v.type === 'BYTES') {
      this.next();
      return { kind: 'bytes', name, op: cop, bytes: v.bytes!, span: span() };
    }
    if (v.type === 'NUMBER' || v.type === 'ADD' || v.type === 'SUB') {
      const lit = this.literal();
      return { kind: 'number', name, op: cop, value: lit.kind === 'literal' ? lit.value : NaN, span: span() };
    }
    return this.unexpected();
  }
}

/** Loki's reduceBinOp (MergeBinOp on two literals, comparisons giving 1 or 0). */
function foldLiterals(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? NaN : a / b;
    case '%':
      return b === 0 ? NaN : a % b;
    case '^':
      return goPow(a, b);
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    default:
      return NaN;
  }
}

/** Go's math.Pow where it differs from JavaScript's (1 to any power, and any number to the power 0, is 1). */
export function goPow(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && !Number.isFinite(b) && !Number.isNaN(b)) return 1;
  return a ** b;
}
