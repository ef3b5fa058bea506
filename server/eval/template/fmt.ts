// Go `fmt` subset: Sprint, Sprintln, Sprintf with the common verbs and flags,
// plus strconv-style float formatting (shortest %v, %e/%f/%g with half-even ties).
import { GoTime } from './gotime';
import { GoMap, type Value, typeName, toBytes } from './values';

// ---------- float formatting ----------

interface Digits {
  d: string; // significant digits, no leading zeros ("" for zero)
  dp: number; // decimal point position: value = 0.d × 10^dp
}

function shortestDigits(x: number): Digits {
  // x > 0, finite
  const s = x.toExponential();
  const e = s.indexOf('e');
  const mant = s.slice(0, e).replace('.', '');
  return { d: mant.replace(/0+$/, ''), dp: Number(s.slice(e + 1)) + 1 };
}

function exactDigits(x: number): Digits {
  // x > 0, finite. x = y / 2^k exactly, then x = y*5^k / 10^k.
  let k = 0;
  let y = x;
  while (!Number.isInteger(y)) {
    y *= 2;
    k++;
  }
  let n = BigInt(y);
  if (k > 0) n *= 5n ** BigInt(k);
  const s = n.toString();
  const d = s.replace(/0+$/, '');
  return { d, dp: s.length - k };
}

/** Round to nd significant digits, half to even (exact input). */
function roundDigits(a: Digits, nd: number): Digits {
  if (nd < 0) return { d: '', dp: a.dp };
  if (nd >= a.d.length) return a;
  let up: boolean;
  const c = a.d.charCodeAt(nd);
  if (c > 53) up = true;
  else if (c < 53) up = false;
  else if (nd + 1 < a.d.length) up = true;
  else up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  if (!up) {
    return { d: a.d.slice(0, nd).replace(/0+$/, ''), dp: a.d.slice(0, nd).replace(/0+$/, '') === '' ? a.dp : a.dp };
  }
  let i = nd - 1;
  const arr = a.d.slice(0, nd).split('');
  while (i >= 0 && arr[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1);
  return { d: arr.slice(0, i + 1).join(''), dp: a.dp };
}

function digitAt(d: Digits, i: number): string {
  return i >= 0 && i < d.d.length ? d.d[i]! : '0';
}

function fmtE(d: Digits, prec: number, ch: string): string {
  let s = d.d.length ? d.d[0]! : '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  let sign = '+';
  if (exp < 0) {
    sign = '-';
    exp = -exp;
  }
  return s + ch + sign + (exp < 10 ? '0' : '') + exp;
}

function fmtF(d: Digits, prec: number): string {
  let s = '';
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) s += digitAt(d, i);
  } else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digitAt(d, d.dp + i);
  }
  return s;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f g G; prec -1 = shortest. */
export function formatFloat(x: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  const sign = neg ? '-' : '';
  if (fmt === 'f' && prec >= 0 && ax < 1e21) {
    // fast path: toFixed is correct except for exact ties, which require a short binary fraction
    if (prec > 100 || Number.isInteger(ax * 2 ** (prec + 1))) {
      const dg = ax === 0 ? { d: '', dp: 0 } : exactDigits(ax);
      return sign + fmtF(roundDigits(dg, dg.dp + prec), prec);
    }
    return sign + ax.toFixed(prec);
  }
  const shortest = prec < 0;
  let digs: Digits;
  if (ax === 0) digs = { d: '', dp: 0 };
  else if (shortest) digs = shortestDigits(ax);
  else {
    const ex = exactDigits(ax);
    if (fmt === 'e' || fmt === 'E') digs = roundDigits(ex, prec + 1);
    else if (fmt === 'f') digs = roundDigits(ex, ex.dp + prec);
    else digs = roundDigits(ex, prec === 0 ? 1 : prec);
  }
  if (shortest) {
    if (fmt === 'e' || fmt === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else if ((fmt === 'g' || fmt === 'G') && prec === 0) prec = 1;
  const nd = digs.d.length;
  switch (fmt) {
    case 'e':
    case 'E':
      return sign + fmtE(digs, prec, fmt);
    case 'f':
      return sign + fmtF(digs, prec);
    default: {
      let eprec = prec;
      if (eprec > nd && nd >= digs.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (ax !== 0 && (exp < -4 || exp >= eprec)) {
        if (prec > nd) prec = nd;
        return sign + fmtE(digs, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (ax === 0) return sign + '0';
      if (prec > digs.dp) prec = nd;
      return sign + fmtF(digs, Math.max(prec - digs.dp, 0));
    }
  }
}

// ---------- quoting ----------

function isPrintRune(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp < 0x7f) return true;
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad) return false;
  return !/[\p{C}\p{Zl}\p{Zp}]/u.test(String.fromCodePoint(cp)) || cp === 0x20;
}

function hex(n: number, w: number): string {
  return n.toString(16).padStart(w, '0');
}

function quoteRune(cp: number, q: string, asciiOnly: boolean): string {
  if (cp === q.charCodeAt(0) || cp === 0x5c) return '\\' + String.fromCodePoint(cp);
  if (asciiOnly ? cp < 0x7f && isPrintRune(cp) : isPrintRune(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp === 0xfffd) return '\\ufffd';
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

/** strconv.Quote / QuoteToASCII. */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp < 0x7f && cp !== 0x22 && cp !== 0x5c) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += quoteRune(cp, '"', asciiOnly);
  }
  return out + '"';
}

function quoteChar(cp: number, asciiOnly: boolean): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return "'" + quoteRune(cp, "'", asciiOnly) + "'";
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x60 || cp === 0xfeff) return false;
    if (cp < 0x20 && cp !== 9) return false;
    if (cp === 0x7f) return false;
  }
  return true;
}

