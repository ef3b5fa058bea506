// Runtime value model mirroring the Go types the template engine can see.
//   string  -> string        bool -> boolean      int/int64 -> bigint
//   float64 -> number        nil (untyped/invalid) -> null
//   time.Time -> GoTime      []interface{} -> Value[]
//   map[string]string / map[string]interface{} -> GoMap
import { GoTime } from './gotime';

export type Value = string | boolean | bigint | number | null | GoTime | GoMap | Value[];

export class GoMap {
  constructor(
    /** Either a plain record of strings (label maps) or a Map of arbitrary values. */
    readonly rec: Record<string, string> | null,
    readonly map: Map<string, Value> | null,
  ) {}

  static ofLabels(labels: Record<string, string>): GoMap {
    return new GoMap(labels, null);
  }

  static ofMap(m: Map<string, Value>): GoMap {
    return new GoMap(null, m);
  }

  get isStringMap(): boolean {
    return this.rec !== null;
  }

  /** Value for key, or undefined when absent. */
  get(key: string): Value | undefined {
    if (this.rec) return Object.prototype.hasOwnProperty.call(this.rec, key) ? this.rec[key] : undefined;
    return this.map!.get(key);
  }

  /** Zero value of the element type (missingkey=zero). */
  zero(): Value {
    return this.rec ? '' : null;
  }

  sortedKeys(): string[] {
    const keys = this.rec ? Object.keys(this.rec) : [...this.map!.keys()];
    return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get size(): number {
    return this.rec ? Object.keys(this.rec).length : this.map!.size;
  }

  typeName(): string {
    return this.rec ? 'map[string]string' : 'map[string]interface {}';
  }
}

export function typeName(v: Value): string {
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
  }
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoMap) return v.typeName();
  return '[]interface {}';
}

/** Go's template truth (isTrue). */
export function truth(v: Value): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'boolean':
      return v;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
  }
  if (v instanceof GoTime) return true;
  if (v instanceof GoMap) return v.size > 0;
  return v.length > 0;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Length of a string in UTF-8 bytes (Go's len). */
export function byteLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function toBytes(s: string): Uint8Array {
  return enc.encode(s);
}

export function fromBytes(b: Uint8Array): string {
  return dec.decode(b);
}

/** Go's s[start:end] on UTF-8 bytes; caller checks bounds. */
export function byteSlice(s: string, start: number, end?: number): string {
  if (isAscii(s)) return s.slice(start, end);
  const b = enc.encode(s);
  return dec.decode(b.subarray(start, end ?? b.length));
}

export function cmpStrings(a: string, b: string): number {
  // Go compares bytes of UTF-8; JS compares UTF-16 code units. They agree except for
  // surrogate pairs vs. U+E000..U+FFFF, which is rare enough to special-case lazily.
  if (a === b) return 0;
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : 1;
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length < 0 ? -1 : x.length === y.length ? 0 : 1;
}
