// Go's number/duration/byte-size parsers as Loki uses them: strconv.ParseFloat (unwrap, numeric label filters),
// time.ParseDuration (duration filters, unwrap duration()), go-humanize ParseBytes (bytes filters, unwrap bytes()).
// Each returns the value or an error message worded as the Go function words it (it lands in __error_details__).

export type Parsed<T> = { ok: true; value: T } | { ok: false; value: T; error: string };

/** Go's strconv.Quote, close enough for error messages (printable Unicode kept, controls escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEXFLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;
const SPECIAL = /^(?:([+-]?)(inf|infinity)|(nan))$/i;

/** strconv.ParseFloat(s, 64) */
export function parseGoFloat(s: string): Parsed<number> {
  if (DECIMAL.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v))
      return { ok: false, value: v, error: `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range` };
    return { ok: true, value: v };
  }
  const sp = SPECIAL.exec(s);
  if (sp) {
    if (sp[3]) return { ok: true, value: NaN };
    return { ok: true, value: sp[1] === '-' ? -Infinity : Infinity };
  }
  const hx = HEXFLOAT.exec(s);
  if (hx && (hx[2] + (hx[3] ?? '')).length > 0) {
    const digits = hx[2] + (hx[3] ?? '');
    let mant = 0;
    for (const d of digits) mant = mant * 16 + parseInt(d, 16);
    const exp = Number(hx[4]) - 4 * (hx[3] ?? '').length;
    let v = mant * Math.pow(2, exp);
    if (hx[1] === '-') v = -v;
    if (!Number.isFinite(v))
      return { ok: false, value: v, error: `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range` };
    return { ok: true, value: v };
  }
  return { ok: false, value: 0, error: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` };
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  '\u00b5s': 1000n,
  '\u03bcs': 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};
const MAX_DUR = 1n << 63n;

/** A unit's nanoseconds from its one or two characters at `i` (`len` of them), 0 when not a unit. */
function unitNanos(s: string, i: number, len: number): number {
  const a = s.charCodeAt(i);
  if (len === 1) return a === 115 ? 1e9 : a === 109 ? 6e10 : a === 104 ? 3.6e12 : 0; // s m h
  if (len !== 2 || s.charCodeAt(i + 1) !== 115) return 0; // ?s
  // n, u, µ (U+00B5), μ (U+03BC), m
  return a === 110 ? 1 : a === 117 || a === 0xb5 || a === 0x3bc ? 1000 : a === 109 ? 1e6 : 0;
}

const EXACT = 2 ** 53;

/**
 * time.ParseDuration's nanoseconds for the usual spellings (`365.3ms`, `1h30m`), in doubles: exact while every
 * partial value stays below 2^53 (104 days), which it checks. Undefined for anything else (errors, `0`, longer
 * digit runs, larger values): parseGoDuration's BigInt walk decides those. A BigInt operation per digit was most of
 * an `unwrap duration()` line's cost and garbage.
 */
export function durationNanosFast(s: string): number | undefined {
  const n = s.length;
  let i = 0;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  const neg = c === 45;
  if (neg || c === 43) i = 1;
  if (i === n) return undefined;
  let d = 0;
  while (i < n) {
    const p0 = i;
    let v = 0;
    while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      i++;
    }
    const pre = i !== p0;
    if (i - p0 > 15) return undefined;
    let f = 0;
    let scale = 1;
    let post = false;
    if (i < n && s.charCodeAt(i) === 46) {
      const p1 = ++i;
      while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
        f = f * 10 + (c - 48);
        scale *= 10;
        i++;
      }
      if (i - p1 > 15) return undefined;
      post = i !== p1;
    }
    if (!pre && !post) return undefined;
    const u0 = i;
    while (i < n && (c = s.charCodeAt(i)) !== 46 && !(c >= 48 && c <= 57)) i++;
    const unit = unitNanos(s, u0, i - u0);
    if (unit === 0 || v >= EXACT / unit) return undefined;
    // (Go: v += uint64(float64(f) * (float64(unit) / scale)))
    const part = v * unit + (f > 0 ? Math.trunc(f * (unit / scale)) : 0);
    d += part;
    if (part >= EXACT || d >= EXACT) return undefined;
  }
  return neg ? -d : d;
}

/** time.ParseDuration: nanoseconds as bigint */
export function parseGoDuration(orig: string): Parsed<bigint> {
  const fast = durationNanosFast(orig);
  return fast !== undefined ? { ok: true, value: BigInt(fast) } : parseGoDurationExact(orig);
}

/** time.ParseDuration step by step in BigInts: every input, errors included (parseGoDuration's reference) */
export function parseGoDurationExact(orig: string): Parsed<bigint> {
  const invalid = (): Parsed<bigint> => ({ ok: false, value: 0n, error: `time: invalid duration ${goQuote(orig)}` });
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, value: 0n };
  if (s === '') return invalid();
  let d = 0n;
  let i = 0;
  const n = s.length;
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  while (i < n) {
    if (!(s[i] === '.' || isDigit(s[i]))) return invalid();
    // leading int
    let v = 0n;
    const p0 = i;
    while (i < n && isDigit(s[i])) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v >= MAX_DUR) return invalid();
      i++;
    }
    const pre = i !== p0;
    let f = 0;
    let scale = 1;
    let post = false;
    if (i < n && s[i] === '.') {
      i++;
      const p1 = i;
      let overflow = false;
      while (i < n && isDigit(s[i])) {
        if (!overflow) {
          const y = f * 10 + (s.charCodeAt(i) - 48);
          if (y > 2 ** 63 / 10) overflow = true;
          else {
            f = y;
            scale *= 10;
          }
        }
        i++;
      }
      post = i !== p1;
    }
    if (!pre && !post) return invalid();
    const u0 = i;
    while (i < n && s[i] !== '.' && !isDigit(s[i])) i++;
    if (i === u0) return { ok: false, value: 0n, error: `time: missing unit in duration ${goQuote(orig)}` };
    const u = s.slice(u0, i);
    const unit = Object.hasOwn(UNIT_NS, u) ? UNIT_NS[u] : undefined;
    if (unit === undefined)
      return { ok: false, value: 0n, error: `time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}` };
    if (v > MAX_DUR / unit) return invalid();
    v *= unit;
    if (f > 0) {
      v += BigInt(Math.trunc(f * (Number(unit) / scale)));
      if (v > MAX_DUR) return invalid();
    }
    d += v;
    if (d > MAX_DUR) return invalid();
  }
  if (neg) return { ok: true, value: -d };
  if (d > MAX_DUR - 1n) return invalid();
  return { ok: true, value: d };
}

/** time.Duration.Seconds() */
export function durationSeconds(ns: bigint): number {
  return Number(ns / 1000000000n) + Number(ns % 1000000000n) / 1e9;
}

/** durationSeconds of a whole number of nanoseconds below 2^53 held in a double (the same two roundings) */
export function durationSecondsOf(ns: number): number {
  const rest = ns % 1e9; // exact on integers below 2^53, with the dividend's sign as Go's %
  return (ns - rest) / 1e9 + rest / 1e9;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pi: 1024 ** 5,
  pib: 1024 ** 5,
  e: 1e18,
  eb: 1e18,
  ei: 1024 ** 6,
  eib: 1024 ** 6,
};

/** go-humanize ParseBytes: "42 MB", "42mib", "1,024 KB" → bytes (uint64, truncated) */
export function parseHumanBytes(s: string): Parsed<number> {
  let last = 0;
  let hasComma = false;
  while (last < s.length) {
    const c = s[last];
    if (!((c >= '0' && c <= '9') || c === '.' || c === ',')) break;
    if (c === ',') hasComma = true;
    last++;
  }
  let num = s.slice(0, last);
  if (hasComma) num = num.replaceAll(',', '');
  const f = parseGoFloat(num);
  if (!f.ok) return { ok: false, value: 0, error: f.error };
  const extra = s.slice(last).trim().toLowerCase();
  const m = Object.hasOwn(BYTE_UNITS, extra) ? BYTE_UNITS[extra] : undefined;
  if (m === undefined) return { ok: false, value: 0, error: `unhandled size name: ${extra}` };
  const v = f.value * m;
  if (v >= 2 ** 64) return { ok: false, value: 0, error: `too large: ${s}` };
  return { ok: true, value: Math.trunc(v) };
}