// ---------- value printing ----------

/** fmt %v of a value (as used by print and template output). */
export function formatV(v: Value, plusV = false, sharpV = false): string {
  if (v === null) return sharpV ? '<nil>' : '<nil>';
  switch (typeof v) {
    case 'string':
      return sharpV ? goQuote(v) : v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return formatFloat(v, 'g', -1);
  }
  if (v instanceof GoTime) return v.toString();
  if (v instanceof GoMap) {
    if (sharpV) {
      const parts = v.sortedKeys().map((k) => goQuote(k) + ':' + formatV(v.get(k)!, plusV, true));
      return v.typeName() + '{' + parts.join(', ') + '}';
    }
    return (
      'map[' +
      v
        .sortedKeys()
        .map((k) => k + ':' + formatV(v.get(k)!, plusV, sharpV))
        .join(' ') +
      ']'
    );
  }
  if (sharpV) return '[]interface {}{' + v.map((x) => formatV(x, plusV, true)).join(', ') + '}';
  return '[' + v.map((x) => formatV(x, plusV, sharpV)).join(' ') + ']';
}

/** fmt.Sprint */
export function sprint(args: Value[]): string {
  let out = '';
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += formatV(a);
    prevString = isString;
  }
  return out;
}

/** fmt.Sprintln */
export function sprintln(args: Value[]): string {
  return args.map((a) => formatV(a)).join(' ') + '\n';
}

// ---------- Sprintf ----------

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid: number; // -1 when absent
  prec: number; // -1 when absent
}

/** Go's fmt parsenum: a width or precision; a number past 1e6 stops the parse at the end of the format (Go's
 *  tooLarge), so "%0100000000d" prints %!(NOVERB) instead of padding to 100 MB. */
function parseNum(format: string, start: number, end: number): [number, boolean, number] {
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && isDigitCode(format.charCodeAt(i)); i++) {
    if (num > 1e6) return [0, false, end];
    num = num * 10 + (format.charCodeAt(i) - 48);
    isNum = true;
  }
  return [num, isNum, i];
}

function padTo(s: string, sp: Spec, allowZero = true): string {
  if (sp.wid < 0) return s;
  const len = [...s].length;
  if (len >= sp.wid) return s;
  const n = sp.wid - len;
  if (sp.minus) return s + ' '.repeat(n);
  if (sp.zero && allowZero) {
    // zero padding goes after the sign
    if (s[0] === '-' || s[0] === '+' || s[0] === ' ') return s[0] + '0'.repeat(n) + s.slice(1);
    return '0'.repeat(n) + s;
  }
  return ' '.repeat(n) + s;
}

