// LogQL tokens as Loki 3.7.6 reads them (pkg/logql/syntax/lex.go over its copy of Go's text/scanner):
//  - Go scanner rules: identifiers are Unicode letters, digits and `_`; numbers follow Go literal syntax (0x…, 0o…,
//    0b…, `_` separators, exponents) with Go's errors (`0B` is a binary literal with no digits); `//` and `/* */`
//    comments are skipped like white space; strings are Go `"…"` / backtick literals; a `'…'` literal is a char token;
//  - Loki rules on top: `#` comments to the end of the line; a number directly followed by a duration or byte-size
//    suffix is one DURATION / BYTES token (`5m`, `1h30m`, `-5m`, `2.5KiB`); `[…]` is one RANGE token; `--strict` and
//    `--keep-empty` are flags; keywords are case-insensitive; a function name (`rate`, `sum`, `bytes`, `ip`, …) is a
//    keyword only when `(` or `by (` / `without (` follows, otherwise it is an identifier;
//  - any other character is an identifier of its own (so the parser, not the lexer, rejects it).
// Invalid UTF-8 reaches us as lone surrogates (see params.ts): "invalid UTF-8 encoding", as Go's scanner says.

import { GoSyntaxError, unquoteGo } from '../util/gostring';
import type { Span } from './ast';
import { LogQLError } from './errors';
import { BytesError, DurationError, parseBytes, parseDuration, parsePromDuration } from './units';

export type TokenType =
  | 'EOF'
  | 'IDENTIFIER'
  | 'STRING'
  | 'NUMBER'
  | 'DURATION'
  | 'BYTES'
  | 'RANGE'
  | 'FUNCTION_FLAG'
  | 'COMMA'
  | 'DOT'
  | 'OPEN_BRACE'
  | 'CLOSE_BRACE'
  | 'EQ'
  | 'NEQ'
  | 'RE'
  | 'NRE'
  | 'NPA'
  | 'PIPE_EXACT'
  | 'PIPE_MATCH'
  | 'PIPE_PATTERN'
  | 'PIPE'
  | 'UNWRAP'
  | 'OPEN_PARENTHESIS'
  | 'CLOSE_PARENTHESIS'
  | 'BY'
  | 'WITHOUT'
  | 'BOOL'
  | 'OPEN_BRACKET'
  | 'CLOSE_BRACKET'
  | 'LABEL_REPLACE'
  | 'OFFSET'
  | 'ON'
  | 'IGNORING'
  | 'GROUP_LEFT'
  | 'GROUP_RIGHT'
  | 'OR'
  | 'AND'
  | 'UNLESS'
  | 'ADD'
  | 'SUB'
  | 'MUL'
  | 'DIV'
  | 'MOD'
  | 'POW'
  | 'CMP_EQ'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE'
  | 'JSON'
  | 'REGEXP'
  | 'LOGFMT'
  | 'UNPACK'
  | 'PATTERN'
  | 'LABEL_FMT'
  | 'LINE_FMT'
  | 'IP'
  | 'DECOLORIZE'
  | 'DROP'
  | 'KEEP'
  | 'VARIANTS'
  | 'OF'
  | 'RANGE_OP' // a range aggregation name (value: the lower-case name)
  | 'VECTOR_OP' // a vector aggregation name
  | 'VECTOR'
  | 'CONV_OP'; // bytes / duration / duration_seconds before `(`

export interface Token {
  type: TokenType;
  /** the source text of the token */
  text: string;
  from: number;
  to: number;
  /** STRING: the decoded value; IDENTIFIER / NUMBER / FUNCTION_FLAG: the text; *_OP / CONV_OP: the lower-case name */
  value: string;
  /** DURATION / RANGE: nanoseconds */
  duration?: bigint;
  /** BYTES */
  bytes?: number;
}

