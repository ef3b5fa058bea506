// Request-parameter parsing with Loki's rules and messages (pkg/loghttp/params.go, query.go): times as integer
// seconds (≤ 10 digits) or ns, float seconds (ms precision) or RFC3339(Nano); steps as float seconds or Prometheus
// durations; limit, direction and the defaults Loki applies. All times are ns bigints.

import type { Direction } from '../engine/types';
import { isLogExpr } from '../logql/ast';
import { parse } from '../logql/check';

/** A parameter parse/validation failure: HTTP 400 with `message` as the plain-text body. */
export class ParamError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** Go's r.Form: POST form values first, then the URL query; `get` returns the first value, '' when missing. */
export class Params {
  private readonly map = new Map<string, string[]>();

  constructor(...sources: (URLSearchParams | Record<string, unknown> | undefined | null)[]) {
    for (const src of sources) {
      if (!src) continue;
      if (src instanceof URLSearchParams) {
        for (const [k, v] of src) this.add(k, v);
      } else {
        for (const [k, v] of Object.entries(src)) {
          if (Array.isArray(v)) for (const x of v) this.add(k, String(x));
          else if (v !== undefined && v !== null) this.add(k, String(v));
        }
      }
    }
  }

  static fromUrl(url: string, body?: URLSearchParams | null): Params {
    const q = url.indexOf('?');
    return new Params(body ?? undefined, parseQueryString(q >= 0 ? url.slice(q + 1) : ''));
  }

  private add(k: string, v: string): void {
    const cur = this.map.get(k);
    if (cur) cur.push(v);
    else this.map.set(k, [v]);
  }

  get(name: string): string {
    return this.map.get(name)?.[0] ?? '';
  }

  getAll(name: string): string[] {
    return this.map.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.map.has(name);
  }
}

/**
 * A URL query string as Go's url.ParseQuery reads it, except that a value is kept even when its bytes are not UTF-8:
 * each invalid byte becomes a lone surrogate U+DC80–U+DCFF, so that the LogQL lexer can refuse it as Loki's does
 * ("invalid UTF-8 encoding") instead of reading a U+FFFD that Loki never saw.
 */
export function parseQueryString(qs: string): Record<string, string[]> {
  // (not URLSearchParams: it would turn the lone surrogates back into U+FFFD)
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const part of qs.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeComponent(eq >= 0 ? part.slice(0, eq) : part);
    const v = decodeComponent(eq >= 0 ? part.slice(eq + 1) : '');
    (Object.hasOwn(out, k) ? out[k]! : (out[k] = [])).push(v);
  }
  return out;
}

function decodeComponent(s: string): string {
  const plus = s.replaceAll('+', ' ');
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    // bytes: %XX escapes and the UTF-8 of other characters; invalid sequences as lone surrogates
    const bytes: number[] = [];
    for (let i = 0; i < plus.length; i++) {
      if (plus[i] === '%' && /^[0-9a-fA-F]{2}$/.test(plus.slice(i + 1, i + 3))) {
        bytes.push(parseInt(plus.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...Buffer.from(plus[i]!, 'utf8'));
    }
    return surrogateEscape(Buffer.from(bytes));
  }
}

/** UTF-8 bytes → string; each byte of an invalid sequence becomes U+DC00 + byte */
function surrogateEscape(buf: Buffer): string {
  let out = '';
  const dec = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < buf.length;) {
    const b = buf[i]!;
    const n = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (n > 0 && i + n <= buf.length) {
      try {
        out += dec.decode(buf.subarray(i, i + n));
        i += n;
        continue;
      } catch {
        // an invalid sequence: one byte at a time
      }
    }
    out += String.fromCharCode(0xdc00 + b);
    i++;
  }
  return out;
}

const NS_PER_S = 1_000_000_000n;
const MAX_I64 = (1n << 63n) - 1n;
const MIN_I64 = -(1n << 63n);

export const DEFAULT_LIMIT = 100;
export const DEFAULT_SINCE_NS = 3600n * NS_PER_S;
export const MAX_POINTS = 11000n;

const goQuote = (s: string): string => JSON.stringify(s);

