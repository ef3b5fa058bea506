// A dialect renders the generic pieces of our SQL for one engine and declares what it can express. The planner asks
// `capabilities` (never `engine === …`) to decide what pushes down; what a dialect cannot express gets a named reason
// (see plan/pushdown.ts) and runs in TypeScript instead.
//
// DuckDB is the reference dialect (sql/dialects/duckdb); PostgreSQL and ClickHouse override what differs.
import type { EngineName, SqlParam } from './driver';
import type { SqlParserFunctions } from './pipeline/compile';

export type ParamType = 'string' | 'int64' | 'float64' | 'int64[]' | 'string[]';

export interface DialectCapabilities {
  /** the engine's regex functions are RE2 with the same syntax and semantics as Loki's */
  re2Regex: boolean;
  /** text columns can store NUL (PostgreSQL's cannot: no stored line contains one, and binding one fails) */
  textHoldsNul?: boolean;
  /** grouping by the metadata column costs more than proving it empty (PostgreSQL: a heap visit per row instead of
   *  an index-only scan, while a partial index answers the probe; DuckDB: the column's NULL mask is cheap to scan,
   *  hashing it is not): counting queries probe first */
  probeMetadata?: boolean;
  /** the engine can extract a top-level JSON string/number field from the line without failing on invalid JSON */
  jsonExtract: boolean;
  /** without RE2: regex line filters that are only literals (sql/regexSplit.ts literalAlternatives) still push
   *  down, as substring tests (`containsAsciiFold` for the case-insensitive ones) */
  literalRegex?: boolean;
}

/** Named reasons a dialect gives for what it cannot express (shown by `translate --explain`). */
export interface DialectLimits {
  /** why regex line filters do not push down (when !re2Regex) */
  regex?: string;
  /** why `| json | unwrap` aggregations do not push down (when !jsonExtract) */
  json?: string;
}