const TOKENS: Record<string, TokenType> = {
  ',': 'COMMA',
  '.': 'DOT',
  '{': 'OPEN_BRACE',
  '}': 'CLOSE_BRACE',
  '=': 'EQ',
  '!=': 'NEQ',
  '=~': 'RE',
  '!~': 'NRE',
  '!>': 'NPA',
  '|=': 'PIPE_EXACT',
  '|~': 'PIPE_MATCH',
  '|>': 'PIPE_PATTERN',
  '|': 'PIPE',
  unwrap: 'UNWRAP',
  '(': 'OPEN_PARENTHESIS',
  ')': 'CLOSE_PARENTHESIS',
  by: 'BY',
  without: 'WITHOUT',
  bool: 'BOOL',
  '[': 'OPEN_BRACKET',
  ']': 'CLOSE_BRACKET',
  label_replace: 'LABEL_REPLACE',
  offset: 'OFFSET',
  on: 'ON',
  ignoring: 'IGNORING',
  group_left: 'GROUP_LEFT',
  group_right: 'GROUP_RIGHT',
  or: 'OR',
  and: 'AND',
  unless: 'UNLESS',
  '+': 'ADD',
  '-': 'SUB',
  '*': 'MUL',
  '/': 'DIV',
  '%': 'MOD',
  '^': 'POW',
  '==': 'CMP_EQ',
  '>': 'GT',
  '>=': 'GTE',
  '<': 'LT',
  '<=': 'LTE',
  json: 'JSON',
  regexp: 'REGEXP',
  logfmt: 'LOGFMT',
  unpack: 'UNPACK',
  pattern: 'PATTERN',
  label_format: 'LABEL_FMT',
  line_format: 'LINE_FMT',
  ip: 'IP',
  decolorize: 'DECOLORIZE',
  drop: 'DROP',
  keep: 'KEEP',
  variants: 'VARIANTS',
  of: 'OF',
};

const RANGE_OPS = [
  'rate',
  'rate_counter',
  'count_over_time',
  'bytes_rate',
  'bytes_over_time',
  'avg_over_time',
  'sum_over_time',
  'min_over_time',
  'max_over_time',
  'stdvar_over_time',
  'stddev_over_time',
  'quantile_over_time',
  'first_over_time',
  'last_over_time',
  'absent_over_time',
];
const VECTOR_OPS = [
  'sum',
  'avg',
  'max',
  'min',
  'count',
  'stddev',
  'stdvar',
  'bottomk',
  'topk',
  'sort',
  'sort_desc',
  'approx_topk',
];

/** names that are keywords only as functions (followed by `(` or `by (`/`without (`) */
const FUNCTION_TOKENS: Record<string, TokenType> = {
  ...Object.fromEntries(RANGE_OPS.map((o) => [o, 'RANGE_OP'])),
  ...Object.fromEntries(VECTOR_OPS.map((o) => [o, 'VECTOR_OP'])),
  vector: 'VECTOR',
  label_replace: 'LABEL_REPLACE',
  bytes: 'CONV_OP',
  duration: 'CONV_OP',
  duration_seconds: 'CONV_OP',
  ip: 'IP',
};

const PARSER_FLAGS = new Set(['--strict', '--keep-empty']);

const EOF = -1;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDecimal = (c: number) => c >= 0x30 && c <= 0x39;
const lower = (c: number) => c | 0x20;
const isHex = (c: number) => isDecimal(c) || (lower(c) >= 0x61 && lower(c) <= 0x66);
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const NUMBER_CHAR = /^\p{N}$/u;
/** unicode.IsSpace, for the duration/bytes suffix scan */
const UNICODE_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const isLetter = (c: number) => c >= 0 && (c < 0x80 ? lower(c) >= 0x61 && lower(c) <= 0x7a : LETTER.test(cp(c)));
const isUnicodeDigit = (c: number) => c >= 0 && (c < 0x80 ? isDecimal(c) : DIGIT.test(cp(c)));
const isIdentRune = (c: number, i: number) => c === 0x5f || isLetter(c) || (i > 0 && isUnicodeDigit(c));
const cp = (c: number) => String.fromCodePoint(c);

/** Go's text/scanner over a JS string, as far as Loki's lexer uses it. */
class Scanner {
  pos = 0; // offset of `ch`
  ch: number;
  tokPos = 0;
  constructor(
    readonly src: string,
    private readonly fail: (msg: string, from: number, to: number) => never,
  ) {
    this.ch = this.at(0);
    if (this.ch === 0xfeff) this.advance(); // a leading BOM is ignored
  }

  /** the code point at offset i, EOF past the end; a lone surrogate is invalid UTF-8 */
  at(i: number): number {
    if (i >= this.src.length) return EOF;
    const c = this.src.codePointAt(i)!;
    if (c >= 0xd800 && c <= 0xdfff) this.fail('invalid UTF-8 encoding', i, i + 1);
    if (c === 0) this.fail('invalid character NUL', i, i + 1);
    return c;
  }

