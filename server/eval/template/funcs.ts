// Function library: Go text/template builtins, Loki's own functions (pkg/logql/log/fmt.go)
// and the sprig functions Loki exposes.
import { goQuote, sprint, sprintf, sprintln, formatFloat } from './fmt';
import { GoTime, LOCAL, LONG_DAYS, LONG_MONTHS, Location, parseDurationSeconds, parseTime, UTC } from './gotime';
import { compileRegexp, countMatches, RegexError, replaceAll } from './regex';
import { limits, outputLimitMessage, utf8Length } from './limits';
import {
  byteLen,
  byteSlice,
  cmpStrings,
  fromBytes,
  GoMap,
  isAscii,
  toBytes,
  truth,
  typeName,
  type Value,
} from './values';

/** Parameter kinds, mirroring the Go parameter types that matter for argument checking. */
export type Kind = 'string' | 'int' | 'float' | 'bool' | 'time' | 'any';

export interface Env {
  line: string;
  ts: bigint;
}

export interface FuncDef {
  name: string;
  params: Kind[];
  variadic?: Kind;
  /** and/or: arguments evaluated lazily by the evaluator */
  lazy?: boolean;
  call(args: Value[], env: Env): Value;
}

/** Error returned by a function; reported as "error calling NAME: msg". */
export class FuncError extends Error {}

const defs = new Map<string, FuncDef>();

function def(name: string, params: Kind[], call: (args: Value[], env: Env) => Value, variadic?: Kind): void {
  const d: FuncDef = { name, params, call };
  if (variadic !== undefined) d.variadic = variadic;
  defs.set(name, d);
}

/** Refuses a result of `bytes` bytes before it is built when it would exceed the template output bound. */
function checkResultSize(bytes: number): void {
  if (bytes > limits.maxOutputBytes) throw new FuncError(outputLimitMessage());
}

const S = (v: Value) => v as string;
const I = (v: Value) => Number(v as bigint);

// ---------------- Go builtins ----------------

defs.set('and', { name: 'and', params: ['any'], variadic: 'any', lazy: true, call: () => null });
defs.set('or', { name: 'or', params: ['any'], variadic: 'any', lazy: true, call: () => null });
def('not', ['any'], ([a]) => !truth(a!));
def('len', ['any'], ([a]) => {
  if (typeof a === 'string') return BigInt(byteLen(a));
  if (Array.isArray(a)) return BigInt(a.length);
  if (a instanceof GoMap) return BigInt(a.size);
  if (a === null) throw new FuncError('len of nil pointer');
  throw new FuncError(`len of type ${typeName(a!)}`);
});

function indexArg(idx: Value, len: number, what: string): number {
  if (typeof idx !== 'bigint') throw new FuncError(`cannot index ${what} with type ${typeName(idx)}`);
  if (idx < 0n || idx >= BigInt(len)) throw new FuncError(`index out of range: ${idx}`);
  return Number(idx);
}

def(
  'index',
  ['any'],
  ([item0, ...idxs]) => {
    let item: Value = item0!;
    if (item === null) throw new FuncError('index of untyped nil');
    for (const idx of idxs) {
      if (typeof item === 'string') {
        const b = toBytes(item);
        item = BigInt(b[indexArg(idx, b.length, 'slice/array')]!);
      } else if (Array.isArray(item)) {
        item = item[indexArg(idx, item.length, 'slice/array')]!;
      } else if (item instanceof GoMap) {
        if (typeof idx !== 'string') throw new FuncError(`value has type ${typeName(idx)}; should be string`);
        const v = item.get(idx);
        item = v === undefined ? item.zero() : v;
      } else if (item === null) {
        throw new FuncError('index of nil pointer');
      } else {
        throw new FuncError(`can't index item of type ${typeName(item)}`);
      }
    }
    return item;
  },
  'any',
);

