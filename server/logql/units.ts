// Durations and byte sizes as Loki reads them.
//
// Loki reads a range `[5m]` with Prometheus' duration syntax only (integers, units y w d h m s ms, largest first),
// and every other duration (offset, `latency > 250ms`, unwrap duration()) with Prometheus' syntax first and Go's
// time.ParseDuration as a fallback (fractions, us/µs/ns, a sign, units in any order). All values are exact
// nanoseconds as bigint.

const NS = 1n;
const US = 1000n * NS;
const MS = 1000n * US;
const SEC = 1000n * MS;
const MIN = 60n * SEC;
const HOUR = 60n * MIN;
const DAY = 24n * HOUR;
const WEEK = 7n * DAY;
const YEAR = 365n * DAY;

const MAX_DURATION = (1n << 63n) - 1n;

/** Prometheus units, in the only order they may appear (biggest first). */
const PROM_UNITS: Record<string, { pos: number; mult: bigint }> = {
  y: { pos: 1, mult: YEAR },
  w: { pos: 2, mult: WEEK },
  d: { pos: 3, mult: DAY },
  h: { pos: 4, mult: HOUR },
  m: { pos: 5, mult: MIN },
  s: { pos: 6, mult: SEC },
  ms: { pos: 7, mult: MS },
};

const GO_UNITS: Record<string, bigint> = {
  ns: NS,
  us: US,
  µs: US, // U+00B5 micro sign
  μs: US, // U+03BC Greek mu
  ms: MS,
  s: SEC,
  m: MIN,
  h: HOUR,
};

export class DurationError extends Error {}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Prometheus `model.ParseDuration`: `1h30m`, `5m`, `1w`, `2y`, `0`. Throws DurationError. */
export function parsePromDuration(text: string): bigint {
  if (text === '0') return 0n;
  if (text === '') throw new DurationError('empty duration string');
  let s = text;
  let total = 0n;
  let lastPos = 0;
  while (s !== '') {
    if (!isDigit(s[0])) throw new DurationError(`not a valid duration string: "${text}"`);
    let i = 0;
    while (i < s.length && isDigit(s[i])) i++;
    const v = BigInt(s.slice(0, i));
    s = s.slice(i);
    let j = 0;
    while (j < s.length && !isDigit(s[j])) j++;
    if (j === 0) throw new DurationError(`not a valid duration string: "${text}"`);
    const unitText = s.slice(0, j);
    s = s.slice(j);
    const unit = PROM_UNITS[unitText];
    if (!unit) throw new DurationError(`unknown unit "${unitText}" in duration "${text}"`);
    if (unit.pos <= lastPos) throw new DurationError(`not a valid duration string: "${text}"`);
    lastPos = unit.pos;
    total += v * unit.mult;
    if (total > MAX_DURATION) throw new DurationError('duration out of range');
  }
  return total;
}

/** Go `time.ParseDuration`: `1.5h`, `-5m`, `300ms`, `2h45m10.5s`, `5us`. Throws DurationError. */
export function parseGoDuration(text: string): bigint {
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new DurationError(`invalid duration "${text}"`);
  let total = 0n;
  while (s !== '') {
    if (!(isDigit(s[0]) || s[0] === '.')) throw new DurationError(`invalid duration "${text}"`);
    let i = 0;
    while (i < s.length && isDigit(s[i])) i++;
    const intPart = s.slice(0, i);
    s = s.slice(i);
    let frac = '';
    if (s[0] === '.') {
      s = s.slice(1);
      let k = 0;
      while (k < s.length && isDigit(s[k])) k++;
      frac = s.slice(0, k);
      s = s.slice(k);
    }
    if (intPart === '' && frac === '') throw new DurationError(`invalid duration "${text}"`);
    let j = 0;
    while (j < s.length && s[j] !== '.' && !isDigit(s[j])) j++;
    if (j === 0) throw new DurationError(`missing unit in duration "${text}"`);
    const unitText = s.slice(0, j);
    s = s.slice(j);
    const unit = GO_UNITS[unitText];
    if (unit === undefined) throw new DurationError(`unknown unit "${unitText}" in duration "${text}"`);
    let v = (intPart === '' ? 0n : BigInt(intPart)) * unit;
    if (frac !== '') v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length); // Go truncates the fraction
    total += v;
    if (total > MAX_DURATION) throw new DurationError(`invalid duration "${text}"`);
  }
  return neg ? -total : total;
}