  /** the current character (a method, so that TypeScript does not narrow it across advance()) */
  cur(): number {
    return this.ch;
  }

  width(): number {
    return this.ch > 0xffff ? 2 : this.ch === EOF ? 0 : 1;
  }

  /** moves to the next character and returns it */
  advance(): number {
    this.pos += this.width();
    this.ch = this.at(this.pos);
    return this.ch;
  }

  peekAfter(): number {
    return this.at(this.pos + this.width());
  }

  /** Scan: the next token's kind ('ident', 'int', 'float', 'string', 'rawstring', 'char', or a character), or EOF */
  scan(): string | typeof EOF {
    for (;;) {
      while (isSpace(this.ch)) this.advance();
      this.tokPos = this.pos;
      const c = this.ch;
      if (c === EOF) return EOF;
      if (isIdentRune(c, 0)) {
        this.advance();
        for (let i = 1; isIdentRune(this.ch, i); i++) this.advance();
        return 'ident';
      }
      if (isDecimal(c)) return this.scanNumber(false);
      switch (c) {
        case 0x22: // "
          this.scanString(0x22);
          return 'string';
        case 0x27: // '
          if (this.scanString(0x27) !== 1) this.fail('invalid char literal', this.tokPos, this.pos);
          return 'char';
        case 0x2e: // .
          this.advance();
          if (isDecimal(this.ch)) return this.scanNumber(true);
          return '.';
        case 0x2f: // /
          this.advance();
          if (this.cur() === 0x2f) {
            while (this.cur() !== 0x0a && this.cur() !== EOF) this.advance();
            continue;
          }
          if (this.cur() === 0x2a) {
            this.advance();
            for (;;) {
              if (this.cur() === EOF) this.fail('comment not terminated', this.tokPos, this.pos);
              const c0 = this.cur();
              this.advance();
              if (c0 === 0x2a && this.cur() === 0x2f) {
                this.advance();
                break;
              }
            }
            continue;
          }
          return '/';
        case 0x60: // `
          this.advance();
          while (this.ch !== 0x60) {
            if (this.ch === EOF) this.fail('literal not terminated', this.tokPos, this.pos);
            this.advance();
          }
          this.advance();
          return 'rawstring';
        default:
          this.advance();
          return cp(c);
      }
    }
  }

  private scanString(quote: number): number {
    this.advance();
    let n = 0;
    while (this.ch !== quote) {
      if (this.ch === 0x0a || this.ch === EOF) this.fail('literal not terminated', this.tokPos, this.pos);
      if (this.ch === 0x5c) this.scanEscape(quote);
      else this.advance();
      n++;
    }
    this.advance();
    return n;
  }

  private scanEscape(quote: number): void {
    const c = this.advance();
    const digits = (base: number, n: number) => {
      let ch = this.ch;
      while (n > 0 && ch !== EOF && parseInt(cp(ch), 16) < base) {
        ch = this.advance();
        n--;
      }
      if (n > 0) this.fail('invalid char escape', this.tokPos, this.pos);
    };
    if ('abfnrtv\\'.includes(cp(c)) || c === quote) this.advance();
    else if (c >= 0x30 && c <= 0x37) digits(8, 3);
    else if (c === 0x78) {
      this.advance();
      digits(16, 2);
    } else if (c === 0x75) {
      this.advance();
      digits(16, 4);
    } else if (c === 0x55) {
      this.advance();
      digits(16, 8);
    } else this.fail('invalid char escape', this.tokPos, this.pos);
  }