def(
  'slice',
  ['any'],
  ([item, ...idxs]) => {
    if (item === null) throw new FuncError('slice of untyped nil');
    if (idxs.length > 3) throw new FuncError(`too many slice indexes: ${idxs.length}`);
    let len: number;
    let isStr = false;
    if (typeof item === 'string') {
      if (idxs.length === 3) throw new FuncError('cannot 3-index slice a string');
      len = byteLen(item);
      isStr = true;
    } else if (Array.isArray(item)) len = item.length;
    else throw new FuncError(`can't slice item of type ${typeName(item!)}`);
    const cap = len;
    const ix: number[] = [0, len];
    for (let i = 0; i < idxs.length; i++) {
      const v = idxs[i]!;
      if (typeof v !== 'bigint') throw new FuncError(`cannot index slice/array with type ${typeName(v)}`);
      if (v < 0n || v > BigInt(cap)) throw new FuncError(`index out of range: ${v}`);
      ix[i] = Number(v);
    }
    if (ix[0]! > ix[1]!) throw new FuncError(`invalid slice index: ${ix[0]} > ${ix[1]}`);
    if (idxs.length === 3 && ix[1]! > ix[2]!) throw new FuncError(`invalid slice index: ${ix[1]} > ${ix[2]}`);
    if (isStr) return byteSlice(item as string, ix[0]!, ix[1]!);
    return (item as Value[]).slice(ix[0], ix[1]);
  },
  'any',
);

def('print', [], (a) => sprint(a), 'any');
def('printf', ['string'], ([f, ...a]) => sprintf(S(f!), a), 'any');
def('println', [], (a) => sprintln(a), 'any');

function evalArgs(a: Value[]): string {
  if (a.length === 1 && typeof a[0] === 'string') return a[0];
  return sprint(a);
}

export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '"':
        return '&#34;';
      default:
        return '\uFFFD';
    }
  });
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (cp < 0x20) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else if (cp < 0x80) out += ch;
    else if (/[\p{C}\p{Zl}\p{Zp}]/u.test(ch)) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

def('html', [], (a) => htmlEscape(evalArgs(a)), 'any');
def('js', [], (a) => jsEscape(evalArgs(a)), 'any');
def('urlquery', [], (a) => queryEscape(evalArgs(a)), 'any');
def(
  'call',
  ['any'],
  ([f]) => {
    if (f === null) throw new FuncError('call of nil');
    throw new FuncError(`non-function of type ${typeName(f!)}`);
  },
  'any',
);

// comparisons
type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'other' | 'invalid';
function basicKind(v: Value): BasicKind {
  if (v === null) return 'invalid';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  return 'other';
}

const errBadComparison = 'incompatible types for comparison';
const errBadComparisonType = 'invalid type for comparison';

function eq1(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if (k1 !== 'invalid' && k2 !== 'invalid') throw new FuncError(errBadComparison);
    return false;
  }
  switch (k1) {
    case 'invalid':
      return true;
    case 'other':
      if (a instanceof GoTime && b instanceof GoTime) return a.sec === b.sec && a.nsec === b.nsec && a.loc === b.loc;
      if (a instanceof GoTime || b instanceof GoTime) throw new FuncError(errBadComparison);
      throw new FuncError(`non-comparable type ${typeName(a)}`);
    default:
      return a === b;
  }
}

function lt1(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid' || k1 === 'other') throw new FuncError(errBadComparisonType);
  const k2 = basicKind(b);
  if (k2 === 'invalid' || k2 === 'other') throw new FuncError(errBadComparisonType);
  if (k1 !== k2) throw new FuncError(errBadComparison);
  switch (k1) {
    case 'bool':
      throw new FuncError(errBadComparisonType);
    case 'string':
      return cmpStrings(a as string, b as string) < 0;
    case 'int':
      return (a as bigint) < (b as bigint);
    default:
      return (a as number) < (b as number);
  }
}

