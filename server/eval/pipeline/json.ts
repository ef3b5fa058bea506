// A scanner with the semantics of github.com/grafana/jsonparser, which Loki's `json`, `unpack` and `json a="path"`
// stages use. It is deliberately *not* JSON.parse: jsonparser streams key/value pairs and reports an error only when
// it reaches the broken part, so a truncated line still yields the labels before the break plus __error__; it also
// skips values it does not descend into without validating them (arrays, nested objects of skipped keys) and ignores
// text after the closing brace. Error texts are jsonparser's (they become __error_details__).

export const ERR_MALFORMED_JSON = 'Malformed JSON error';
export const ERR_MALFORMED_STRING = `Value is string, but can't find closing '"' symbol`;
export const ERR_MALFORMED_ARRAY = "Value is array, but can't find closing ']' symbol";
export const ERR_MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol";
export const ERR_UNKNOWN_VALUE = 'Unknown value type';
export const ERR_STRING_ESCAPE = 'Encountered an invalid escape sequence in a string';

export const enum JType {
  NotExist,
  String,
  Number,
  Object,
  Array,
  Boolean,
  Null,
  Unknown,
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** first non-whitespace index in [i, end), or -1 */
export function nextToken(s: string, i: number, end: number): number {
  for (; i < end; i++) if (!isWs(s.charCodeAt(i))) return i;
  return -1;
}

/** i points after an opening quote; returns the index after the closing quote, or -1 */
function stringEnd(s: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) i++;
  }
  return -1;
}

/** i points at the opening symbol; returns the index after the matching close, or -1 */
function blockEnd(s: string, i: number, end: number, open: number, close: number): number {
  let level = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const se = stringEnd(s, i + 1, end);
      if (se < 0) return -1;
      i = se - 1;
    } else if (c === open) level++;
    else if (c === close) {
      level--;
      if (level === 0) return i + 1;
    }
  }
  return -1;
}

function tokenEnd(s: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 44 || c === 125 || c === 93) return i;
  }
  return end;
}

/** the value found by jsonparser.Get(data[i:end]) (no keys): raw bounds (quotes stripped for strings) */
export interface JValue {
  type: JType;
  start: number;
  end: number;
  /** where scanning continues */
  next: number;
  error?: string;
}

export function getValue(s: string, i: number, end: number): JValue {
  const o = nextToken(s, i, end);
  if (o < 0) return { type: JType.NotExist, start: i, end: i, next: i, error: ERR_MALFORMED_JSON };
  const c = s.charCodeAt(o);
  if (c === 34) {
    const e = stringEnd(s, o + 1, end);
    if (e < 0) return { type: JType.String, start: o, end: o, next: o, error: ERR_MALFORMED_STRING };
    return { type: JType.String, start: o + 1, end: e - 1, next: e };
  }
  if (c === 91) {
    const e = blockEnd(s, o, end, 91, 93);
    if (e < 0) return { type: JType.Array, start: o, end: o, next: o, error: ERR_MALFORMED_ARRAY };
    return { type: JType.Array, start: o, end: e, next: e };
  }
  if (c === 123) {
    const e = blockEnd(s, o, end, 123, 125);
    if (e < 0) return { type: JType.Object, start: o, end: o, next: o, error: ERR_MALFORMED_OBJECT };
    return { type: JType.Object, start: o, end: e, next: e };
  }
  const e = tokenEnd(s, o, end);
  let type: JType;
  // (literals compared in place: a slice per value was most of a number's cost)
  if (c === 116 || c === 102)
    type =
      (e - o === 4 && s.startsWith('true', o)) || (e - o === 5 && s.startsWith('false', o))
        ? JType.Boolean
        : JType.Unknown;
  else if (c === 117 || c === 110) type = e - o === 4 && s.startsWith('null', o) ? JType.Null : JType.Unknown;
  else if ((c >= 48 && c <= 57) || c === 45) type = JType.Number;
  else type = JType.Unknown;
  if (type === JType.Unknown) return { type, start: o, end: o, next: o, error: ERR_UNKNOWN_VALUE };
  return { type, start: o, end: e, next: e };
}

/** callback result: undefined to go on, a string to stop with that error, STOP to stop without error */
export const STOP = '\u0000stop';
export type ObjectEachCb = (key: string, v: JValue) => string | undefined;

