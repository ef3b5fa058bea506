// Go string and character literals (strconv.Unquote), shared by the LogQL parser and the text/template parser.

/** A malformed literal; the message is Go's "invalid syntax", sometimes with what was wrong. Callers add position. */
export class GoSyntaxError extends Error {
  constructor(message = 'invalid syntax') {
    super(message);
    this.name = 'GoSyntaxError';
  }
}

export interface UnquoteOptions {
  /**
   * Keep carriage returns in backtick raw strings, as Prometheus' strutil.Unquote (Loki's lexer) does.
   * Go's strconv.Unquote drops them.
   */
  keepRawCR?: boolean;
}

const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const HEX8 = /^[0-9a-fA-F]{8}$/;
const OCT3 = /^[0-7]{3}$/;
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/**
 * Decodes a Go string literal like strconv.Unquote: `"…"` with Go escapes (\a \b \f \n \r \t \v \\ \" \xNN, \NNN octal,
 * \uNNNN, \UNNNNNNNN), a `'…'` character literal holding exactly one character, or a backtick raw string (no escapes).
 * In a `"…"` string, byte escapes (\x, octal) produce bytes and the result is decoded as UTF-8.
 * Throws GoSyntaxError.
 */
export function unquoteGo(lit: string, opts: UnquoteOptions = {}): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new GoSyntaxError();
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new GoSyntaxError();
    return opts.keepRawCR ? body : body.replace(/\r/g, '');
  }
  if (q === "'") {
    const s = decodeEscapes(body, q);
    if ([...s].length !== 1) throw new GoSyntaxError('invalid syntax: not a single character');
    return s;
  }
  if (q !== '"') throw new GoSyntaxError();
  if (!body.includes('\\') && !body.includes('"') && !body.includes('\n')) return body;
  return decodeEscapes(body, q);
}

/**
 * The text inside a Go `'…'` character literal, decoded as strconv.UnquoteChar decodes one character (\x and octal
 * escapes are code points). The caller checks that it is one character, so that it can say so in its own words.
 * Throws GoSyntaxError on a bad escape.
 */
export function unquoteGoCharText(lit: string): string {
  if (lit.length < 2 || lit[0] !== "'" || lit[lit.length - 1] !== "'") throw new GoSyntaxError();
  return decodeEscapes(lit.slice(1, -1), "'");
}

/** The body of a `"…"` or `'…'` literal with its escapes decoded (see unquoteGo). */
function decodeEscapes(body: string, quote: '"' | "'"): string {
  if (body.includes('\n')) throw new GoSyntaxError('invalid syntax: newline in string');
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const pushStr = (s: string) => {
    for (const b of enc.encode(s)) bytes.push(b);
  };
  // In a character literal a byte escape names a code point; in a string, a byte.
  const pushByte = (v: number) => (quote === "'" ? pushStr(String.fromCodePoint(v)) : bytes.push(v));
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === quote) throw new GoSyntaxError('invalid syntax: unescaped quote');
    if (c !== '\\') {
      const ch = String.fromCodePoint(body.codePointAt(i)!);
      pushStr(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      continue;
    }
    switch (e) {
      case "'":
      case '"':
        if (e !== quote) throw new GoSyntaxError(`invalid syntax: unknown escape sequence \\${e}`);
        bytes.push(e.charCodeAt(0));
        break;
      case 'x': {
        const h = body.slice(i, i + 2);
        if (!HEX2.test(h)) throw new GoSyntaxError('invalid syntax: bad \\x escape');
        pushByte(parseInt(h, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const h = body.slice(i, i + n);
        const cp = parseInt(h, 16);
        if (!(n === 4 ? HEX4 : HEX8).test(h) || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
          throw new GoSyntaxError(`invalid syntax: bad \\${e} escape`);
        pushStr(String.fromCodePoint(cp));
        i += n;
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        const o = body.slice(i - 1, i + 2);
        const v = parseInt(o, 8);
        if (!OCT3.test(o) || v > 255) throw new GoSyntaxError('invalid syntax: bad octal escape');
        pushByte(v);
        i += 2;
        break;
      }
      default:
        throw new GoSyntaxError(`invalid syntax: unknown escape sequence \\${e ?? ''}`);
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}