export interface Dialect {
  readonly name: EngineName;
  /** the functions parsers need to run in SQL (sql/pipeline/); absent: parsers run in TypeScript */
  readonly parsers?: SqlParserFunctions;
  /** why parsers run in TypeScript on this engine (when `parsers` is absent) */
  readonly noParsers?: string;
  readonly capabilities: DialectCapabilities;
  readonly limits?: DialectLimits;
  /** the table of per-minute entry counts the ingester keeps (schema/minuteCounts.ts): counting queries over whole
   *  minutes read it instead of the lines. Absent on engines without it and on mapped relations. */
  readonly minuteCounts?: string;
  /** the engine's JSON functions read lines Loki's parser refuses (NaN literals, trailing commas: sql/jsonQuirks.ts) */
  readonly jsonReadsLeniently?: boolean;
  /** the placeholder for the n-th (1-based) bound parameter */
  placeholder(n: number, type: ParamType): string;
  /** `col` is one of the values of an array parameter */
  inArray(col: string, arrayParam: string): string;
  /** the line contains the literal (byte-wise, case-sensitive) */
  contains(col: string, param: string): string;
  /** the line contains the ASCII literal, ASCII letters matching either case (with capabilities.literalRegex) */
  containsAsciiFold?(col: string, param: string): string;
  /** unanchored RE2 match (only called when capabilities.re2Regex) */
  regexMatch(col: string, param: string): string;
  /** the whole string matches a simple ASCII pattern (`^…$`, classes, `?`, `*`, `+`, alternation): the same on
   *  RE2 and POSIX ARE engines, so every dialect can take it */
  simpleFullMatch(col: string, param: string): string;
  /** unanchored match of a simple ASCII pattern (as simpleFullMatch's, without the anchors) */
  simpleMatch(col: string, param: string): string;
  /** literal `word` (letters and digits only) occurs at least twice in `col` (a substring scan, no regex) */
  occursTwice(w: SqlWriter, col: string, word: string): string;
  /** byte length of a UTF-8 string */
  byteLength(col: string): string;
  /** exact division of BIGINT operands known to divide evenly */
  exactDiv(a: string, b: string): string;
  /** a set-returning expression giving one row per integer in [lo, hi] (empty when hi < lo) */
  explodeRange(lo: string, hi: string): string;
  /** a string column's comparison in byte order (for ORDER BY / keyset paging on `line`) */
  byteOrder(col: string): string;
  /** the text of top-level JSON field `keyParam` of `col` when `col` is valid JSON (a string's value unescaped,
   *  a number as written, other values as JSON text); NULL when invalid or missing. Only when capabilities.jsonExtract. */
  jsonField(w: SqlWriter, col: string, key: string): string;
  /** an optimistic jsonField: the same value on valid JSON, but it may raise on an invalid line (the caller then
   *  re-runs with jsonField, telling the two apart with isInvalidJson). For engines whose safe form is slow. */
  jsonFieldFast?(w: SqlWriter, col: string, key: string): string;
  isInvalidJson?(err: unknown): boolean;
  /** the engine refused a statement as too deeply nested or too large to plan (a pushed pipeline of many stages): the
   *  query then runs in TypeScript */
  isTooComplex?(err: unknown): boolean;
  /** for `| json | unwrap field` (unwrapAggregate.ts), where the engine has a cheaper way than jsonField and a
   *  decimal full match: `raw` reads field `key` of `col` once per row (NULL when invalid or absent), and `number`
   *  over it is the value Go's strconv.ParseFloat gives the label Loki extracts, NULL wherever SQL cannot be sure of
   *  it (`plain(text)` tells a text is a plain decimal: sql/numerals.ts) */
  jsonUnwrap?: {
    raw(w: SqlWriter, col: string, key: string): string;
    number(v: string, plain: (text: string) => string): string;
  };
  /** for pre-filters on `| json` fields (plan/prefilter.ts): `value` probes top-level field `key` of `col` (computed
   *  once per row, in a derived column); over that column, `unsure` is TRUE when the probe cannot tell (invalid JSON,
   *  absent key), `kind` is NULL for JSON null, 'VARCHAR' for a string, 'NUMBER' for a number, anything else
   *  otherwise, and `text` is the value's text (a string unescaped). Optional: without it label filters after
   *  `| json` are not pre-filtered in SQL. */
  jsonProbe?: {
    value(w: SqlWriter, col: string, key: string): string;
    unsure(v: string): string;
    kind(v: string): string;
    text(v: string): string;
    /** a cheaper probe (one call, no type test), where the engine has one: the field's text as `jsonField` gives
     *  it but with numbers in the engine's rendering, NULL when unsure (invalid line, absent key, JSON null) */
    textOnly?(w: SqlWriter, col: string, key: string): string;
    /** over a textOnly value: TRUE where toDoubleOrNull converts text that Go's strconv.ParseFloat rejects
     *  (surrounding whitespace, digit separators) — Loki then keeps the line with an error */
    looserThanParseFloat?(v: string): string;
    /** over a textOnly value: TRUE where it may be a number (its rendering can differ from the line's text), an
     *  object or an array (Loki makes other labels of those) */
    maybeNotString?(v: string): string;
    /** `value` is the field's raw JSON text: toDoubleOrNull converts exactly its numbers (a string stays quoted and
     *  converts to NULL), so a numeric filter needs no type test */
    rawNumbers?: boolean;
  };
  /** `body` with `name` bound to the value of `expr`, computed once (optional: DuckDB's lambdas) */
  letIn?(expr: string, name: string, body: string): string;
  /** text → double, NULL when it does not convert (with jsonProbe) */
  toDoubleOrNull?(expr: string): string;
  /** values[i] where keys[i] = col (both BIGINT array parameters) */
  lookup(keysParam: string, valuesParam: string, col: string): string;
  /** CAST to a double */
  toDouble(expr: string): string;
  /** like explodeRange, but a single row -1 when `nullable` IS NULL: lets an engine without materialized CTEs
   *  aggregate values and count unreadable rows in one pass (unwrapAggregate.ts) */
  explodeRangeOrMinusOne?(lo: string, hi: string, nullable: string): string;
  /** `name AS (body)` for a CTE that several later parts read (materialized once where the engine allows) */
  sharedCte(name: string, body: string): string;
  /** an aggregate over double `v`; `phi` (quantile) is a finite number in [0, 1] */
  aggregate(fn: 'stddev_pop' | 'var_pop' | 'quantile', v: string, w: SqlWriter, phi?: number): string;
  /** the aggregate of the non-NULL `v` at the least (`first`) or greatest (`last`) `ts` */
  valueAtTs(which: 'first' | 'last', v: string, ts: string): string;
  /** a positive integer constant typed as a signed 64-bit integer where the engine would otherwise make it unsigned
   *  (ClickHouse: Int64 % UInt64 is computed unsigned) */
  int64Const?(digits: string): string;
  /** an integer expression as a signed 64-bit integer, NULL staying NULL (default `CAST(… AS BIGINT)`; ClickHouse's
   *  BIGINT is not nullable, and it evaluates a CASE's branches on every row) */
  toInt64?(expr: string): string;
  /** the relation holding entries (stream_id, ts, line, metadata): the native `entries` table when undefined, or
   *  the derived table an existing-table mapping presents (schema/mapping.ts builds a dialect copy with it) */
  readonly entries?: string;
  /** appended to a derived table's SELECT whose computed columns are read more than once, so the planner computes
   *  them once per row instead of inlining each mention (PostgreSQL: OFFSET 0) */
  readonly computeOnce?: string;
  /** alias for a derived table in FROM (PostgreSQL 15 requires one) */
  readonly derivedAlias: string;
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

/** A finite JS number as an SQL numeric literal (digits, '.', 'e', sign only): for values that must be constants
 *  (ClickHouse aggregate parameters). Throws on anything else. */
export function numberLiteral(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const s = String(x);
  if (!/^-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?$/.test(s)) throw new RangeError(`unexpected number text ${s}`);
  return s;
}

/** floor(a / b) for BIGINT a (any sign) and a positive constant b, exact on every engine. */
export function floorDiv(d: Dialect, a: string, b: string): string {
  if (d.int64Const) b = d.int64Const(b);
  return d.exactDiv(`((${a}) - ((((${a}) % ${b}) + ${b}) % ${b}))`, b);
}

/** ceil(a / b) for BIGINT a (any sign) and a positive constant b. */
export function ceilDiv(d: Dialect, a: string, b: string): string {
  return `(-${floorDiv(d, `-(${a})`, b)})`;
}
