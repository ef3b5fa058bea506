// Go `time` package subset: instants with a location, layout-based Format and Parse
// (reference time "Mon Jan 2 15:04:05 MST 2006"), time.ParseDuration.

export interface ZoneInfo {
  offset: number; // seconds east of UTC
  abbr: string;
}

export class Location {
  private cache = new Map<number, ZoneInfo>();
  private fmt: Intl.DateTimeFormat | null = null;

  private constructor(
    readonly name: string,
    private readonly fixed: ZoneInfo | null,
    private readonly iana: string | null,
  ) {}

  static fixedZone(name: string, offset: number): Location {
    return new Location(name, { offset, abbr: name }, null);
  }

  /** Loads an IANA zone ("UTC", "Local", "Europe/Paris" …); null when unknown. */
  static load(name: string): Location | null {
    if (name === '' || name === 'UTC') return UTC;
    if (name === 'Local') return LOCAL;
    const hit = zoneCache.get(name);
    if (hit) return hit;
    try {
      const canon = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
      const loc =
        canon === 'UTC' || canon === 'Etc/UTC'
          ? new Location(name, { offset: 0, abbr: 'UTC' }, null)
          : new Location(name, null, name);
      if (zoneCache.size > 256) zoneCache.clear();
      zoneCache.set(name, loc);
      return loc;
    } catch {
      return null;
    }
  }

  /** @internal */
  static makeLocal(): Location {
    let zone = '';
    try {
      const envTz = typeof process !== 'undefined' ? process.env.TZ : undefined;
      zone = envTz && envTz !== '' ? envTz.replace(/^:/, '') : new Intl.DateTimeFormat().resolvedOptions().timeZone;
      zone = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      zone = 'UTC';
    }
    if (zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT' || zone === '') {
      return new Location('Local', { offset: 0, abbr: 'UTC' }, null);
    }
    return new Location('Local', null, zone);
  }

  /** @internal */
  static localFromIana(zone: string): Location {
    if (zone === 'UTC') return new Location('Local', { offset: 0, abbr: 'UTC' }, null);
    return new Location('Local', null, zone);
  }

  lookup(sec: number): ZoneInfo {
    if (this.fixed) return this.fixed;
    const bucket = Math.floor(sec / 900);
    const hit = this.cache.get(bucket);
    if (hit) return hit;
    const info = this.compute(bucket * 900);
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(bucket, info);
    return info;
  }

  private compute(sec: number): ZoneInfo {
    if (!this.fmt) {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: this.iana ?? 'UTC',
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
        timeZoneName: 'short',
      });
    }
    const ms = Math.max(-8.64e15, Math.min(8.64e15, sec * 1000));
    const num: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    let abbr = 'UTC';
    let bc = false;
    for (const p of this.fmt.formatToParts(new Date(ms))) {
      if (p.type === 'era') bc = p.value.startsWith('B');
      else if (p.type === 'timeZoneName') abbr = p.value;
      else if (p.type !== 'literal') num[p.type] = Number(p.value);
    }
    const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = num;
    const y = bc ? 1 - year : year;
    const wall = daysFromCivil(y, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    const offset = wall - Math.floor(ms / 1000);
    const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(abbr);
    if (abbr === 'GMT' && offset === 0 && this.iana !== 'Europe/London') abbr = 'UTC';
    else if (m) abbr = m[1] + m[2]!.padStart(2, '0') + (m[3] && m[3] !== '00' ? m[3] : '');
    return { offset, abbr };
  }
}

const zoneCache = new Map<string, Location>();
export const UTC: Location = Location.fixedZone('UTC', 0);
export let LOCAL: Location = Location.makeLocal();

/** Sets the zone Go's time.Local stands for (default: $TZ or the system zone). Returns false if unknown. */
export function setLocalZone(name: string): boolean {
  if (name === 'UTC' || name === 'Etc/UTC' || name === '') {
    LOCAL = Location.localFromIana('UTC');
    return true;
  }
  if (!Location.load(name)) return false;
  LOCAL = Location.localFromIana(name);
  return true;
}

/** Unix seconds of Go's zero time, January 1, year 1, 00:00:00 UTC. */
export const ZERO_TIME_SEC = -62135596800;

export class GoTime {
  constructor(
    readonly sec: number, // unix seconds (integer)
    readonly nsec: number, // 0..999_999_999
    readonly loc: Location,
  ) {}