/** jsonparser.ObjectEach over s[i:end]; returns an error message or undefined (STOP is passed through) */
export function objectEach(s: string, i: number, end: number, cb: ObjectEachCb): string | undefined {
  let o = nextToken(s, i, end);
  if (o < 0 || s.charCodeAt(o) !== 123) return ERR_MALFORMED_OBJECT;
  o++;
  o = nextToken(s, o, end);
  if (o < 0) return ERR_MALFORMED_JSON;
  if (s.charCodeAt(o) === 125) return undefined;
  while (o < end) {
    const c = s.charCodeAt(o);
    if (c === 125) return undefined;
    if (c !== 34) return ERR_MALFORMED_OBJECT;
    o++;
    const ke = stringEnd(s, o, end);
    if (ke < 0) return ERR_MALFORMED_JSON;
    let key = s.slice(o, ke - 1);
    if (key.indexOf('\\') >= 0) {
      const u = unescape(key);
      if (u === null) return ERR_STRING_ESCAPE;
      key = u;
    }
    o = nextToken(s, ke, end);
    if (o < 0 || s.charCodeAt(o) !== 58) return ERR_MALFORMED_JSON;
    o++;
    const v = getValue(s, o, end);
    if (v.error !== undefined) return v.error;
    const r = cb(key, v);
    if (r !== undefined) return r;
    o = nextToken(s, v.next, end);
    if (o < 0) return ERR_MALFORMED_ARRAY;
    const d = s.charCodeAt(o);
    if (d === 125) return undefined;
    if (d !== 44) return ERR_MALFORMED_OBJECT;
    o = nextToken(s, o + 1, end);
    if (o < 0) return ERR_MALFORMED_ARRAY;
  }
  return ERR_MALFORMED_OBJECT;
}

function hex4(s: string, i: number): number {
  if (i + 6 > s.length || s.charCodeAt(i) !== 92 || s.charCodeAt(i + 1) !== 117) return -1;
  let r = 0;
  for (let k = i + 2; k < i + 6; k++) {
    const c = s.charCodeAt(k);
    let h: number;
    if (c >= 48 && c <= 57) h = c - 48;
    else if (c >= 65 && c <= 70) h = c - 55;
    else if (c >= 97 && c <= 102) h = c - 87;
    else return -1;
    r = r * 16 + h;
  }
  return r;
}

/** The one-letter escapes and what they stand for. */
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** jsonparser.Unescape: null on an invalid escape */
export function unescape(s: string): string | null {
  let b = s.indexOf('\\');
  if (b < 0) return s;
  let out = s.slice(0, b);
  let i = b;
  while (i < s.length) {
    // at a backslash
    if (i + 1 >= s.length) return null;
    const e = s[i + 1]!;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (e === 'u') {
      const r = hex4(s, i);
      if (r < 0) return null;
      if (r < 0xd800 || r > 0xdfff) {
        out += String.fromCharCode(r);
        i += 6;
      } else {
        const r2 = hex4(s, i + 6);
        if (r2 < 0 || r2 < 0xdc00) return null;
        const cp = 0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00);
        out += cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
        i += 12;
      }
    } else return null;
    b = s.indexOf('\\', i);
    if (b < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, b);
    i = b;
  }
  return out;
}

/** Loki's unescapeJSONString: invalid escapes give "", U+FFFD (invalid UTF-8 in Go) becomes a space */
export function unescapeJSONString(raw: string): string {
  const u = unescape(raw);
  if (u === null) return '';
  return u.indexOf('\ufffd') >= 0 ? u.replaceAll('\ufffd', ' ') : u;
}

// ---------------------------------------------------------------- `json label="expr"` paths

export type PathPart = string | number;