def(
  'eq',
  ['any'],
  ([a, ...rest]) => {
    if (rest.length === 0) throw new FuncError('missing argument for comparison');
    for (const b of rest) if (eq1(a!, b)) return true;
    return false;
  },
  'any',
);
def('ne', ['any', 'any'], ([a, b]) => !eq1(a!, b!));
def('lt', ['any', 'any'], ([a, b]) => lt1(a!, b!));
def('le', ['any', 'any'], ([a, b]) => lt1(a!, b!) || eq1(a!, b!));
def('gt', ['any', 'any'], ([a, b]) => !(lt1(a!, b!) || eq1(a!, b!)));
def('ge', ['any', 'any'], ([a, b]) => !lt1(a!, b!));

// ---------------- Go strings helpers ----------------

const GO_SPACE =
  '\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000';
const TRIM_SPACE_RE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

function trimSpace(s: string): string {
  return s.replace(TRIM_SPACE_RE, '');
}

function cutsetFn(cutset: string): (ch: string) => boolean {
  if (cutset.length === 1) return (ch) => ch === cutset;
  const set = new Set([...cutset]);
  return (ch) => set.has(ch);
}

function trimLeftSet(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const inSet = cutsetFn(cutset);
  const chars = [...s];
  let i = 0;
  while (i < chars.length && inSet(chars[i]!)) i++;
  return chars.slice(i).join('');
}

function trimRightSet(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const inSet = cutsetFn(cutset);
  const chars = [...s];
  let j = chars.length;
  while (j > 0 && inSet(chars[j - 1]!)) j--;
  return chars.slice(0, j).join('');
}

