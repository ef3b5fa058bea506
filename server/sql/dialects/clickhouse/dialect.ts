import { numberLiteral, type Dialect, type SqlWriter } from '../../dialect';
import type { JsonPath } from '../../pipeline/compile';

/** ClickHouse (server or chDB): `{pN:Type}` query parameters, Int64 ns timestamps, arrays as `IN {pN:Array(Int64)}`.
 *  Overrides of the DuckDB reference:
 *  - `match()` is RE2, but ClickHouse compiles patterns with `.` matching newline; Go's regexp (Loki) does not, so
 *    every pattern gets a `(?-s)` prefix (a flag group in the user's pattern still overrides it, as in Go);
 *  - integer division is `intDiv` (`/` is floating point), and divisors are `toInt64(…)`: a literal above 2^31 is
 *    UInt64 and Int64 % UInt64 is computed unsigned (wrong for negative dividends);
 *  - `arrayJoin(range(…))` explodes a step range; quantiles are `quantileExactInclusive(φ)` (linear interpolation
 *    between closest ranks, as Prometheus); φ must be a constant, written through `numberLiteral`;
 *  - no `AS MATERIALIZED`: a CTE read twice is computed twice (still one statement, Distributed-safe);
 *  - `match()` answers 0 on every text for a pattern holding a named group whose name contains `_` (`(?P<a_b>j)`
 *    never matches "j": its required-substring analysis gets such patterns wrong, while extractGroups is right). A
 *    pattern with a named group is matched as `(?:pattern)|\b\B`: an alternative that never matches turns that
 *    analysis off without changing which texts match (other patterns keep it: it speeds up line filters). */
/** `match` of `col` against the RE2 pattern `inner` (SQL text, a constant) with Go's `.`; see above. */
function match(col: string, inner: string): string {
  return (
    `if(position(${inner}, '(?P<') > 0 OR position(${inner}, '(?<') > 0, ` +
    `match(${col}, concat('(?-s)(?:', ${inner}, ')|\\\\b\\\\B')), match(${col}, concat('(?-s)', ${inner})))`
  );
}