/** Loki's jsonexpr grammar: `a.b`, `a[0]`, `["key with.dots"]`, `a.b[1].c` */
export function parseJsonPath(expr: string): PathPart[] {
  const out: PathPart[] = [];
  let i = 0;
  const n = expr.length;
  const isStart = (c: string): boolean => /[A-Za-z_]/.test(c);
  const ws = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n';
  let expectField = true;
  while (i < n) {
    const c = expr[i];
    if (ws(c)) {
      i++;
      continue;
    }
    if (c === '.') {
      if (out.length === 0) throw new Error(`cannot parse expression [${expr}]: syntax error: unexpected DOT`);
      expectField = true;
      i++;
      continue;
    }
    if (c === '[') {
      i++;
      while (ws(expr[i])) i++;
      if (expr[i] === '"') {
        i++;
        let key = '';
        while (i < n && expr[i] !== '"' && expr[i] !== ']') key += expr[i++];
        if (expr[i] === '"') i++;
        while (ws(expr[i])) i++;
        if (expr[i] !== ']') throw new Error(`cannot parse expression [${expr}]: syntax error: missing ]`);
        i++;
        out.push(key);
      } else if (/[0-9]/.test(expr[i] ?? '')) {
        let num = '';
        while (i < n && /[0-9]/.test(expr[i])) num += expr[i++];
        if (expr[i] === '.') throw new Error(`cannot parse expression [${expr}]: cannot use float as array index`);
        while (ws(expr[i])) i++;
        if (expr[i] !== ']') throw new Error(`cannot parse expression [${expr}]: non-integer value: ${expr[i] ?? ''}`);
        i++;
        out.push(Number(num));
      } else {
        throw new Error(`cannot parse expression [${expr}]: syntax error`);
      }
      expectField = false;
      continue;
    }
    if (isStart(c)) {
      if (!expectField) throw new Error(`cannot parse expression [${expr}]: syntax error: unexpected FIELD`);
      let f = '';
      while (i < n && /[A-Za-z0-9_]/.test(expr[i])) f += expr[i++];
      out.push(f);
      expectField = false;
      continue;
    }
    throw new Error(`cannot parse expression [${expr}]: unexpected char ${c}`);
  }
  if (out.length === 0 || expectField) throw new Error(`cannot parse expression [${expr}]: syntax error`);
  return out;
}

/**
 * Finds the value at a path (first occurrence of a duplicate key wins, as jsonparser.EachKey). Returns undefined
 * when the path does not exist (or the document breaks before it), or a JValue (possibly with an error when the
 * key was found but its value is broken).
 */
export function findPath(s: string, path: PathPart[]): JValue | undefined {
  let start = 0;
  let end = s.length;
  for (let depth = 0; depth < path.length; depth++) {
    const p = path[depth];
    const last = depth === path.length - 1;
    const o = nextToken(s, start, end);
    if (o < 0) return undefined;
    if (typeof p === 'number') {
      if (s.charCodeAt(o) !== 91) return undefined;
      const el = arrayElement(s, o, end, p);
      if (!el) return undefined;
      if (last) return el;
      start = el.type === JType.String ? el.start - 1 : el.start;
      end = el.type === JType.String ? el.end + 1 : el.end;
      continue;
    }
    if (s.charCodeAt(o) !== 123) return undefined;
    let found: JValue | undefined;
    let brokenAtKey: string | undefined;
    objectEach(s, o, end, (key, v) => {
      if (key === p) {
        found = v;
        return STOP;
      }
      return undefined;
    });
    if (!found) {
      // the key may exist with a broken value: jsonparser reports an error in that case
      brokenAtKey = keyWithBrokenValue(s, o, end, p);
      if (brokenAtKey !== undefined) return { type: JType.NotExist, start: 0, end: 0, next: 0, error: brokenAtKey };
      return undefined;
    }
    if (last) return found;
    start = found.type === JType.String ? found.start - 1 : found.start;
    end = found.type === JType.String ? found.end + 1 : found.end;
  }
  return undefined;
}

/** when objectEach stopped on an error right at key p's value, that value's error */
function keyWithBrokenValue(s: string, o: number, end: number, p: string): string | undefined {
  const result: string | undefined = undefined;
  let i = nextToken(s, o, end);
  if (i < 0) return undefined;
  i++;
  for (;;) {
    i = nextToken(s, i, end);
    if (i < 0 || s.charCodeAt(i) !== 34) return result;
    const ke = stringEnd(s, i + 1, end);
    if (ke < 0) return result;
    const rawKey = s.slice(i + 1, ke - 1);
    const key = rawKey.indexOf('\\') >= 0 ? unescape(rawKey) : rawKey;
    i = nextToken(s, ke, end);
    if (i < 0 || s.charCodeAt(i) !== 58) return result;
    const v = getValue(s, i + 1, end);
    if (key === p) return v.error;
    if (v.error !== undefined) return result;
    i = nextToken(s, v.next, end);
    if (i < 0 || s.charCodeAt(i) !== 44) return result;
    i++;
  }
}

function arrayElement(s: string, o: number, end: number, idx: number): JValue | undefined {
  let i = nextToken(s, o + 1, end);
  if (i < 0) return undefined;
  if (s.charCodeAt(i) === 93) return undefined;
  for (let k = 0; ; k++) {
    const v = getValue(s, i, end);
    if (v.error !== undefined) return undefined;
    if (k === idx) return v;
    i = nextToken(s, v.next, end);
    if (i < 0 || s.charCodeAt(i) !== 44) return undefined;
    i++;
  }
}