/**
 * A duration anywhere but a range: Prometheus' syntax first, then Go's (Loki's `parseDuration`).
 * Returns nanoseconds; throws DurationError.
 */
export function parseDuration(text: string): bigint {
  try {
    return parsePromDuration(text);
  } catch {
    return parseGoDuration(text);
  }
}

/** Prometheus-style text (`5m`, `1h30m`, `2w`, `1y`), exact: sub-millisecond parts are written as `us`/`ns`. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  if (ns < 0n) return '-' + formatDuration(-ns);
  let ms = ns / MS;
  let rest = ns % MS;
  let out = '';
  const msPer = (u: bigint) => u / MS;
  const part = (unit: string, mult: bigint, exact: boolean) => {
    if (exact && ms % mult !== 0n) return;
    const v = ms / mult;
    if (v > 0n) {
      out += `${v}${unit}`;
      ms -= v * mult;
    }
  };
  part('y', msPer(YEAR), true);
  part('w', msPer(WEEK), true);
  part('d', msPer(DAY), false);
  part('h', msPer(HOUR), false);
  part('m', msPer(MIN), false);
  part('s', msPer(SEC), false);
  part('ms', 1n, false);
  if (rest > 0n) {
    const us = rest / US;
    rest %= US;
    if (us > 0n) out += `${us}us`;
    if (rest > 0n) out += `${rest}ns`;
  }
  return out;
}

/** True when the text only uses Prometheus' duration syntax (what a range `[…]` accepts). */
export function isPromDuration(text: string): boolean {
  try {
    parsePromDuration(text);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- bytes

const KB = 1000;
const KIB = 1024;

/** go-humanize's size table; keys are lower case (humanize lower-cases the unit). */
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  '': 1,
  kib: KIB,
  kb: KB,
  ki: KIB,
  k: KB,
  mib: KIB ** 2,
  mb: KB ** 2,
  mi: KIB ** 2,
  m: KB ** 2,
  gib: KIB ** 3,
  gb: KB ** 3,
  gi: KIB ** 3,
  g: KB ** 3,
  tib: KIB ** 4,
  tb: KB ** 4,
  ti: KIB ** 4,
  t: KB ** 4,
  pib: KIB ** 5,
  pb: KB ** 5,
  pi: KIB ** 5,
  p: KB ** 5,
  eib: KIB ** 6,
  eb: KB ** 6,
  ei: KIB ** 6,
  e: KB ** 6,
};

export class BytesError extends Error {}

/**
 * go-humanize `ParseBytes` (what Loki uses for `size > 20KB` and `unwrap bytes(x)`): a decimal number (commas
 * ignored) and an optional case-insensitive unit; kB/KB/k = 1000, KiB/Ki = 1024, … up to E/EiB. The result is
 * truncated to an integer. Throws BytesError.
 */
export function parseBytes(text: string): number {
  let i = 0;
  let hasComma = false;
  while (i < text.length) {
    const c = text[i]!;
    if (!(isDigit(c) || c === '.' || c === ',')) break;
    if (c === ',') hasComma = true;
    i++;
  }
  let num = text.slice(0, i);
  if (hasComma) num = num.replace(/,/g, '');
  if (!/^(\d+\.?\d*|\.\d+)$/.test(num)) throw new BytesError(`invalid byte size "${text}"`);
  const f = Number(num);
  const unit = text.slice(i).trim().toLowerCase();
  const mult = BYTE_UNITS[unit];
  if (mult === undefined) throw new BytesError(`unhandled size name: ${unit}`);
  const v = f * mult;
  if (v >= 2 ** 64) throw new BytesError(`too large: ${text}`);
  return Math.trunc(v);
}

/** Bytes as Loki prints them in a query (humanize.Bytes-like, base 1000, e.g. `20kB`); exact when possible. */
export function formatBytes(n: number): string {
  const units: [string, number][] = [
    ['PB', KB ** 5],
    ['TB', KB ** 4],
    ['GB', KB ** 3],
    ['MB', KB ** 2],
    ['kB', KB],
  ];
  for (const [u, m] of units) if (n >= m && n % m === 0) return `${n / m}${u}`;
  for (const [u, m] of [
    ['PiB', KIB ** 5],
    ['TiB', KIB ** 4],
    ['GiB', KIB ** 3],
    ['MiB', KIB ** 2],
    ['KiB', KIB],
  ] as [string, number][])
    if (n >= m && n % m === 0) return `${n / m}${u}`;
  return `${n}B`;
}
