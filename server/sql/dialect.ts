// A dialect renders the generic pieces of our SQL for one engine and declares what it can express. The planner asks
// `capabilities` (never `engine === …`) to decide what pushes down; what a dialect cannot express gets a named reason
// (see plan/pushdown.ts) and runs in TypeScript instead.
import type { EngineName, SqlParam } from './driver';

export type ParamType = 'string' | 'int64' | 'float64' | 'int64[]' | 'string[]';

export interface DialectCapabilities {
  /** the engine's regex functions are RE2 with the same syntax and semantics as Loki's */
  re2Regex: boolean;
  /** the engine can extract a top-level JSON string/number field from the line without failing on invalid JSON */
  jsonExtract: boolean;
}

export interface Dialect {
  readonly name: EngineName;
  readonly capabilities: DialectCapabilities;
  /** the placeholder for the n-th (1-based) bound parameter */
  placeholder(n: number, type: ParamType): string;
  /** `col` is one of the values of an array parameter */
  inArray(col: string, arrayParam: string): string;
  /** the line contains the literal (byte-wise, case-sensitive) */
  contains(col: string, param: string): string;
  /** unanchored RE2 match (only called when capabilities.re2Regex) */
  regexMatch(col: string, param: string): string;
  /** byte length of a UTF-8 string */
  byteLength(col: string): string;
  /** exact division of BIGINT operands known to divide evenly */
  exactDiv(a: string, b: string): string;
  /** a set-returning expression giving one row per integer in [lo, hi] (empty when hi < lo) */
  explodeRange(lo: string, hi: string): string;
}

/** Collects bound parameters while SQL text is written. */
export class SqlWriter {
  readonly params: SqlParam[] = [];
  constructor(readonly dialect: Dialect) {}

  bind(value: SqlParam, type: ParamType): string {
    this.params.push(value);
    return this.dialect.placeholder(this.params.length, type);
  }
}

/** floor(a / b) for BIGINT a (any sign) and a positive constant b, exact on every engine. */
export function floorDiv(d: Dialect, a: string, b: string): string {
  return d.exactDiv(`((${a}) - ((((${a}) % ${b}) + ${b}) % ${b}))`, b);
}

/** ceil(a / b) for BIGINT a (any sign) and a positive constant b. */
export function ceilDiv(d: Dialect, a: string, b: string): string {
  return `(-${floorDiv(d, `-(${a})`, b)})`;
}