  /** Go's scanNumber, errors included */
  private scanNumber(seenDot: boolean): 'int' | 'float' {
    let base = 10;
    let prefix = '';
    let digsep = 0;
    let invalid = '';
    let tok: 'int' | 'float' = 'int';
    const err = (msg: string) => this.fail(msg, this.tokPos, this.pos);
    const litname = () =>
      prefix === 'x'
        ? 'hexadecimal literal'
        : prefix === 'o' || prefix === '0'
          ? 'octal literal'
          : prefix === 'b'
            ? 'binary literal'
            : 'decimal literal';
    const digits = (b: number): number => {
      let ds = 0;
      if (b <= 10) {
        const max = 0x30 + b;
        while (isDecimal(this.ch) || this.ch === 0x5f) {
          if (this.ch === 0x5f) ds |= 2;
          else {
            ds |= 1;
            if (this.ch >= max && invalid === '') invalid = cp(this.ch);
          }
          this.advance();
        }
      } else {
        while (isHex(this.ch) || this.ch === 0x5f) {
          ds |= this.ch === 0x5f ? 2 : 1;
          this.advance();
        }
      }
      return ds;
    };
    if (!seenDot) {
      if (this.ch === 0x30) {
        this.advance();
        switch (lower(this.ch)) {
          case 0x78:
            this.advance();
            base = 16;
            prefix = 'x';
            break;
          case 0x6f:
            this.advance();
            base = 8;
            prefix = 'o';
            break;
          case 0x62: {
            const p = this.peekAfter();
            if (p === 0x30 || p === 0x31) {
              this.advance();
              base = 2;
              prefix = 'b';
            }
            break;
          }
          default:
            base = 8;
            prefix = '0';
            digsep = 1; // the leading 0
        }
      }
      digsep |= digits(base);
      if (this.ch === 0x2e) {
        this.advance();
        seenDot = true;
      }
    }
    if (seenDot) {
      tok = 'float';
      if (prefix === 'o' || prefix === 'b') err('invalid radix point in ' + litname());
      digsep |= digits(base);
    }
    if ((digsep & 1) === 0) err(litname() + ' has no digits');
    const e = lower(this.ch);
    if (e === 0x65 || e === 0x70) {
      if (e === 0x65 && prefix !== '' && prefix !== '0') err(`'${cp(this.ch)}' exponent requires decimal mantissa`);
      if (e === 0x70 && prefix !== 'x') err(`'${cp(this.ch)}' exponent requires hexadecimal mantissa`);
      this.advance();
      tok = 'float';
      if (this.ch === 0x2b || this.ch === 0x2d) this.advance();
      let ds = 0;
      while (isDecimal(this.ch) || this.ch === 0x5f) {
        ds |= this.ch === 0x5f ? 2 : 1;
        this.advance();
      }
      digsep |= ds;
      if ((ds & 1) === 0) err('exponent has no digits');
    } else if (prefix === 'x' && tok === 'float') err("hexadecimal mantissa requires a 'p' exponent");
    if (tok === 'int' && invalid !== '') err(`invalid digit '${invalid}' in ${litname()}`);
    if (digsep & 2 && invalidSep(this.src.slice(this.tokPos, this.pos)) >= 0)
      err("'_' must separate successive digits");
    return tok;
  }
}

function invalidSep(x: string): number {
  let x1 = ' ';
  let d = '.';
  let i = 0;
  if (x.length >= 2 && x[0] === '0') {
    x1 = x[1]!.toLowerCase();
    if (x1 === 'x' || x1 === 'o' || x1 === 'b') {
      d = '0';
      i = 2;
    }
  }
  for (; i < x.length; i++) {
    const p = d;
    d = x[i]!;
    if (d === '_') {
      if (p !== '0') return i;
    } else if (/[0-9]/.test(d) || (x1 === 'x' && /[0-9a-fA-F]/.test(d))) d = '0';
    else {
      if (p === '_') return i - 1;
      d = '.';
    }
  }
  return d === '_' ? x.length - 1 : -1;
}

const isDurationRune = (c: number) => 'nuµmshdwy'.includes(cp(c));
const isBytesRune = (c: number) => 'BikKMGTP'.includes(cp(c));