  static fromUnixNano(ns: bigint, loc: Location = LOCAL): GoTime {
    let sec = ns / 1_000_000_000n;
    let nsec = ns - sec * 1_000_000_000n;
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec -= 1n;
    }
    return new GoTime(Number(sec), Number(nsec), loc);
  }

  static now(): GoTime {
    const ms = Date.now();
    const sec = Math.floor(ms / 1000);
    return new GoTime(sec, (ms - sec * 1000) * 1_000_000, LOCAL);
  }

  static zero(): GoTime {
    return new GoTime(ZERO_TIME_SEC, 0, UTC);
  }

  isZero(): boolean {
    return this.sec === ZERO_TIME_SEC && this.nsec === 0;
  }

  in(loc: Location): GoTime {
    return new GoTime(this.sec, this.nsec, loc);
  }

  unixNano(): bigint {
    return BigInt(this.sec) * 1_000_000_000n + BigInt(this.nsec);
  }

  unixMilli(): number {
    return this.sec * 1000 + Math.floor(this.nsec / 1e6);
  }

  fields(): TimeFields {
    const z = this.loc.lookup(this.sec);
    const local = this.sec + z.offset;
    const days = Math.floor(local / 86400);
    let sod = local - days * 86400;
    const [year, month, day] = civilFromDays(days);
    const hour = Math.floor(sod / 3600);
    sod -= hour * 3600;
    const minute = Math.floor(sod / 60);
    const second = sod - minute * 60;
    const weekday = (((days + 4) % 7) + 7) % 7;
    const yday = days - daysFromCivil(year, 1, 1) + 1;
    return { year, month, day, hour, minute, second, nsec: this.nsec, weekday, yday, offset: z.offset, abbr: z.abbr };
  }

  format(layout: string): string {
    return formatTime(this, layout);
  }

  toString(): string {
    return formatTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }
}

export interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nsec: number;
  weekday: number; // 0 = Sunday
  yday: number;
  offset: number;
  abbr: string;
}

export function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? y + 1 : y, m, d];
}