export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  capabilities: { re2Regex: true, jsonExtract: true },
  isTooComplex: (e) => /TOO_DEEP|TOO_BIG_AST|too deep|too big|stack overflow/i.test(String((e as Error)?.message ?? e)),
  // every pattern gets `(?-s)` (see above); extractGroups takes the (constant) query parameter as its pattern
  parsers: {
    regexExtract: (col, p, g) => `extractGroups(${col}, concat('(?-s)', ${p}))[${g}]`,
    regexExtractGroups: (w, col, pattern, _n) => `extractGroups(${col}, concat('(?-s)', ${w.bind(pattern, 'string')}))`,
    groupOf: (v, g) => `${v}[${g}]`,
    startsWith: (col, p) => `startsWith(${col}, ${p})`,
    endsWith: (col, p) => `endsWith(${col}, ${p})`,
    // JSONExtractRaw: the value's JSON text, '' when the line is invalid or the key absent
    // (a path's keys bound, its array indexes 1-based literals)
    jsonValue: (w, col, path) => `nullIf(JSONExtractRaw(${col}, ${clickhouseJsonPath(w, path)}), '')`,
    // JSONExtractRaw re-writes numbers (`1e2` → `100`): the kind comes from the line itself, where `1e2` is a Double
    jsonKind: (_v, w, col, path) => {
      const t = `JSONType(${col}, ${clickhouseJsonPath(w, path)})`;
      return (
        `multiIf(${t} = 'String', 'VARCHAR', ${t} = 'Int64', 'BIGINT', ${t} = 'UInt64', 'UBIGINT', ${t} = 'Double', ` +
        `'DOUBLE', ${t} = 'Bool', 'BOOLEAN', ${t} = 'Null', 'NULL', ${t} = 'Array', 'ARRAY', ${t} = 'Object', 'OBJECT', 'OTHER')`
      );
    },
    jsonText: (v) => `if(JSONType(${v}) = 'String', JSONExtractString(${v}), ${v})`,
    isJsonObject: (col) => `(isValidJSON(${col}) AND JSONType(${col}) = 'Object')`,
    toDoubleOrNull: (e) => `toFloat64OrNull(${e})`,
    toBigint: (e) => `toInt64OrNull(${e})`,
    padZeros: (e, n) => `rightPad(${e}, ${n}, '0')`,
    toDecimal: (e) => `toDecimal128OrNull(${e}, 9)`,
    regexMatch: (col, p) => match(col, p),
    fullMatch: (col, p) => match(col, `concat('^(?:', ${p}, ')$')`),
    lookup: (keys, values, col) => `arrayElement(${values}, indexOf(${keys}, ${col}))`,
    regexRemoveAll: (e, p) => `replaceRegexpAll(${e}, concat('(?-s)', ${p}), '')`,
    asciiCase: (fn, e) => (fn === 'trim' ? `replaceRegexpAll(${e}, '^[\\t-\\r ]+|[\\t-\\r ]+$', '')` : `${fn}(${e})`),
  },
  placeholder: (n, type) => {
    switch (type) {
      case 'int64[]':
        return `{p${n}:Array(Int64)}`;
      case 'string[]':
        return `{p${n}:Array(String)}`;
      case 'int64':
        return `{p${n}:Int64}`;
      case 'float64':
        return `{p${n}:Float64}`;
      default:
        return `{p${n}:String}`;
    }
  },
  inArray: (col, p) => `${col} IN ${p}`,
  contains: (col, p) => `position(${col}, ${p}) > 0`,
  regexMatch: (col, p) => match(col, p),
  simpleMatch: (col, p) => match(col, p),
  occursTwice: (w, col, word) => `(countSubstrings(${col}, ${w.bind(word, 'string')}) > 1)`,
  simpleFullMatch: (col, p) => `match(${col}, ${p})`,
  byteLength: (col) => `length(${col})`,
  exactDiv: (a, b) => `intDiv(${a}, ${b})`,
  explodeRange: (lo, hi) => `arrayJoin(range(toInt64(${lo}), toInt64(${hi}) + 1))`,
  explodeRangeOrMinusOne: (lo, hi, v) =>
    `arrayJoin(if(${v} IS NULL, [toInt64(-1)], range(toInt64(${lo}), toInt64(${hi}) + 1)))`,
  byteOrder: (col) => col,
  jsonField: (w, col, key) => {
    // JSONExtractRaw parses (and validates) the whole line once: '' when invalid or missing; a string value comes
    // back quoted, so only then is it extracted unescaped (ClickHouse evaluates the repeated call once)
    const k = w.bind(key, 'string');
    const raw = `JSONExtractRaw(${col}, ${k})`;
    return `if(startsWith(${raw}, '"'), JSONExtractString(${col}, ${k}), nullIf(${raw}, ''))`;
  },
  jsonProbe: {
    // JSONExtractRaw parses the line once: '' when it is invalid or the key absent (unsure), else the value's JSON
    value: (w, col, key) => `JSONExtractRaw(${col}, ${w.bind(key, 'string')})`,
    unsure: (v) => `${v} = ''`,
    kind: (v) =>
      `multiIf(JSONType(${v}) = 'Null', NULL, JSONType(${v}) = 'String', 'VARCHAR', ` +
      `JSONType(${v}) IN ('Int64', 'UInt64', 'Double'), 'NUMBER', 'OTHER')`,
    text: (v) => `if(JSONType(${v}) = 'String', JSONExtractString(${v}), ${v})`,
    rawNumbers: true,
  },
  toDoubleOrNull: (e) => `toFloat64OrNull(${e})`,
  lookup: (keys, values, col) => `arrayElement(${values}, indexOf(${keys}, ${col}))`,
  toDouble: (e) => `toFloat64(${e})`,
  sharedCte: (name, body) => `${name} AS (${body})`,
  aggregate: (fn, v, _w, phi) => {
    if (fn === 'quantile') return `quantileExactInclusive(${numberLiteral(phi ?? 0)})(${v})`;
    return fn === 'stddev_pop' ? `stddevPop(${v})` : `varPop(${v})`;
  },
  valueAtTs: (which, v, ts) => `arg${which === 'first' ? 'Min' : 'Max'}If(${v}, ${ts}, isNotNull(${v}))`,
  int64Const: (digits) => `toInt64(${digits})`,
  toInt64: (e) => `CAST(${e} AS Nullable(Int64))`,
  derivedAlias: ' AS t',
};

/** JSONExtract's path arguments: keys as bound strings, array indexes 1-based (ClickHouse counts from 1) */
function clickhouseJsonPath(w: SqlWriter, path: JsonPath): string {
  return path.map((p) => (typeof p === 'number' ? String(p + 1) : w.bind(p, 'string'))).join(', ');
}