/** Go's strconv.ParseInt(s, 10, 64), with Go's error text. */
export function goParseInt(s: string, fn = 'ParseInt'): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new ParamError(`strconv.${fn}: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > MAX_I64 || v < MIN_I64) throw new ParamError(`strconv.${fn}: parsing ${goQuote(s)}: value out of range`);
  return v;
}

const FLOAT_RE = /^[+-]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?$/;
const SPECIAL_RE = /^[+-]?(?:inf|infinity|nan)$/i;

/** Go's strconv.ParseFloat(s, 64) for decimal input (plus inf/nan); undefined when Go would fail. */
export function goParseFloat(s: string): number | undefined {
  if (SPECIAL_RE.test(s)) {
    const neg = s.startsWith('-');
    if (/nan/i.test(s)) return NaN;
    return neg ? -Infinity : Infinity;
  }
  if (!FLOAT_RE.test(s) || s.includes('_')) return undefined;
  return Number(s);
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Go's time.Parse(time.RFC3339Nano, s) → ns since the epoch, or undefined when it does not parse. */
export function parseRfc3339(s: string): bigint | undefined {
  const m = RFC3339_RE.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, min, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || min > 59 || sec > 59) return undefined;
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  const dim = last.getUTCDate();
  if (day < 1 || day > dim) return undefined;
  let offsetS = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetS = (oh * 3600 + om * 60) * (m[9] === '-' ? -1 : 1);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min, sec, 0);
  const secs = BigInt(d.getTime() / 1000 - offsetS);
  const frac = m[7] ? BigInt(m[7].padEnd(9, '0')) : 0n;
  return secs * NS_PER_S + frac;
}

/**
 * Loki's parseTimestamp: '' → def; a value with '.' that parses as a float → seconds with the fraction rounded to
 * ms; an integer of ≤ 10 characters → seconds, longer → ns; else RFC3339Nano; else the ParseInt error.
 */
export function parseTimestamp(value: string, def: bigint): bigint {
  if (value === '') return def;
  if (value.includes('.')) {
    const t = goParseFloat(value);
    if (t !== undefined && Number.isFinite(t)) {
      const s = Math.trunc(t);
      const frac = goRound((t - s) * 1000) / 1000;
      return BigInt(s) * NS_PER_S + BigInt(Math.trunc(frac * 1e9));
    }
  }
  let nanos: bigint;
  try {
    nanos = goParseInt(value);
  } catch (e) {
    const ts = parseRfc3339(value);
    if (ts !== undefined) return ts;
    throw e;
  }
  return value.length <= 10 ? nanos * NS_PER_S : nanos;
}

const UNITS: [string, bigint][] = [
  ['y', 365n * 24n * 3600n * 1000n],
  ['w', 7n * 24n * 3600n * 1000n],
  ['d', 24n * 3600n * 1000n],
  ['h', 3600n * 1000n],
  ['m', 60n * 1000n],
  ['s', 1000n],
  ['ms', 1n],
];
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Prometheus model.ParseDuration → ns (ms resolution), with its error messages. */
export function parsePromDuration(s: string): bigint {
  if (s === '') throw new ParamError('empty duration string');
  if (s === '0') return 0n;
  const m = DURATION_RE.exec(s);
  if (!m) throw new ParamError(`not a valid duration string: ${goQuote(s)}`);
  let ms = 0n;
  for (let i = 0; i < UNITS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += BigInt(g) * UNITS[i]![1];
  }
  if (ms * 1_000_000n > MAX_I64) throw new ParamError('duration out of range');
  return ms * 1_000_000n;
}

/** Loki's parseSecondsOrDuration: float seconds first, then a Prometheus duration. Returns ns. */
export function parseSecondsOrDuration(value: string): bigint {
  const d = goParseFloat(value);
  if (d !== undefined) {
    const ts = d * 1e9;
    if (ts > 2 ** 63 || ts < -(2 ** 63)) {
      throw new ParamError(`cannot parse ${goQuote(value)} to a valid duration. It overflows int64`);
    }
    if (Number.isNaN(ts)) return 0n;
    return BigInt(Math.trunc(ts));
  }
  try {
    return parsePromDuration(value);
  } catch {
    throw new ParamError(`cannot parse ${goQuote(value)} to a valid duration`);
  }
}

/** max(floor((end − start)/250 s), 1) seconds, in ns. */
export function defaultStep(start: bigint, end: bigint): bigint {
  const secs = Math.floor(Number(end - start) / 1e9 / 250);
  return BigInt(Math.max(secs, 1)) * NS_PER_S;
}

export function parseLimit(value: string, def = DEFAULT_LIMIT): number {
  if (value === '') return def;
  const l = goParseInt(value, 'Atoi');
  if (l <= 0n) throw new ParamError('limit must be a positive value');
  if (l > 4294967295n) throw new ParamError(`limit value ${l} is out of range [0, 4294967295]`);
  return Number(l);
}

export function parseDirection(value: string, def: Direction = 'backward'): Direction {
  if (value === '') return def;
  const v = value.toUpperCase();
  if (v === 'FORWARD') return 'forward';
  if (v === 'BACKWARD') return 'backward';
  throw new ParamError(`invalid direction '${value}'`);
}

const wrap = (what: string, f: () => bigint): bigint => {
  try {
    return f();
  } catch (e) {
    throw new ParamError(`could not parse '${what}' parameter: ${(e as Error).message}`);
  }
};

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Loki's determineBounds: end defaults to now; start to min(end, now) − since (default 1h). */
export function parseBounds(p: Params, now = nowNs()): { start: bigint; end: bigint } {
  let since = DEFAULT_SINCE_NS;
  const sinceStr = p.get('since');
  if (sinceStr !== '') {
    try {
      since = parsePromDuration(sinceStr);
    } catch (e) {
      throw new ParamError(`could not parse 'since' parameter: ${(e as Error).message}`);
    }
  }
  const end = wrap('end', () => parseTimestamp(p.get('end'), now));
  const endOrNow = end > now ? now : end;
  const start = wrap('start', () => parseTimestamp(p.get('start'), endOrNow - since));
  return { start, end };
}

export interface RangeParams {
  query: string;
  start: bigint;
  end: bigint;
  step: bigint;
  /** ns; 0 when not given */
  interval: bigint;
  limit: number;
  direction: Direction;
}

export interface InstantParams {
  query: string;
  time: bigint;
  limit: number;
  direction: Direction;
}

/** `step` (default: Loki's defaultQueryRangeStep), refused when ≤ 0 or when it gives more than 11,000 points per
 *  series (Loki's ParseRangeQuery, also behind index/volume_range and patterns). */
export function parseStep(p: Params, start: bigint, end: bigint): bigint {
  const stepStr = p.get('step');
  const step = stepStr === '' ? defaultStep(start, end) : parseSecondsOrDuration(stepStr);
  if (step <= 0n) {
    throw new ParamError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  }
  if ((end - start) / step > MAX_POINTS) {
    throw new ParamError(
      'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter',
    );
  }
  return step;
}

/** Loki's ParseRangeQuery, in its order of checks. */
export function parseRangeQuery(p: Params, now = nowNs()): RangeParams {
  const query = p.get('query');
  const { start, end } = parseBounds(p, now);
  if (end < start) throw new ParamError('end timestamp must not be before or equal to start time');
  const limit = parseLimit(p.get('limit'));
  const direction = parseDirection(p.get('direction'));
  const step = parseStep(p, start, end);
  const intervalStr = p.get('interval');
  const interval = intervalStr === '' ? 0n : parseSecondsOrDuration(intervalStr);
  if (interval < 0n) throw new ParamError('interval must be >= 0');
  return { query, start, end, step, interval, limit, direction };
}

/** Loki's ParseInstantQuery; then, as Loki's querier does, a log query is refused (after its syntax is checked). */
export function parseInstantQuery(p: Params, now = nowNs()): InstantParams {
  const query = p.get('query');
  const limit = parseLimit(p.get('limit'));
  const time = parseTimestamp(p.get('time'), now);
  const direction = parseDirection(p.get('direction'));
  if (isLogQuery(query)) throw new ParamError(ERR_INSTANT_LOG_QUERY);
  return { query, time, limit, direction };
}

/** Whether `query` is a valid log query (a query that does not parse is left for the engine to reject). */
function isLogQuery(query: string): boolean {
  try {
    return isLogExpr(parse(query));
  } catch {
    return false;
  }
}

export const ERR_INSTANT_LOG_QUERY =
  'log queries are not supported as an instant query type, please change your query to a range query type';

/** Loki's ParseSeriesQuery: `match` and `match[]`, deduplicated and sorted; a lone `{}` means no matcher. */
export function parseSeriesMatchers(p: Params): string[] {
  let groups = [...new Set([...p.getAll('match'), ...p.getAll('match[]')])].sort();
  if (groups.length === 1 && groups[0]!.replaceAll(' ', '') === '{}') groups = [];
  return groups;
}