export function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}
function daysIn(m: number, y: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

export const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// ---- layout chunks ----

const enum Std {
  Literal,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

interface Chunk {
  std: Std;
  lit: string; // literal text, or the separator for fractional seconds
  n: number; // digits for fractional seconds
}

/** Go's layout elements (time.nextStdChunk), tried in order: where one is a prefix of another, the longer first. */
const STD_CHUNKS: [string, Std][] = [
  ['January', Std.LongMonth],
  ['Jan', Std.Month],
  ['Monday', Std.LongWeekDay],
  ['Mon', Std.WeekDay],
  ['MST', Std.TZ],
  ['01', Std.ZeroMonth],
  ['02', Std.ZeroDay],
  ['03', Std.ZeroHour12],
  ['04', Std.ZeroMinute],
  ['05', Std.ZeroSecond],
  ['06', Std.Year],
  ['002', Std.ZeroYearDay],
  ['15', Std.Hour],
  ['1', Std.NumMonth],
  ['2006', Std.LongYear],
  ['2', Std.Day],
  ['_2', Std.UnderDay],
  ['__2', Std.UnderYearDay],
  ['3', Std.Hour12],
  ['4', Std.Minute],
  ['5', Std.Second],
  ['PM', Std.PM],
  ['pm', Std.pm],
  ['-070000', Std.NumSecondsTz],
  ['-07:00:00', Std.NumColonSecondsTZ],
  ['-0700', Std.NumTZ],
  ['-07:00', Std.NumColonTZ],
  ['-07', Std.NumShortTZ],
  ['Z070000', Std.ISO8601SecondsTZ],
  ['Z07:00:00', Std.ISO8601ColonSecondsTZ],
  ['Z0700', Std.ISO8601TZ],
  ['Z07:00', Std.ISO8601ColonTZ],
  ['Z07', Std.ISO8601ShortTZ],
];

const layoutCache = new Map<string, Chunk[]>();

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function compileLayout(layout: string): Chunk[] {
  const hit = layoutCache.get(layout);
  if (hit) return hit;
  const out: Chunk[] = [];
  let lit = '';
  const push = (std: Std, n = 0, sep = '') => {
    if (lit) out.push({ std: Std.Literal, lit, n: 0 });
    lit = '';
    out.push({ std, lit: sep, n });
  };
  let i = 0;
  const L = layout;
  const at = (s: string) => L.startsWith(s, i);
  const take = (std: Std, len: number) => {
    push(std);
    i += len;
  };
  while (i < L.length) {
    const c = L[i]!;
    if (at('_2006')) {
      // a literal "_" before the year
      lit += '_';
      i++;
      take(Std.LongYear, 4);
      continue;
    }
    const std = STD_CHUNKS.find(([p]) => at(p));
    if (std) {
      take(std[1], std[0].length);
      continue;
    }
    const ch = L[i + 1];
    if ((c === '.' || c === ',') && (ch === '0' || ch === '9')) {
      // fractional seconds: a run of 0s or 9s that no other digit follows
      let j = i + 1;
      while (j < L.length && L[j] === ch) j++;
      if (!isDigitAt(L, j)) {
        push(ch === '0' ? Std.FracSecond0 : Std.FracSecond9, j - (i + 1), c);
        i = j;
        continue;
      }
    }
    lit += c;
    i++;
  }
  if (lit) out.push({ std: Std.Literal, lit, n: 0 });
  if (layoutCache.size > 512) layoutCache.clear();
  layoutCache.set(layout, out);
  return out;
}

function pad(n: number, w: number): string {
  const s = String(Math.abs(n));
  const p = s.length < w ? '0'.repeat(w - s.length) + s : s;
  return n < 0 ? '-' + p : p;
}

function fmtTZ(offset: number, colon: boolean, withMin: boolean, withSec: boolean): string {
  let zone = Math.trunc(offset / 60);
  let absoff = offset;
  let sign = '+';
  if (zone < 0) {
    sign = '-';
    zone = -zone;
    absoff = -absoff;
  }
  let s = sign + pad(Math.trunc(zone / 60), 2);
  if (withMin) s += (colon ? ':' : '') + pad(zone % 60, 2);
  if (withSec) s += (colon ? ':' : '') + pad(absoff % 60, 2);
  return s;
}

function tzShape(std: Std): [boolean, boolean, boolean] {
  const colon =
    std === Std.ISO8601ColonTZ ||
    std === Std.NumColonTZ ||
    std === Std.ISO8601ColonSecondsTZ ||
    std === Std.NumColonSecondsTZ;
  const short = std === Std.ISO8601ShortTZ || std === Std.NumShortTZ;
  const secs =
    std === Std.ISO8601SecondsTZ ||
    std === Std.NumSecondsTz ||
    std === Std.ISO8601ColonSecondsTZ ||
    std === Std.NumColonSecondsTZ;
  return [colon, short, secs];
}

function numTZ(std: Std, offset: number): string {
  const [colon, short, secs] = tzShape(std);
  return fmtTZ(offset, colon, !short, secs);
}

export function formatTime(t: GoTime, layout: string): string {
  const chunks = compileLayout(layout);
  const f = t.fields();
  let out = '';
  for (const c of chunks) {
    switch (c.std) {
      case Std.Literal:
        out += c.lit;
        break;
      case Std.Year:
        out += pad(((f.year % 100) + 100) % 100, 2);
        break;
      case Std.LongYear:
        out += pad(f.year, 4);
        break;
      case Std.Month:
        out += LONG_MONTHS[f.month - 1]!.slice(0, 3);
        break;
      case Std.LongMonth:
        out += LONG_MONTHS[f.month - 1];
        break;
      case Std.NumMonth:
        out += f.month;
        break;
      case Std.ZeroMonth:
        out += pad(f.month, 2);
        break;
      case Std.WeekDay:
        out += LONG_DAYS[f.weekday]!.slice(0, 3);
        break;
      case Std.LongWeekDay:
        out += LONG_DAYS[f.weekday];
        break;
      case Std.Day:
        out += f.day;
        break;
      case Std.UnderDay:
        out += (f.day < 10 ? ' ' : '') + f.day;
        break;
      case Std.ZeroDay:
        out += pad(f.day, 2);
        break;
      case Std.UnderYearDay:
        out += String(f.yday).padStart(3, ' ');
        break;
      case Std.ZeroYearDay:
        out += pad(f.yday, 3);
        break;
      case Std.Hour:
        out += pad(f.hour, 2);
        break;
      case Std.Hour12:
        out += f.hour % 12 === 0 ? 12 : f.hour % 12;
        break;
      case Std.ZeroHour12:
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case Std.Minute:
        out += f.minute;
        break;
      case Std.ZeroMinute:
        out += pad(f.minute, 2);
        break;
      case Std.Second:
        out += f.second;
        break;
      case Std.ZeroSecond:
        out += pad(f.second, 2);
        break;
      case Std.PM:
        out += f.hour >= 12 ? 'PM' : 'AM';
        break;
      case Std.pm:
        out += f.hour >= 12 ? 'pm' : 'am';
        break;
      case Std.ISO8601TZ:
      case Std.ISO8601ColonTZ:
      case Std.ISO8601SecondsTZ:
      case Std.ISO8601ShortTZ:
      case Std.ISO8601ColonSecondsTZ:
        if (f.offset === 0) {
          out += 'Z';
          break;
        }
        out += numTZ(c.std, f.offset);
        break;
      case Std.NumTZ:
      case Std.NumColonTZ:
      case Std.NumSecondsTz:
      case Std.NumShortTZ:
      case Std.NumColonSecondsTZ:
        out += numTZ(c.std, f.offset);
        break;
      case Std.TZ:
        if (f.abbr !== '') out += f.abbr;
        else out += fmtTZ(f.offset, false, true, false);
        break;
      case Std.FracSecond0:
        out += c.lit + pad(f.nsec, 9).slice(0, c.n);
        break;
      case Std.FracSecond9: {
        let digits = pad(f.nsec, 9).slice(0, c.n);
        digits = digits.replace(/0+$/, '');
        if (digits) out += c.lit + digits;
        break;
      }
    }
  }
  return out;
}

export class TimeParseError extends Error {}

function lookupName(tab: string[], val: string): [number, string] {
  for (let i = 0; i < tab.length; i++) {
    const v = tab[i]!;
    if (val.length >= v.length && val.slice(0, v.length).toLowerCase() === v.toLowerCase())
      return [i, val.slice(v.length)];
  }
  throw new TimeParseError('bad value for field');
}

function getnum(value: string, fixed: boolean): [number, string] {
  if (!isDigitAt(value, 0)) throw new TimeParseError('bad number');
  if (!isDigitAt(value, 1)) {
    if (fixed) throw new TimeParseError('bad number');
    return [value.charCodeAt(0) - 48, value.slice(1)];
  }
  return [(value.charCodeAt(0) - 48) * 10 + value.charCodeAt(1) - 48, value.slice(2)];
}

function getnum3(value: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(value, i); i++) n = n * 10 + value.charCodeAt(i) - 48;
  if (i === 0 || (fixed && i !== 3)) throw new TimeParseError('bad number');
  return [n, value.slice(i)];
}

function cutspace(s: string): string {
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  return s.slice(i);
}

function skip(value0: string, prefix0: string): string {
  let value = value0;
  let prefix = prefix0;
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw new TimeParseError('bad literal');
      prefix = cutspace(prefix);
      value = cutspace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw new TimeParseError('bad literal');
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

function parseNanoseconds(value: string, nbytes: number): number {
  if (value[0] !== '.' && value[0] !== ',') throw new TimeParseError('bad fractional second');
  let digits = value.slice(1, Math.min(nbytes, 10));
  if (!/^\d*$/.test(digits)) throw new TimeParseError('bad fractional second');
  digits = digits.padEnd(9, '0');
  return Number(digits);
}

function parseTZAbbr(value: string): number {
  if (value.length < 3) return 0;
  if (value.length >= 4 && (value.startsWith('ChST') || value.startsWith('MeST'))) return 4;
  if (value.startsWith('GMT')) {
    const m = /^GMT([+-]\d{1,2})?/.exec(value)!;
    return m[0].length;
  }
  if (value[0] === '+' || value[0] === '-') {
    const m = /^[+-]\d{2}(\d{2})?/.exec(value);
    return m ? m[0].length : 0;
  }
  let n = 0;
  while (n < value.length && value.charCodeAt(n) >= 65 && value.charCodeAt(n) <= 90) n++;
  if (n === 3) return 3;
  if (n === 4 || n === 5) return value[n - 1] === 'T' || n === 4 ? n : 0;
  return 0;
}

/** time.ParseInLocation. Throws TimeParseError. */
export function parseTime(layout: string, value0: string, defaultLoc: Location): GoTime {
  const chunks = compileLayout(layout);
  const errOut = (msg?: string) =>
    new TimeParseError(`parsing time ${JSON.stringify(value0)} as ${JSON.stringify(layout)}${msg ? ': ' + msg : ''}`);
  let value = value0;
  let year = 0,
    month = -1,
    day = -1,
    yday = -1,
    hour = 0,
    min = 0,
    sec = 0,
    nsec = 0;
  let pmSet = false,
    amSet = false;
  let zoneOffset = -1;
  let zoneName = '';
  let utc = false;
  try {
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci]!;
      const hold = value;
      switch (c.std) {
        case Std.Literal:
          value = skip(value, c.lit);
          break;
        case Std.Year: {
          if (value.length < 2) throw new TimeParseError('');
          const p = value.slice(0, 2);
          if (!/^\d\d$/.test(p)) throw new TimeParseError('');
          year = Number(p);
          year += year >= 69 ? 1900 : 2000;
          value = value.slice(2);
          break;
        }
        case Std.LongYear: {
          if (value.length < 4 || !/^\d{4}/.test(value)) throw new TimeParseError('');
          year = Number(value.slice(0, 4));
          value = value.slice(4);
          break;
        }
        case Std.Month:
          [month, value] = lookupName(
            LONG_MONTHS.map((m) => m.slice(0, 3)),
            value,
          );
          month++;
          break;
        case Std.LongMonth:
          [month, value] = lookupName(LONG_MONTHS, value);
          month++;
          break;
        case Std.NumMonth:
        case Std.ZeroMonth:
          [month, value] = getnum(value, c.std === Std.ZeroMonth);
          if (month <= 0 || month > 12) throw errOut('month out of range');
          break;
        case Std.WeekDay:
          [, value] = lookupName(
            LONG_DAYS.map((d) => d.slice(0, 3)),
            value,
          );
          break;
        case Std.LongWeekDay:
          [, value] = lookupName(LONG_DAYS, value);
          break;
        case Std.Day:
        case Std.UnderDay:
        case Std.ZeroDay:
          if (c.std === Std.UnderDay && value[0] === ' ') value = value.slice(1);
          [day, value] = getnum(value, c.std === Std.ZeroDay);
          break;
        case Std.UnderYearDay:
        case Std.ZeroYearDay:
          for (let i = 0; i < 2; i++) if (c.std === Std.UnderYearDay && value[0] === ' ') value = value.slice(1);
          [yday, value] = getnum3(value, c.std === Std.ZeroYearDay);
          if (yday < 1 || yday > 366) throw errOut('day-of-year out of range');
          break;
        case Std.Hour:
          [hour, value] = getnum(value, false);
          if (hour < 0 || hour >= 24) throw errOut('hour out of range');
          break;
        case Std.Hour12:
        case Std.ZeroHour12:
          [hour, value] = getnum(value, c.std === Std.ZeroHour12);
          if (hour < 0 || hour > 12) throw errOut('hour out of range');
          break;
        case Std.Minute:
        case Std.ZeroMinute:
          [min, value] = getnum(value, c.std === Std.ZeroMinute);
          if (min < 0 || min >= 60) throw errOut('minute out of range');
          break;
        case Std.Second:
        case Std.ZeroSecond: {
          [sec, value] = getnum(value, c.std === Std.ZeroSecond);
          if (sec < 0 || sec >= 60) throw errOut('second out of range');
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
            const next = chunks[ci + 1];
            if (next && (next.std === Std.FracSecond0 || next.std === Std.FracSecond9)) break;
            let n = 2;
            while (n < value.length && isDigitAt(value, n)) n++;
            nsec = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case Std.PM:
        case Std.pm: {
          const upper = c.std === Std.PM;
          if (value.startsWith(upper ? 'PM' : 'pm')) pmSet = true;
          else if (value.startsWith(upper ? 'AM' : 'am')) amSet = true;
          else throw new TimeParseError('');
          value = value.slice(2);
          break;
        }
        case Std.ISO8601TZ:
        case Std.ISO8601ColonTZ:
        case Std.ISO8601SecondsTZ:
        case Std.ISO8601ShortTZ:
        case Std.ISO8601ColonSecondsTZ:
        case Std.NumTZ:
        case Std.NumColonTZ:
        case Std.NumSecondsTz:
        case Std.NumShortTZ:
        case Std.NumColonSecondsTZ: {
          if (value[0] === 'Z' && c.std >= Std.ISO8601TZ && c.std <= Std.ISO8601ColonSecondsTZ) {
            value = value.slice(1);
            utc = true;
            break;
          }
          const [colon, short, secs] = tzShape(c.std);
          const re = short
            ? /^([+-])(\d\d)/
            : colon
              ? secs
                ? /^([+-])(\d\d):(\d\d):(\d\d)/
                : /^([+-])(\d\d):(\d\d)/
              : secs
                ? /^([+-])(\d\d)(\d\d)(\d\d)/
                : /^([+-])(\d\d)(\d\d)/;
          const m = re.exec(value);
          if (!m) throw new TimeParseError('');
          const hr = Number(m[2]);
          const mm = m[3] ? Number(m[3]) : 0;
          const ss = m[4] ? Number(m[4]) : 0;
          if (hr > 24 || mm > 60 || ss > 60) throw errOut('time zone offset out of range');
          zoneOffset = (hr * 60 + mm) * 60 + ss;
          if (m[1] === '-') zoneOffset = -zoneOffset;
          value = value.slice(m[0].length);
          break;
        }
        case Std.TZ: {
          if (value.startsWith('UTC')) {
            value = value.slice(3);
            utc = true;
            break;
          }
          const n = parseTZAbbr(value);
          if (n === 0) throw new TimeParseError('');
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case Std.FracSecond0: {
          const ndigit = 1 + c.n;
          if (value.length < ndigit) throw new TimeParseError('');
          nsec = parseNanoseconds(value, ndigit);
          value = value.slice(ndigit);
          break;
        }
        case Std.FracSecond9: {
          if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
          let i = 0;
          while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
          nsec = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
      }
      void hold;
    }
  } catch (e) {
    if (e instanceof TimeParseError && e.message.startsWith('parsing time')) throw e;
    throw errOut();
  }
  if (value.length > 0) throw errOut('extra text: ' + JSON.stringify(value));
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    let d: number, m: number;
    if (isLeap(year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else {
        const y2 = yday > 31 + 29 ? yday - 1 : yday;
        [m, d] = monthDayFromYday(y2);
      }
    } else {
      if (yday > 365) throw errOut('day-of-year out of range');
      [m, d] = monthDayFromYday(yday);
    }
    if (month >= 0 && month !== m) throw errOut('day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) throw errOut('day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw errOut('day out of range');
  const wall = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  if (utc) return new GoTime(wall, nsec, UTC);
  if (zoneOffset !== -1) {
    const t = wall - zoneOffset;
    if (LOCAL.lookup(t).offset === zoneOffset) return new GoTime(t, nsec, LOCAL);
    return new GoTime(t, nsec, Location.fixedZone('', zoneOffset));
  }
  if (zoneName !== '') {
    const z = defaultLoc.lookup(wall - defaultLoc.lookup(wall).offset);
    if (z.abbr === zoneName) return new GoTime(wall - z.offset, nsec, defaultLoc);
    const gm = /^GMT([+-]\d{1,2})$/.exec(zoneName);
    if (gm) {
      const off = Number(gm[1]) * 3600;
      return new GoTime(wall - off, nsec, Location.fixedZone(zoneName, off));
    }
    return new GoTime(wall, nsec, Location.fixedZone(zoneName, 0));
  }
  // wall clock in defaultLoc
  let t = wall - defaultLoc.lookup(wall).offset;
  const off2 = defaultLoc.lookup(t).offset;
  t = wall - off2;
  return new GoTime(t, nsec, defaultLoc);
}

function monthDayFromYday(yday: number): [number, number] {
  let m = 1;
  let d = yday;
  while (m <= 12 && d > daysIn(m, 2001)) {
    d -= daysIn(m, 2001);
    m++;
  }
  return [m, d];
}

const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration, returning seconds. Throws Error with Go's message. */
export function parseDurationSeconds(s: string): number {
  const orig = s;
  const bad = () => new Error(`time: invalid duration ${goQuote(orig)}`);
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (m[0] === '' || m[0] === '.') throw bad();
    s = s.slice(m[0].length);
    const u = /^[^\d.]+/.exec(s);
    if (!u) throw new Error(`time: missing unit in duration ${goQuote(orig)}`);
    const unit = unitNs[u[0]];
    if (unit === undefined) throw new Error(`time: unknown unit ${goQuote(u[0])} in duration ${goQuote(orig)}`);
    s = s.slice(u[0].length);
    total += Number((m[1] || '0') + '.' + (m[2] || '0')) * unit;
  }
  if (total > 9.223372036854776e18) throw bad();
  const ns = Math.trunc(total);
  return (neg ? -ns : ns) / 1e9;
}

function goQuote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}