function badVerb(verb: string, v: Value): string {
  if (v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatV(v)})`;
}

function fmtInteger(n: bigint, verb: string, sp: Spec): string {
  const neg = n < 0n;
  let a = neg ? -n : n;
  let s: string;
  let prefix = '';
  switch (verb) {
    case 'd':
    case 'v':
      s = a.toString(10);
      break;
    case 'b':
      s = a.toString(2);
      if (sp.sharp) prefix = '0b';
      break;
    case 'o':
    case 'O':
      s = a.toString(8);
      if (verb === 'O') prefix = '0o';
      else if (sp.sharp && s[0] !== '0') prefix = '0';
      break;
    case 'x':
      s = a.toString(16);
      if (sp.sharp) prefix = '0x';
      break;
    case 'X':
      s = a.toString(16).toUpperCase();
      if (sp.sharp) prefix = '0X';
      break;
    case 'c':
      return padTo(String.fromCodePoint(Number(a > 0x10ffffn ? 0xfffdn : a)), sp, false);
    case 'q':
      return padTo(quoteChar(Number(a > 0x10ffffn ? 0xfffdn : n), sp.plus), sp, false);
    case 'U': {
      let u = 'U+' + a.toString(16).toUpperCase().padStart(4, '0');
      if (sp.sharp && a <= 0x10ffffn && isPrintRune(Number(a))) u += " '" + String.fromCodePoint(Number(a)) + "'";
      return padTo(neg ? '-' + u : u, sp, false);
    }
    default:
      return badVerb(verb, n);
  }
  let zeroPad = sp.zero && !sp.minus && sp.prec < 0;
  if (sp.prec >= 0) {
    if (sp.prec === 0 && a === 0n) s = '';
    else if (s.length < sp.prec) s = '0'.repeat(sp.prec - s.length) + s;
  }
  void (a = 0n);
  const sign = neg ? '-' : sp.plus ? '+' : sp.space ? ' ' : '';
  let body = prefix + s;
  if (zeroPad && sp.wid > 0) {
    const need = sp.wid - sign.length - body.length;
    if (need > 0) body = prefix + '0'.repeat(need) + s;
    zeroPad = false;
  }
  return padTo(sign + body, { ...sp, zero: false });
}

function fmtFloatVerb(x: number, verb: string, sp: Spec): string {
  let s: string;
  switch (verb) {
    case 'v':
    case 'g':
      s = formatFloat(x, 'g', sp.prec);
      break;
    case 'G':
      s = formatFloat(x, 'G', sp.prec);
      break;
    case 'e':
    case 'E':
      s = formatFloat(x, verb, sp.prec < 0 ? 6 : sp.prec);
      break;
    case 'f':
    case 'F':
      s = formatFloat(x, 'f', sp.prec < 0 ? 6 : sp.prec);
      break;
    default:
      return badVerb(verb, x);
  }
  if (sp.sharp && (verb === 'v' || verb === 'g' || verb === 'G') && !s.includes('.') && Number.isFinite(x)) {
    // %#g keeps trailing zeros; approximate by adding a decimal point
    const e = s.search(/[eE]/);
    s = e >= 0 ? s.slice(0, e) + '.' + s.slice(e) : s + '.';
  }
  if (s[0] !== '-' && s[0] !== '+') {
    if (sp.plus) s = '+' + s;
    else if (sp.space) s = ' ' + s;
  } else if (s[0] === '+' && !sp.plus) {
    s = sp.space ? ' ' + s.slice(1) : s.slice(1);
  }
  const finite = Number.isFinite(x);
  return padTo(s, sp, finite);
}

function fmtString(str: string, verb: string, sp: Spec): string {
  let s = str;
  switch (verb) {
    case 'v':
    case 's':
      if (sp.prec >= 0) s = [...s].slice(0, sp.prec).join('');
      return padTo(s, sp);
    case 'q': {
      if (sp.prec >= 0) s = [...s].slice(0, sp.prec).join('');
      if (sp.sharp && canBackquote(s)) return padTo('`' + s + '`', sp);
      return padTo(goQuote(s, sp.plus), sp);
    }
    case 'x':
    case 'X': {
      let b = toBytes(s);
      if (sp.prec >= 0 && sp.prec < b.length) b = b.subarray(0, sp.prec);
      let out = '';
      for (let i = 0; i < b.length; i++) {
        if (sp.space && i > 0) out += ' ';
        if (sp.sharp && (sp.space || i === 0)) out += verb === 'x' ? '0x' : '0X';
        const h = hex(b[i]!, 2);
        out += verb === 'X' ? h.toUpperCase() : h;
      }
      return padTo(out, sp);
    }
    default:
      return badVerb(verb, str);
  }
}

function fmtValue(v: Value, verb: string, sp: Spec): string {
  if (verb === 'T') return padTo(typeName(v), sp);
  if (v === null) return verb === 'v' ? padTo('<nil>', sp) : badVerb(verb, v);
  switch (typeof v) {
    case 'string':
      return fmtString(v, verb, sp);
    case 'boolean':
      return verb === 't' || verb === 'v' ? padTo(v ? 'true' : 'false', sp) : badVerb(verb, v);
    case 'bigint':
      return fmtInteger(v, verb, sp);
    case 'number':
      return fmtFloatVerb(v, verb, sp);
  }
  if (v instanceof GoTime) {
    if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')
      return fmtString(v.toString(), verb, sp);
    return badVerb(verb, v);
  }
  if (v instanceof GoMap) {
    if (verb === 'v' && sp.sharp) return formatV(v, false, true);
    return (
      'map[' +
      v
        .sortedKeys()
        .map((k) => fmtValue(k, verb, sp) + ':' + fmtValue(v.get(k)!, verb, sp))
        .join(' ') +
      ']'
    );
  }
  if (verb === 'v' && sp.sharp) return formatV(v, false, true);
  return '[' + v.map((x) => fmtValue(x, verb, sp)).join(' ') + ']';
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** fmt.Sprintf */
export function sprintf(format: string, args: Value[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;
  const end = format.length;
  let i = 0;
  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const sp: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, wid: -1, prec: -1 };
    // flags
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          sp.sharp = true;
          break;
        case '0':
          sp.zero = true;
          break;
        case '+':
          sp.plus = true;
          break;
        case '-':
          sp.minus = true;
          break;
        case ' ':
          sp.space = true;
          break;
        default:
          break flags;
      }
    }
    const argIndex = (): void => {
      if (i < end && format[i] === '[') {
        reordered = true;
        const close = format.indexOf(']', i);
        const n = close > 0 ? Number(format.slice(i + 1, close)) : NaN;
        if (close < 0 || !/^\d+$/.test(format.slice(i + 1, close)) || n < 1 || n > args.length) {
          goodArgNum = false;
          i = close < 0 ? end : close + 1;
          return;
        }
        argNum = n - 1;
        i = close + 1;
      }
    };
    const intFromArg = (): [number, boolean] => {
      if (argNum >= args.length) return [0, false];
      const a = args[argNum++]!;
      if (typeof a === 'bigint' && a >= -1000000n && a <= 1000000n) return [Number(a), true];
      return [0, false];
    };
    argIndex();
    // width
    if (i < end && format[i] === '*') {
      i++;
      const [w, ok] = intFromArg();
      if (!ok) out += '%!(BADWIDTH)';
      else {
        sp.wid = w;
        if (w < 0) {
          sp.minus = true;
          sp.wid = -w;
        }
      }
    } else {
      const [w, isNum, next] = parseNum(format, i, end);
      i = next;
      if (isNum) sp.wid = w;
    }
    // precision
    if (i < end && format[i] === '.') {
      i++;
      argIndex();
      if (i < end && format[i] === '*') {
        i++;
        const [p, ok] = intFromArg();
        if (!ok || p < 0) {
          out += '%!(BADPREC)';
          sp.prec = -1;
        } else sp.prec = p;
      } else {
        const [p, , next] = parseNum(format, i, end);
        i = next;
        sp.prec = p;
      }
    }
    argIndex();
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i)!;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      goodArgNum = true;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argNum++]!;
    if (verb === 'v' && sp.sharp) {
      out += padTo(formatV(a, false, true), sp);
      continue;
    }
    if (verb === 'v') sp.plus = false; // %+v only affects structs
    out += fmtValue(a, verb, sp);
  }
  if (!reordered && argNum < args.length) {
    out +=
      '%!(EXTRA ' +
      args
        .slice(argNum)
        .map((a) => (a === null ? '<nil>' : typeName(a) + '=' + formatV(a)))
        .join(', ') +
      ')';
  }
  return out;
}
