// Lexer and parser for Go text/template syntax (subset used by Loki: no custom delimiters).
import { GoSyntaxError, unquoteGo, unquoteGoCharText } from '../../util/gostring';
import type { FuncDef } from './funcs';

export class TemplateError extends Error {
  readonly pos?: number;
  constructor(message: string, pos?: number) {
    super(message);
    this.name = 'TemplateError';
    if (pos !== undefined) this.pos = pos;
  }
}

export function lineCol(src: string, pos: number): [number, number] {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < src.length; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return [line, col];
}

export function makeError(src: string, pos: number, msg: string): TemplateError {
  const [l, c] = lineCol(src, pos);
  return new TemplateError(`template: line:${l}:${c}: ${msg}`, pos);
}

// ---------------- lexer ----------------

export const enum T {
  Text,
  LeftDelim,
  RightDelim,
  Space,
  Identifier,
  Keyword,
  Field,
  Variable,
  Dot,
  String,
  RawString,
  CharConst,
  Number,
  Bool,
  Nil,
  Pipe,
  LeftParen,
  RightParen,
  Declare,
  Assign,
  Char,
  EOF,
}

export interface Token {
  t: T;
  pos: number;
  val: string;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

function isSpaceCh(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlnum(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95)
    return true;
  if (code < 128) return false;
  return /[\p{L}\p{Nd}]/u.test(c);
}

function describe(tok: Token): string {
  switch (tok.t) {
    case T.EOF:
      return 'EOF';
    case T.RightDelim:
      return '"}}"';
    case T.LeftDelim:
      return '"{{"';
    case T.Space:
      return 'space';
    case T.Keyword:
      return `<${tok.val}>`;
    case T.Text:
      return JSON.stringify(tok.val.length > 10 ? tok.val.slice(0, 10) + '...' : tok.val);
    default:
      return JSON.stringify(tok.val);
  }
}

export function lex(src: string): Token[] {
  const toks: Token[] = [];
  let pos = 0;
  const n = src.length;
  const err = (p: number, msg: string) => makeError(src, p, msg);
  let trimNext = false;
  while (pos <= n) {
    // text
    let start = pos;
    const ld = src.indexOf('{{', pos);
    let textEnd = ld < 0 ? n : ld;
    if (trimNext) {
      while (start < textEnd && isSpaceCh(src[start])) start++;
      trimNext = false;
    }
    const trimLeft = ld >= 0 && src[ld + 2] === '-' && isSpaceCh(src[ld + 3]);
    let te = textEnd;
    if (trimLeft) while (te > start && isSpaceCh(src[te - 1])) te--;
    if (te > start) toks.push({ t: T.Text, pos: start, val: src.slice(start, te) });
    if (ld < 0) break;
    pos = ld + 2 + (trimLeft ? 2 : 0);
    // comment
    if (src.startsWith('/*', pos)) {
      const close = src.indexOf('*/', pos + 2);
      if (close < 0) throw err(ld, 'unclosed comment');
      let p = close + 2;
      let trimRight = false;
      if (isSpaceCh(src[p]) && src[p + 1] === '-' && src.startsWith('}}', p + 2)) {
        trimRight = true;
        p += 4;
      } else if (src.startsWith('}}', p)) p += 2;
      else throw err(ld, 'comment ends before closing delimiter');
      trimNext = trimRight;
      pos = p;
      textEnd = pos;
      continue;
    }
    toks.push({ t: T.LeftDelim, pos: ld, val: '{{' });
    // inside action
    let parenDepth = 0;
    for (;;) {
      // right delim?
      if (isSpaceCh(src[pos]) && src[pos + 1] === '-' && src.startsWith('}}', pos + 2)) {
        if (parenDepth > 0) throw err(pos, 'unclosed left paren');
        toks.push({ t: T.RightDelim, pos: pos + 2, val: '}}' });
        pos += 4;
        trimNext = true;
        break;
      }
      if (src.startsWith('}}', pos)) {
        if (parenDepth > 0) throw err(pos, 'unclosed left paren');
        toks.push({ t: T.RightDelim, pos, val: '}}' });
        pos += 2;
        break;
      }
      if (pos >= n) throw err(ld, 'unclosed action');
      const c = src[pos]!;
      const s = pos;
      if (isSpaceCh(c)) {
        while (
          pos < n &&
          isSpaceCh(src[pos]) &&
          !(src[pos + 1] === '-' && src.startsWith('}}', pos + 2) && isSpaceCh(src[pos]))
        )
          pos++;
        if (pos === s) {
          // a lone whitespace immediately before "-}}": handled at loop top
          continue;
        }
        toks.push({ t: T.Space, pos: s, val: src.slice(s, pos) });
        continue;
      }
      if (c === '=') {
        toks.push({ t: T.Assign, pos, val: '=' });
        pos++;
        continue;
      }
      if (c === ':') {
        if (src[pos + 1] !== '=') throw err(pos, 'expected :=');
        toks.push({ t: T.Declare, pos, val: ':=' });
        pos += 2;
        continue;
      }
      if (c === '|') {
        toks.push({ t: T.Pipe, pos, val: '|' });
        pos++;
        continue;
      }
      if (c === '"') {
        pos = lexQuoted(src, pos, err, 'unterminated quoted string');
        toks.push({ t: T.String, pos: s, val: src.slice(s, pos) });
        continue;
      }
      if (c === '`') {
        const close = src.indexOf('`', pos + 1);
        if (close < 0) throw err(s, 'unterminated raw quoted string');
        pos = close + 1;
        toks.push({ t: T.RawString, pos: s, val: src.slice(s, pos) });
        continue;
      }
      if (c === "'") {
        pos = lexQuoted(src, pos, err, 'unterminated character constant');
        toks.push({ t: T.CharConst, pos: s, val: src.slice(s, pos) });
        continue;
      }
      if (c === '$') {
        pos++;
        while (pos < n && isAlnum(src[pos])) pos++;
        toks.push({ t: T.Variable, pos: s, val: src.slice(s, pos) });
        continue;
      }
      if (c === '.') {
        const nx = src[pos + 1];
        if (nx !== undefined && nx >= '0' && nx <= '9') {
          pos = lexNumber(src, pos, err);
          toks.push({ t: T.Number, pos: s, val: src.slice(s, pos) });
          continue;
        }
        pos++;
        if (!isAlnum(src[pos])) {
          toks.push({ t: T.Dot, pos: s, val: '.' });
          continue;
        }
        while (pos < n && isAlnum(src[pos])) pos++;
        checkTerminator(src, pos, err);
        toks.push({ t: T.Field, pos: s, val: src.slice(s, pos) });
        continue;
      }
      if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        pos = lexNumber(src, pos, err);
        toks.push({ t: T.Number, pos: s, val: src.slice(s, pos) });
        continue;
      }
      if (isAlnum(c)) {
        while (pos < n && isAlnum(src[pos])) pos++;
        const word = src.slice(s, pos);
        checkTerminator(src, pos, err);
        if (KEYWORDS.has(word)) toks.push({ t: T.Keyword, pos: s, val: word });
        else if (word === 'true' || word === 'false') toks.push({ t: T.Bool, pos: s, val: word });
        else if (word === 'nil') toks.push({ t: T.Nil, pos: s, val: word });
        else toks.push({ t: T.Identifier, pos: s, val: word });
        continue;
      }
      if (c === '(') {
        parenDepth++;
        toks.push({ t: T.LeftParen, pos, val: '(' });
        pos++;
        continue;
      }
      if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) throw err(pos, 'unexpected right paren');
        toks.push({ t: T.RightParen, pos, val: ')' });
        pos++;
        continue;
      }
      const code = c.charCodeAt(0);
      if (code < 0x7f && code >= 0x20) {
        toks.push({ t: T.Char, pos, val: c });
        pos++;
        continue;
      }
      const cp = src.codePointAt(pos)!;
      throw err(pos, `unrecognized character in action: U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
    }
  }
  toks.push({ t: T.EOF, pos: n, val: '' });
  return toks;
}

/** Scans a `"…"` or `'…'` literal opening at `start` (backslash escapes; no newline); returns the position after it. */
function lexQuoted(
  src: string,
  start: number,
  err: (p: number, m: string) => TemplateError,
  unterminated: string,
): number {
  const quote = src[start];
  let pos = start + 1;
  for (;;) {
    const ch = src[pos];
    if (ch === '\\' && pos + 1 < src.length && src[pos + 1] !== '\n') {
      pos += 2;
      continue;
    }
    if (ch === undefined || ch === '\n' || ch === '\\') throw err(start, unterminated);
    pos++;
    if (ch === quote) return pos;
  }
}

function checkTerminator(src: string, pos: number, err: (p: number, m: string) => TemplateError): void {
  const r = src[pos];
  if (
    r === undefined ||
    isSpaceCh(r) ||
    r === '.' ||
    r === ',' ||
    r === '|' ||
    r === ':' ||
    r === ')' ||
    r === '(' ||
    r === '='
  )
    return;
  if (src.startsWith('}}', pos)) return;
  const cp = src.codePointAt(pos)!;
  throw err(pos, `bad character U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`);
}

function lexNumber(src: string, start: number, err: (p: number, m: string) => TemplateError): number {
  let pos = start;
  const accept = (set: string) => {
    if (pos < src.length && set.includes(src[pos]!)) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (set: string) => {
    while (pos < src.length && set.includes(src[pos]!)) pos++;
  };
  accept('+-');
  let digits = '0123456789_';
  if (accept('0')) {
    if (accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (accept('oO')) digits = '01234567_';
    else if (accept('bB')) digits = '01_';
  }
  acceptRun(digits);
  if (accept('.')) acceptRun(digits);
  if (digits.length === 11 && accept('eE')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  if (digits.length === 23 && accept('pP')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  accept('i');
  if (isAlnum(src[pos])) {
    pos++;
    throw err(start, `bad number syntax: ${JSON.stringify(src.slice(start, pos))}`);
  }
  if (pos === start + 1 && (src[start] === '+' || src[start] === '-')) {
    throw err(start, `bad number syntax: ${JSON.stringify(src.slice(start, pos))}`);
  }
  return pos;
}

// ---------------- AST ----------------

export interface NumberLit {
  k: 'number';
  pos: number;
  text: string;
  isInt: boolean;
  int: bigint;
  isFloat: boolean;
  float: number;
  /** idealConstant for interface{} contexts */
  ideal: bigint | number;
}

export type Arg =
  | { k: 'field'; pos: number; idents: string[] }
  | { k: 'var'; pos: number; name: string; idents: string[] }
  | { k: 'dot'; pos: number }
  | { k: 'nil'; pos: number }
  | { k: 'bool'; pos: number; v: boolean }
  | { k: 'string'; pos: number; v: string; text: string }
  | NumberLit
  | { k: 'ident'; pos: number; name: string; fn: FuncDef }
  | { k: 'pipe'; pos: number; pipe: Pipe }
  | { k: 'chain'; pos: number; node: Arg; fields: string[] };

export interface Cmd {
  pos: number;
  args: Arg[];
}

export interface Pipe {
  pos: number;
  isAssign: boolean;
  decl: string[];
  cmds: Cmd[];
}

export type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pos: number; pipe: Pipe }
  | { k: 'if' | 'with' | 'range'; pos: number; pipe: Pipe; list: Node[]; elseList: Node[] | null }
  | { k: 'break' | 'continue'; pos: number }
  | { k: 'template'; pos: number; name: string; pipe: Pipe | null };

export interface ParsedTemplate {
  root: Node[];
  defines: Map<string, Node[]>;
}

// ---------------- string unquoting ----------------

/**
 * A quoted or raw string token's value (Go's strconv.Unquote), or with `decode` a character constant's text;
 * a template error at the token on a bad one.
 */
function unquote(text: string, src: string, pos: number, decode: (lit: string) => string = unquoteGo): string {
  try {
    return decode(text);
  } catch (e) {
    if (e instanceof GoSyntaxError) throw makeError(src, pos, `invalid syntax: ${text}`);
    throw e;
  }
}

// ---------------- numbers ----------------

function parseGoInt(text: string): bigint | null {
  let t = text;
  let neg = false;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  let base = 10;
  let digits = t;
  if (/^0[xX]/.test(t)) {
    base = 16;
    digits = t.slice(2);
  } else if (/^0[oO]/.test(t)) {
    base = 8;
    digits = t.slice(2);
  } else if (/^0[bB]/.test(t)) {
    base = 2;
    digits = t.slice(2);
  } else if (t.length > 1 && t[0] === '0') {
    base = 8;
    digits = t.slice(1);
  }
  // underscores: only between digits (or after a base prefix)
  if (digits.includes('_')) {
    if (base === 10 && t[0] === '0') return null;
    const chk = (base !== 10 ? '0' : '') + digits;
    if (/__|_$/.test(chk) || (base === 10 && chk.startsWith('_'))) return null;
    digits = digits.replace(/_/g, '');
  }
  if (digits === '') return base === 8 && t === '0' ? 0n : t === '0' ? 0n : null;
  const re = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!re.test(digits)) return null;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  let v = BigInt(prefix + digits);
  if (neg) v = -v;
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

function parseGoFloat(text: string): number | null {
  const t = text.replace(/_/g, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(t);
  if (m && (m[2] || m[3])) {
    const mant = parseInt((m[2] || '0') + (m[3] || ''), 16) / 16 ** (m[3] || '').length;
    const v = mant * 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  return null;
}

function makeNumber(src: string, tok: Token): NumberLit {
  const text = tok.val;
  const node: NumberLit = {
    k: 'number',
    pos: tok.pos,
    text,
    isInt: false,
    int: 0n,
    isFloat: false,
    float: 0,
    ideal: 0n,
  };
  if (tok.t === T.CharConst) {
    const s = unquote(text, src, tok.pos, unquoteGoCharText);
    const cps = [...s];
    if (cps.length !== 1) throw makeError(src, tok.pos, `malformed character constant: ${text}`);
    const cp = cps[0]!.codePointAt(0)!;
    node.isInt = true;
    node.int = BigInt(cp);
    node.isFloat = true;
    node.float = cp;
    node.ideal = node.int;
    return node;
  }
  if (text.endsWith('i')) throw makeError(src, tok.pos, `complex numbers are not supported: ${text}`);
  const i = parseGoInt(text);
  if (i !== null) {
    node.isInt = true;
    node.int = i;
    node.isFloat = true;
    node.float = Number(i);
  } else {
    const f = parseGoFloat(text);
    if (f !== null) {
      const hex = /^[+-]?0[xX]/.test(text);
      if (!(hex ? /[pP]/.test(text) : /[.eE]/.test(text)))
        throw makeError(src, tok.pos, `integer overflow: ${JSON.stringify(text)}`);
      node.isFloat = true;
      node.float = f;
      if (Number.isInteger(f) && Math.abs(f) < 9.2e18) {
        node.isInt = true;
        node.int = BigInt(f);
      }
    }
  }
  if (!node.isInt && !node.isFloat) throw makeError(src, tok.pos, `illegal number syntax: ${JSON.stringify(text)}`);
  const isHexInt = /^[+-]?0[xX]/.test(text) && !/[pP]/.test(text);
  if (node.isFloat && !isHexInt && /[.eEpP]/.test(text)) node.ideal = node.float;
  else if (node.isInt) node.ideal = node.int;
  else node.ideal = node.float;
  return node;
}

// ---------------- parser ----------------

export function parseTemplate(src: string, funcs: Map<string, FuncDef>): ParsedTemplate {
  const toks = lex(src);
  let p = 0;
  let vars: string[] = ['$'];
  let rangeDepth = 0;
  const defines = new Map<string, Node[]>();

  const err = (pos: number, msg: string) => makeError(src, pos, msg);
  const next = (): Token => toks[p++] ?? toks[toks.length - 1]!;
  const peek = (): Token => toks[p] ?? toks[toks.length - 1]!;
  const backup = () => {
    p--;
  };
  const nextNonSpace = (): Token => {
    let t = next();
    while (t.t === T.Space) t = next();
    return t;
  };
  const peekNonSpace = (): Token => {
    const save = p;
    const t = nextNonSpace();
    p = save;
    return t;
  };
  const unexpected = (tok: Token, context: string): never => {
    throw err(tok.pos, `unexpected ${describe(tok)} in ${context}`);
  };
  const expect = (tt: T, context: string): Token => {
    const tok = nextNonSpace();
    if (tok.t !== tt) unexpected(tok, context);
    return tok;
  };

  // item list until {{end}} / {{else}}; returns list and terminating keyword
  const itemList = (): [Node[], 'end' | 'else', Token] => {
    const list: Node[] = [];
    for (;;) {
      const t = peekNonSpace();
      if (t.t === T.EOF) throw err(t.pos, 'unexpected EOF');
      if (t.t === T.LeftDelim) {
        const save = p;
        nextNonSpace();
        const kw = nextNonSpace();
        if (kw.t === T.Keyword && (kw.val === 'end' || kw.val === 'else')) {
          return [list, kw.val, kw];
        }
        p = save;
      }
      const n = textOrAction();
      if (n) list.push(n);
    }
  };

  const textOrAction = (): Node | null => {
    const t = nextNonSpace();
    switch (t.t) {
      case T.Text:
        return { k: 'text', text: t.val };
      case T.LeftDelim:
        return action(t);
      default:
        return unexpected(t, 'input');
    }
  };

  const action = (ld: Token): Node | null => {
    const t = nextNonSpace();
    if (t.t === T.Keyword) {
      switch (t.val) {
        case 'block':
          return blockControl(t);
        case 'break':
        case 'continue': {
          if (rangeDepth === 0) throw err(t.pos, `{{${t.val}}} outside {{range}}`);
          expect(T.RightDelim, t.val);
          return { k: t.val, pos: t.pos };
        }
        case 'define':
          throw err(t.pos, 'unexpected <define> in command'); // only at top level
        case 'else':
          throw err(t.pos, 'unexpected {{else}}');
        case 'end':
          throw err(t.pos, 'unexpected {{end}}');
        case 'if':
          return control('if', t);
        case 'range':
          return control('range', t);
        case 'template':
          return templateControl(t);
        case 'with':
          return control('with', t);
      }
    }
    backup();
    void ld;
    const pos = peek().pos;
    return { k: 'action', pos, pipe: pipeline('command', T.RightDelim) };
  };

  const control = (kind: 'if' | 'with' | 'range', kw: Token): Node => {
    const saveVars = vars.length;
    const pipe = pipeline(kind, T.RightDelim);
    if (kind === 'range') rangeDepth++;
    const [list, term] = itemList();
    if (kind === 'range') rangeDepth--;
    let elseList: Node[] | null = null;
    if (term === 'else') {
      // "else if" / "else with" chains
      const nx = peekNonSpace();
      if (
        (kind === 'if' && nx.t === T.Keyword && nx.val === 'if') ||
        (kind === 'with' && nx.t === T.Keyword && nx.val === 'with')
      ) {
        const kw2 = nextNonSpace();
        const nested = control(kind, kw2);
        elseList = [nested];
        // nested control consumed the shared {{end}}
      } else {
        expect(T.RightDelim, 'else');
        const [l2, term2, tok2] = itemList();
        if (term2 !== 'end') throw err(tok2.pos, 'expected end; found {{else}}');
        expect(T.RightDelim, 'end');
        elseList = l2;
      }
    } else {
      expect(T.RightDelim, 'end');
    }
    vars = vars.slice(0, saveVars);
    return { k: kind, pos: kw.pos, pipe, list, elseList };
  };

  const parseTemplateName = (tok: Token, context: string): string => {
    if (tok.t === T.String || tok.t === T.RawString) return unquote(tok.val, src, tok.pos);
    return unexpected(tok, context);
  };

  const templateControl = (kw: Token): Node => {
    const name = parseTemplateName(nextNonSpace(), 'template clause');
    let pipe: Pipe | null = null;
    if (peekNonSpace().t !== T.RightDelim) pipe = pipeline('template', T.RightDelim);
    else nextNonSpace();
    return { k: 'template', pos: kw.pos, name, pipe };
  };

  const blockControl = (kw: Token): Node => {
    const name = parseTemplateName(nextNonSpace(), 'block clause');
    const pipe = pipeline('block', T.RightDelim);
    const saveVars = vars;
    vars = ['$'];
    const [list, term, tok] = itemList();
    if (term !== 'end') throw err(tok.pos, 'unexpected {{else}}');
    expect(T.RightDelim, 'end');
    vars = saveVars;
    defines.set(name, list);
    return { k: 'template', pos: kw.pos, name, pipe };
  };

  const pipeline = (context: string, end: T): Pipe => {
    const pipe: Pipe = { pos: peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    // declarations
    decls: {
      const v = peekNonSpace();
      if (v.t !== T.Variable) break decls;
      const save = p;
      nextNonSpace();
      const tokenAfter = peek();
      const nx = nextNonSpace();
      if (nx.t === T.Assign || nx.t === T.Declare) {
        pipe.isAssign = nx.t === T.Assign;
        pipe.decl.push(v.val);
        if (pipe.isAssign) {
          if (!vars.includes(v.val)) throw err(v.pos, `undefined variable "${v.val}"`);
        } else vars.push(v.val);
        break decls;
      }
      if (nx.t === T.Char && nx.val === ',') {
        if (context !== 'range') throw err(nx.pos, `too many declarations in ${context}`);
        const v2 = nextNonSpace();
        if (v2.t !== T.Variable) unexpected(v2, 'range');
        const op = nextNonSpace();
        if (op.t !== T.Declare && op.t !== T.Assign) unexpected(op, 'range');
        pipe.isAssign = op.t === T.Assign;
        for (const vv of [v, v2]) {
          if (pipe.isAssign) {
            if (!vars.includes(vv.val)) throw err(vv.pos, `undefined variable "${vv.val}"`);
          } else vars.push(vv.val);
          pipe.decl.push(vv.val);
        }
        break decls;
      }
      void tokenAfter;
      p = save;
    }
    for (;;) {
      const t = nextNonSpace();
      if (t.t === end) {
        if (pipe.cmds.length === 0) throw err(t.pos, `missing value for ${context}`);
        for (let i = 1; i < pipe.cmds.length; i++) {
          const a0 = pipe.cmds[i]!.args[0]!;
          if (a0.k === 'bool' || a0.k === 'dot' || a0.k === 'nil' || a0.k === 'number' || a0.k === 'string') {
            throw err(a0.pos, `non executable command in pipeline stage ${i + 1}`);
          }
        }
        return pipe;
      }
      switch (t.t) {
        case T.Bool:
        case T.CharConst:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          backup();
          pipe.cmds.push(command());
          break;
        default:
          unexpected(t, context);
      }
    }
  };

  const command = (): Cmd => {
    const cmd: Cmd = { pos: peekNonSpace().pos, args: [] };
    for (;;) {
      peekNonSpace();
      const op = operand();
      if (op) cmd.args.push(op);
      const t = next();
      switch (t.t) {
        case T.Space:
          continue;
        case T.RightDelim:
        case T.RightParen:
          backup();
          break;
        case T.Pipe:
          break;
        default:
          unexpected(t, 'operand');
      }
      break;
    }
    if (cmd.args.length === 0) throw err(cmd.pos, 'empty command');
    return cmd;
  };

  const operand = (): Arg | null => {
    const node = term();
    if (!node) return null;
    if (peek().t === T.Field) {
      const fields: string[] = [];
      const pos = peek().pos;
      while (peek().t === T.Field) fields.push(next().val.slice(1));
      switch (node.k) {
        case 'field':
          return { k: 'field', pos: node.pos, idents: [...node.idents, ...fields] };
        case 'var':
          return { k: 'var', pos: node.pos, name: node.name, idents: [...node.idents, ...fields] };
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          throw err(
            pos,
            `unexpected . after term ${JSON.stringify(node.k === 'string' ? node.text : node.k === 'number' ? node.text : node.k === 'bool' ? String(node.v) : node.k === 'nil' ? 'nil' : '.')}`,
          );
        default:
          return { k: 'chain', pos: node.pos, node, fields };
      }
    }
    return node;
  };

  const term = (): Arg | null => {
    const t = nextNonSpace();
    switch (t.t) {
      case T.Identifier: {
        const fn = funcs.get(t.val);
        if (!fn) throw err(t.pos, `function "${t.val}" not defined`);
        return { k: 'ident', pos: t.pos, name: t.val, fn };
      }
      case T.Dot:
        return { k: 'dot', pos: t.pos };
      case T.Nil:
        return { k: 'nil', pos: t.pos };
      case T.Variable: {
        if (!vars.includes(t.val)) throw err(t.pos, `undefined variable "${t.val}"`);
        return { k: 'var', pos: t.pos, name: t.val, idents: [] };
      }
      case T.Field:
        return { k: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case T.Bool:
        return { k: 'bool', pos: t.pos, v: t.val === 'true' };
      case T.CharConst:
      case T.Number:
        return makeNumber(src, t);
      case T.LeftParen: {
        const pipe = pipeline('parenthesized pipeline', T.RightParen);
        return { k: 'pipe', pos: t.pos, pipe };
      }
      case T.String:
      case T.RawString:
        return { k: 'string', pos: t.pos, v: unquote(t.val, src, t.pos), text: t.val };
    }
    backup();
    return null;
  };

  // top level
  const root: Node[] = [];
  for (;;) {
    const t = peekNonSpace();
    if (t.t === T.EOF) break;
    if (t.t === T.LeftDelim) {
      const save = p;
      nextNonSpace();
      const kw = nextNonSpace();
      if (kw.t === T.Keyword && kw.val === 'define') {
        const name = parseTemplateName(nextNonSpace(), 'define clause');
        expect(T.RightDelim, 'define clause');
        const saveVars = vars;
        vars = ['$'];
        const [list, term, tok] = itemList();
        if (term !== 'end') throw err(tok.pos, 'unexpected {{else}}');
        expect(T.RightDelim, 'end');
        vars = saveVars;
        defines.set(name, list);
        continue;
      }
      p = save;
    }
    const n = textOrAction();
    if (n) root.push(n);
  }
  // check template references
  const check = (nodes: Node[]) => {
    for (const n of nodes) {
      if (n.k === 'template' && !defines.has(n.name)) throw err(n.pos, `no such template ${JSON.stringify(n.name)}`);
      if (n.k === 'if' || n.k === 'with' || n.k === 'range') {
        check(n.list);
        if (n.elseList) check(n.elseList);
      }
    }
  };
  check(root);
  for (const l of defines.values()) check(l);
  return { root, defines };
}