function goReplace(s: string, old: string, nw: string, n: number): string {
  if (old === nw || n === 0) return s;
  if (nw.length > old.length) {
    // the result's size, before building it: matches × growth
    let count = 0;
    if (old === '') count = [...s].length + 1;
    else for (let i = s.indexOf(old); i >= 0; i = s.indexOf(old, i + old.length)) count++;
    if (n >= 0 && count > n) count = n;
    checkResultSize(utf8Length(s) + count * (utf8Length(nw) - utf8Length(old)));
  }
  if (old === '') {
    const chars = [...s];
    let out = '';
    let count = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || count < n) {
        out += nw;
        count++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  if (n < 0) return s.split(old).join(nw);
  let out = '';
  let pos = 0;
  for (let c = 0; c < n; c++) {
    const i = s.indexOf(old, pos);
    if (i < 0) break;
    out += s.slice(pos, i) + nw;
    pos = i + old.length;
  }
  return out + s.slice(pos);
}

function title(s: string): string {
  // strings.Title: upper-case letters that begin words.
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    if (isSeparator(prev))
      out += ch.toUpperCase().length === 1 || [...ch.toUpperCase()].length === 1 ? ch.toUpperCase() : ch;
    else out += ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) {
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return false;
    return true;
  }
  if (/[\p{L}\p{Nd}\p{Nl}\p{No}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

function queryEscape(s: string): string {
  let out = '';
  const b = toBytes(s);
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 45 ||
      c === 95 ||
      c === 46 ||
      c === 126
    ) {
      out += String.fromCharCode(c);
    } else if (c === 32) out += '+';
    else out += '%' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function queryUnescape(s: string): string {
  const bytes: number[] = [];
  const b = toBytes(s);
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 37) {
      const h = String.fromCharCode(b[i + 1] ?? 0, b[i + 2] ?? 0);
      if (i + 2 >= b.length || !/^[0-9a-fA-F]{2}$/.test(h)) {
        let esc = fromBytes(b.subarray(i, i + 3));
        if (esc.length > 3) esc = esc.slice(0, 3);
        throw new FuncError(`invalid URL escape ${goQuote(esc)}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === 43) bytes.push(32);
    else bytes.push(c);
  }
  return fromBytes(new Uint8Array(bytes));
}

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
function base64Decode(v0: string): string {
  let v = v0.replace(/[\r\n]/g, '');
  const rem = v.length % 4;
  if (rem !== 0 && rem !== 1) v += '='.repeat(4 - rem);
  // validate like encoding/base64 StdEncoding (strict padding)
  let bad = -1;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '=') {
      const tail = v.slice(i);
      if (
        !/^={1,2}$/.test(tail) ||
        v.length % 4 !== 0 ||
        (tail.length === 2 && i % 4 !== 2) ||
        (tail.length === 1 && i % 4 !== 3)
      ) {
        bad = i;
      }
      break;
    }
    if (!/[A-Za-z0-9+/]/.test(c)) {
      bad = i;
      break;
    }
  }
  if (bad < 0 && v.length % 4 !== 0) bad = v.length - (v.length % 4);
  if (bad < 0 && !B64_RE.test(v)) bad = 0;
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  return fromBytes(Buffer.from(v, 'base64'));
}

// UTF-8 byte-oriented helpers (sprig's trunc/substr use byte offsets)
function bytesLenOf(s: string): number {
  return isAscii(s) ? s.length : byteLen(s);
}

// ---------------- Loki functions ----------------

def('ToLower', ['string'], ([s]) => S(s!).toLowerCase());
def('ToUpper', ['string'], ([s]) => S(s!).toUpperCase());
def('Replace', ['string', 'string', 'string', 'int'], ([s, o, n, c]) => goReplace(S(s!), S(o!), S(n!), I(c!)));
def('Trim', ['string', 'string'], ([s, c]) => trimRightSet(trimLeftSet(S(s!), S(c!)), S(c!)));
def('TrimLeft', ['string', 'string'], ([s, c]) => trimLeftSet(S(s!), S(c!)));
def('TrimRight', ['string', 'string'], ([s, c]) => trimRightSet(S(s!), S(c!)));
def('TrimPrefix', ['string', 'string'], ([s, p]) => (S(s!).startsWith(S(p!)) ? S(s!).slice(S(p!).length) : S(s!)));
def('TrimSuffix', ['string', 'string'], ([s, p]) =>
  S(p!) !== '' && S(s!).endsWith(S(p!)) ? S(s!).slice(0, S(s!).length - S(p!).length) : S(s!),
);
def('TrimSpace', ['string'], ([s]) => trimSpace(S(s!)));

function regex(src: string) {
  try {
    return compileRegexp(src);
  } catch (e) {
    if (e instanceof RegexError) throw new FuncError(e.message);
    throw e;
  }
}

def('regexReplaceAll', ['string', 'string', 'string'], ([r, s, repl]) =>
  replaceAll(regex(S(r!)), S(s!), S(repl!), false),
);
def('regexReplaceAllLiteral', ['string', 'string', 'string'], ([r, s, repl]) =>
  replaceAll(regex(S(r!)), S(s!), S(repl!), true),
);
def('count', ['string', 'string'], ([r, s]) => BigInt(countMatches(regex(S(r!)), S(s!))));
def('urldecode', ['string'], ([s]) => queryUnescape(S(s!)));
def('urlencode', ['string'], ([s]) => queryEscape(S(s!)));

const BYTE_SIZES: Record<string, number> = {
  '': 1,
  b: 1,
  kib: 1024,
  kb: 1000,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
  eib: 1024 ** 6,
  eb: 1000 ** 6,
  ki: 1024,
  k: 1000,
  mi: 1024 ** 2,
  m: 1000 ** 2,
  gi: 1024 ** 3,
  g: 1000 ** 3,
  ti: 1024 ** 4,
  t: 1000 ** 4,
  pi: 1024 ** 5,
  p: 1000 ** 5,
  ei: 1024 ** 6,
  e: 1000 ** 6,
};

/** humanize.ParseBytes */
function parseBytes(s: string): number {
  let last = 0;
  let hasComma = false;
  for (const ch of s) {
    if (!(/\d/.test(ch) || ch === '.' || ch === ',')) break;
    if (ch === ',') hasComma = true;
    last += ch.length;
  }
  let num = s.slice(0, last);
  if (hasComma) num = num.replace(/,/g, '');
  if (!/^(\d+\.?\d*|\.\d+)$/.test(num))
    throw new FuncError(`strconv.ParseFloat: parsing ${goQuote(num)}: invalid syntax`);
  const f = Number(num);
  const extra = trimSpace(s.slice(last)).toLowerCase();
  const m = BYTE_SIZES[extra];
  if (m === undefined) throw new FuncError(`unhandled size name: ${extra}`);
  const r = f * m;
  if (r >= 1.8446744073709552e19) throw new FuncError(`too large: ${s}`);
  return Math.trunc(r);
}

def('bytes', ['string'], ([s]) => parseBytes(S(s!)));
const durationFn = ([s]: Value[]) => {
  try {
    return parseDurationSeconds(S(s!));
  } catch (e) {
    throw new FuncError((e as Error).message);
  }
};
def('duration', ['string'], durationFn);
def('duration_seconds', ['string'], durationFn);
def('unixEpochMillis', ['time'], ([t]) => String((t as GoTime).unixMilli()));
def('unixEpochNanos', ['time'], ([t]) => (t as GoTime).unixNano().toString());
def('toDateInZone', ['string', 'string', 'string'], ([f, z, s]) => {
  const loc = Location.load(S(z!)) ?? UTC;
  try {
    return parseTime(S(f!), S(s!), loc);
  } catch {
    return GoTime.zero();
  }
});
def('unixToTime', ['string'], ([e]) => {
  const epoch = S(e!);
  const bad = () =>
    new FuncError(`unable to parse time '${epoch}': strconv.ParseInt: parsing ${goQuote(epoch)}: invalid syntax`);
  if (!/^[+-]?\d+$/.test(epoch)) throw bad();
  const i = BigInt(epoch);
  if (i > 9223372036854775807n || i < -9223372036854775808n)
    throw new FuncError(
      `unable to parse time '${epoch}': strconv.ParseInt: parsing ${goQuote(epoch)}: value out of range`,
    );
  switch (epoch.length) {
    case 5:
      return GoTime.fromUnixNano(i * 86400n * 1_000_000_000n);
    case 10:
      return GoTime.fromUnixNano(i * 1_000_000_000n);
    case 13:
      return GoTime.fromUnixNano(i * 1_000_000n);
    case 16:
      return GoTime.fromUnixNano(i * 1_000n);
    case 19:
      return GoTime.fromUnixNano(i);
    default:
      throw new FuncError(`unable to parse time '${epoch}': %!w(<nil>)`);
  }
});
def('alignLeft', ['int', 'string'], ([c, s]) => {
  const count = I(c!);
  const runes = [...S(s!)];
  if (count < 0 || count === runes.length) return S(s!);
  const pad = count - runes.length;
  if (pad > 0) {
    checkResultSize(count);
    return S(s!) + ' '.repeat(pad);
  }
  return runes.slice(0, count).join('');
});
def('alignRight', ['int', 'string'], ([c, s]) => {
  const count = I(c!);
  const runes = [...S(s!)];
  const l = runes.length;
  if (count < 0 || count === l) return S(s!);
  const pad = count - l;
  if (pad > 0) {
    checkResultSize(count);
    return ' '.repeat(pad) + S(s!);
  }
  return runes.slice(l - count).join('');
});
def('b64dec', ['string'], ([s]) => base64Decode(S(s!)));
def('__line__', [], (_a, env) => env.line);
def('__timestamp__', [], (_a, env) => GoTime.fromUnixNano(env.ts));

// ---------------- sprig functions ----------------

def('b64enc', ['string'], ([s]) => Buffer.from(S(s!), 'utf8').toString('base64'));
def('lower', ['string'], ([s]) => S(s!).toLowerCase());
def('upper', ['string'], ([s]) => S(s!).toUpperCase());
def('title', ['string'], ([s]) => title(S(s!)));
def('trunc', ['int', 'string'], ([c0, s0]) => {
  const c = I(c0!);
  const s = S(s0!);
  const l = bytesLenOf(s);
  if (c < 0 && l + c > 0) return byteSlice(s, l + c);
  if (c >= 0 && l > c) return byteSlice(s, 0, c);
  return s;
});
def('substr', ['int', 'int', 'string'], ([a, b, s0]) => {
  const start = I(a!);
  const end = I(b!);
  const s = S(s0!);
  const l = bytesLenOf(s);
  if (start < 0) {
    if (end > l || end < 0) throw new FuncError(`runtime error: slice bounds out of range [:${end}] with length ${l}`);
    return byteSlice(s, 0, end);
  }
  if (end < 0 || end > l) {
    if (start > l) throw new FuncError(`runtime error: slice bounds out of range [${start}:${l}]`);
    return byteSlice(s, start);
  }
  if (start > end) throw new FuncError(`runtime error: slice bounds out of range [${start}:${end}]`);
  return byteSlice(s, start, end);
});
def('contains', ['string', 'string'], ([sub, s]) => S(s!).includes(S(sub!)));
def('hasPrefix', ['string', 'string'], ([p, s]) => S(s!).startsWith(S(p!)));
def('hasSuffix', ['string', 'string'], ([p, s]) => S(s!).endsWith(S(p!)));
function indent(n: number, s: string): string {
  if (n > 0) {
    let lines = 1;
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) lines++;
    checkResultSize(n * lines + utf8Length(s));
  }
  const pad = ' '.repeat(Math.max(0, n));
  return pad + s.split('\n').join('\n' + pad);
}
def('indent', ['int', 'string'], ([n, s]) => indent(I(n!), S(s!)));
def('nindent', ['int', 'string'], ([n, s]) => '\n' + indent(I(n!), S(s!)));
def('replace', ['string', 'string', 'string'], ([o, n, s]) => goReplace(S(s!), S(o!), S(n!), -1));
def('repeat', ['int', 'string'], ([n, s]) => {
  if (I(n!) < 0) throw new FuncError('strings: negative Repeat count');
  checkResultSize(I(n!) * utf8Length(S(s!)));
  return S(s!).repeat(I(n!));
});
def('trim', ['string'], ([s]) => trimSpace(S(s!)));
def('trimAll', ['string', 'string'], ([c, s]) => trimRightSet(trimLeftSet(S(s!), S(c!)), S(c!)));
def('trimSuffix', ['string', 'string'], ([p, s]) =>
  S(p!) !== '' && S(s!).endsWith(S(p!)) ? S(s!).slice(0, S(s!).length - S(p!).length) : S(s!),
);
def('trimPrefix', ['string', 'string'], ([p, s]) => (S(s!).startsWith(S(p!)) ? S(s!).slice(S(p!).length) : S(s!)));

// spf13/cast conversions
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function parseIntBase0(s0: string): bigint | null {
  let s = s0;
  // trimZeroDecimal: "3.000" -> "3"
  const dot = s.indexOf('.');
  if (dot > 0 && /^\.0+$/.test(s.slice(dot))) s = s.slice(0, dot);
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return null;
  let body = m[2]!;
  if (body.includes('_')) {
    if (/__|_$/.test(body) || (/^[1-9]/.test(body) === false && !/^0[xXbBoO]?_?/.test(body))) return null;
    body = body.replace(/_/g, '');
  }
  let v: bigint;
  if (/^0[xXbBoO]/.test(body)) v = BigInt(body.slice(0, 2).toLowerCase() + body.slice(2));
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  if (m[1] === '-') v = -v;
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

function parseFloatGo(s: string): number | null {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const l = s.toLowerCase().replace(/^[+]/, '');
  if (l === 'inf' || l === 'infinity') return s[0] === '-' ? -Infinity : Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (l === 'nan') return NaN;
  return null;
}

export function toInt64(v: Value): bigint {
  if (v === null) return 0n;
  switch (typeof v) {
    case 'bigint':
      return v;
    case 'number':
      if (!Number.isFinite(v)) return INT64_MIN;
      return BigInt.asIntN(64, BigInt(Math.trunc(v)));
    case 'boolean':
      return v ? 1n : 0n;
    case 'string':
      return parseIntBase0(v) ?? 0n;
  }
  return 0n;
}

export function toFloat64(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'bigint':
      return Number(v);
    case 'number':
      return v;
    case 'boolean':
      return v ? 1 : 0;
    case 'string':
      return parseFloatGo(v) ?? 0;
  }
  return 0;
}

const wrap64 = (x: bigint) => BigInt.asIntN(64, x);

def('int', ['any'], ([v]) => toInt64(v!));
def('float64', ['any'], ([v]) => toFloat64(v!));
def('add', [], (a) => wrap64(a.reduce<bigint>((s, x) => s + toInt64(x), 0n)), 'any');
def('sub', ['any', 'any'], ([a, b]) => wrap64(toInt64(a!) - toInt64(b!)));
def('mul', ['any'], ([a, ...r]) => wrap64(r.reduce<bigint>((s, x) => wrap64(s * toInt64(x)), toInt64(a!))), 'any');
def('div', ['any', 'any'], ([a, b]) => {
  const d = toInt64(b!);
  if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
  return wrap64(toInt64(a!) / d);
});
def('mod', ['any', 'any'], ([a, b]) => {
  const d = toInt64(b!);
  if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
  return toInt64(a!) % d;
});
def('max', ['any'], ([a, ...r]) => r.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a!)), 'any');
def('min', ['any'], ([a, ...r]) => r.reduce<bigint>((m, x) => (toInt64(x) < m ? toInt64(x) : m), toInt64(a!)), 'any');
def('maxf', ['any'], ([a, ...r]) => r.reduce<number>((m, x) => Math.max(m, toFloat64(x)), toFloat64(a!)), 'any');
def('minf', ['any'], ([a, ...r]) => r.reduce<number>((m, x) => Math.min(m, toFloat64(x)), toFloat64(a!)), 'any');
def('ceil', ['any'], ([a]) => Math.ceil(toFloat64(a!)));
def('floor', ['any'], ([a]) => Math.floor(toFloat64(a!)));
def(
  'round',
  ['any', 'int'],
  ([a, p, ...r]) => {
    const roundOn = r.length > 0 ? (r[0] as number) : 0.5;
    const val = toFloat64(a!);
    const pow = Math.pow(10, I(p!));
    const digit = pow * val;
    const frac = digit - Math.trunc(digit);
    const rounded = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
    return rounded / pow;
  },
  'float',
);

// shopspring/decimal-style exact arithmetic for addf/subf/mulf/divf
interface Dec {
  c: bigint; // coefficient
  e: number; // exponent: value = c * 10^e
}
function decFromFloat(x: number): Dec | null {
  if (!Number.isFinite(x)) return null;
  if (x === 0) return { c: 0n, e: 0 };
  const s = x.toExponential(); // shortest round-trip digits
  const [mant, ex] = s.split('e') as [string, string];
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const frac = mant.includes('.') ? mant.split('.')[1]!.length : 0;
  const c = BigInt(digits) * (neg ? -1n : 1n);
  return { c, e: Number(ex) - frac };
}
function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.c * 10n ** BigInt(a.e - e), b.c * 10n ** BigInt(b.e - e), e];
}
function decToFloat(d: Dec): number {
  return Number(`${d.c}e${d.e}`);
}
function decDiv(a: Dec, b: Dec): Dec {
  if (b.c === 0n) throw new FuncError('decimal division by 0');
  // DivRound(b, 16): quotient rounded half away from zero to 16 decimal places
  const prec = 16;
  // a/b = (a.c/b.c) * 10^(a.e-b.e); want q = round(a/b * 10^prec)
  const shift = a.e - b.e + prec;
  let num = a.c;
  let den = b.c;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  if (den < 0n) {
    den = -den;
    num = -num;
  }
  let q = num / den;
  const r = num % den;
  if ((r < 0n ? -r : r) * 2n >= den) q += num < 0n ? -1n : 1n;
  return { c: q, e: -prec };
}
function execDecimalOp(a: Value, rest: Value[], op: (x: Dec, y: Dec) => Dec): number {
  const first = decFromFloat(toFloat64(a));
  if (!first) return toFloat64(a);
  let acc = first;
  for (const x of rest) {
    const d = decFromFloat(toFloat64(x));
    if (!d) return NaN;
    acc = op(acc, d);
  }
  return decToFloat(acc);
}
const decAdd = (x: Dec, y: Dec): Dec => {
  const [a, b, e] = align(x, y);
  return { c: a + b, e };
};
const decSub = (x: Dec, y: Dec): Dec => {
  const [a, b, e] = align(x, y);
  return { c: a - b, e };
};
const decMul = (x: Dec, y: Dec): Dec => ({ c: x.c * y.c, e: x.e + y.e });

def('addf', [], (a) => execDecimalOp(0, a, decAdd), 'any');
def('subf', ['any'], ([a, ...r]) => execDecimalOp(a!, r, decSub), 'any');
def('mulf', ['any'], ([a, ...r]) => execDecimalOp(a!, r, decMul), 'any');
def('divf', ['any'], ([a, ...r]) => execDecimalOp(a!, r, decDiv), 'any');

function jsonToValue(v: unknown): Value {
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(jsonToValue);
  const m = new Map<string, Value>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, jsonToValue(x));
  return GoMap.ofMap(m);
}

def('fromJson', ['string'], ([s]) => {
  try {
    return jsonToValue(JSON.parse(S(s!)));
  } catch {
    return null;
  }
});

function timeOf(v: Value): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === 'bigint') return GoTime.fromUnixNano(v * 1_000_000_000n);
  return GoTime.now();
}
def('date', ['string', 'any'], ([f, d]) => timeOf(d!).in(LOCAL).format(S(f!)));
def('toDate', ['string', 'string'], ([f, s]) => {
  try {
    return parseTime(S(f!), S(s!), LOCAL);
  } catch {
    return GoTime.zero();
  }
});
def('now', [], () => GoTime.now());
def('unixEpoch', ['time'], ([t]) => String((t as GoTime).sec));

function empty(v: Value): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
      return v.length === 0;
    case 'boolean':
      return !v;
    case 'bigint':
      return v === 0n;
    case 'number':
      return v === 0;
  }
  if (v instanceof GoTime) return false;
  if (v instanceof GoMap) return v.size === 0;
  return v.length === 0;
}
def('default', ['any'], ([d, ...given]) => (given.length === 0 || empty(given[0]!) ? d! : given[0]!), 'any');

// ---------------- time.Time methods ----------------

export function callTimeMethod(t: GoTime, name: string, args: Value[]): Value | undefined {
  const want = (n: number) => {
    if (args.length !== n) throw new FuncError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
  };
  switch (name) {
    case 'Unix':
      want(0);
      return BigInt(t.sec);
    case 'UnixMilli':
      want(0);
      return BigInt(t.unixMilli());
    case 'UnixMicro':
      want(0);
      return t.unixNano() / 1000n;
    case 'UnixNano':
      want(0);
      return t.unixNano();
    case 'Year':
      want(0);
      return BigInt(t.fields().year);
    case 'Month':
      want(0);
      return LONG_MONTHS[t.fields().month - 1]!;
    case 'Day':
      want(0);
      return BigInt(t.fields().day);
    case 'Hour':
      want(0);
      return BigInt(t.fields().hour);
    case 'Minute':
      want(0);
      return BigInt(t.fields().minute);
    case 'Second':
      want(0);
      return BigInt(t.fields().second);
    case 'Nanosecond':
      want(0);
      return BigInt(t.nsec);
    case 'YearDay':
      want(0);
      return BigInt(t.fields().yday);
    case 'Weekday':
      want(0);
      return LONG_DAYS[t.fields().weekday]!;
    case 'UTC':
      want(0);
      return t.in(UTC);
    case 'Local':
      want(0);
      return t.in(LOCAL);
    case 'IsZero':
      want(0);
      return t.isZero();
    case 'String':
      want(0);
      return t.toString();
    case 'Format':
      want(1);
      if (typeof args[0] !== 'string')
        throw new FuncError(`wrong type for value; expected string; got ${typeName(args[0]!)}`);
      return t.format(args[0]);
  }
  return undefined;
}

export const FUNCS: ReadonlyMap<string, FuncDef> = defs;
void formatFloat;