/** Loki's lexer: the query as tokens, ending with EOF. Throws LogQLError ('parse'). */
export function lex(query: string): Token[] {
  const fail = (msg: string, from: number, to: number): never => {
    throw new LogQLError('parse', msg, { from, to: Math.max(to, from + 1) }, query);
  };
  const s = new Scanner(query, fail);
  const out: Token[] = [];
  const push = (type: TokenType, from: number, value?: string, extra?: Partial<Token>) => {
    const text = query.slice(from, s.pos);
    out.push({ type, text, from, to: s.pos, value: value ?? text, ...extra });
  };
  /** scans a suffix of runes accepted by `ok` (up to white space); returns its text, or '' (scanner unmoved) */
  const suffix = (ok: (c: number) => boolean): string => {
    let i = s.pos;
    let text = '';
    for (;;) {
      if (i >= query.length) break;
      const c = query.codePointAt(i)!;
      if (UNICODE_SPACE.test(cp(c))) break;
      if (!(NUMBER_CHAR.test(cp(c)) || ok(c) || c === 0x2e)) break;
      text += cp(c);
      i += c > 0xffff ? 2 : 1;
    }
    return text;
  };
  const consume = (text: string) => {
    for (let n = [...text].length; n > 0; n--) s.advance();
  };
  /** a number token text followed by a duration or bytes suffix: DURATION / BYTES, else false */
  const unit = (num: string, from: number): boolean => {
    const d = suffix(isDurationRune);
    if (d !== '') {
      try {
        const ns = parseDuration(num + d);
        consume(d);
        push('DURATION', from, undefined, { duration: ns });
        return true;
      } catch (e) {
        if (!(e instanceof DurationError)) throw e;
      }
    }
    if (num === '-') return false;
    const b = suffix(isBytesRune);
    if (b !== '') {
      try {
        const bytes = parseBytes(num + b);
        consume(b);
        push('BYTES', from, undefined, { bytes });
        return true;
      } catch (e) {
        if (!(e instanceof BytesError)) throw e;
      }
    }
    return false;
  };
  for (;;) {
    const kind = s.scan();
    const from = s.tokPos;
    if (kind === EOF) {
      out.push({ type: 'EOF', text: '', from: query.length, to: query.length, value: '' });
      return out;
    }
    const text = query.slice(from, s.pos);
    switch (kind) {
      case '#':
        while (s.ch !== 0x0a && s.ch !== EOF) s.advance();
        continue;
      case 'int':
      case 'float':
        if (!unit(text, from)) push('NUMBER', from);
        continue;
      case '-':
        if (s.ch === 0x2d) {
          const flag = '-' + suffix((c) => c === 0x2d || isLetter(c)).replace(/[0-9.]+.*$/u, '');
          if (PARSER_FLAGS.has(flag)) {
            consume(flag.slice(1));
            push('FUNCTION_FLAG', from, flag);
            continue;
          }
        }
        if (unit('-', from)) continue;
        break;
      case 'string':
      case 'rawstring': {
        let value: string;
        try {
          value = unquoteGo(text, { keepRawCR: true });
        } catch (e) {
          if (e instanceof GoSyntaxError) fail(e.message, from, s.pos);
          throw e;
        }
        push('STRING', from, value);
        continue;
      }
      case '[': {
        const start = s.pos;
        let end = start;
        while (end < query.length && query[end] !== ']') end++;
        if (end >= query.length) fail("missing closing ']' in duration", from, query.length);
        const body = query.slice(start, end);
        let ns: bigint;
        try {
          ns = parsePromDuration(body);
        } catch (e) {
          if (e instanceof DurationError) fail(e.message, from, end + 1);
          throw e;
        }
        while (s.pos <= end && s.ch !== EOF) s.advance();
        push('RANGE', from, body, { duration: ns });
        continue;
      }
    }
    // keywords, two-character operators, function names, identifiers
    const next = s.ch === EOF ? '' : cp(s.ch);
    const lowerText = text.toLowerCase();
    const two = (text + next).toLowerCase();
    if (kind === 'ident') {
      const fn = FUNCTION_TOKENS[lowerText];
      if (fn) {
        if (isFunction(query, s.pos)) {
          push(fn, from, lowerText);
          continue;
        }
        push('IDENTIFIER', from);
        continue;
      }
    } else if (kind !== 'char' && TOKENS[two] && next !== '') {
      s.advance();
      push(TOKENS[two], from);
      continue;
    }
    const t = TOKENS[lowerText];
    if (t && kind !== 'char') push(t, from);
    else push('IDENTIFIER', from);
  }
}

/** isFunction: `(` follows (after white space), or `by` / `without` then `(` */
function isFunction(query: string, pos: number): boolean {
  let i = pos;
  const skip = () => {
    while (i < query.length && isSpace(query.charCodeAt(i))) i++;
  };
  skip();
  let acc = '';
  while (i < query.length) {
    const c = String.fromCodePoint(query.codePointAt(i)!);
    i += c.length;
    acc += c;
    const l = acc.toLowerCase();
    if (l === '(') return true;
    if (l === 'by' || l === 'without') {
      skip();
      return query[i] === '(';
    }
  }
  return false;
}

/** The spans of tokens, for messages: the token at an offset. */
export function tokenSpan(t: Token): Span {
  return { from: t.from, to: t.to };
}
