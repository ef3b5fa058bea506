import type { Dialect } from '../../dialect';
import { quoteDuckDBString } from './driver';
import { MINUTE_COUNTS_TABLE } from '../../../schema/minuteCounts';

/** DuckDB: RE2 regexes (as Loki), `$n` parameters, BIGINT ns timestamps. The reference dialect. */
export const duckdbDialect: Dialect = {
  name: 'duckdb',
  capabilities: { re2Regex: true, jsonExtract: true, probeMetadata: true },
  jsonReadsLeniently: true,
  isTooComplex: (e) => /Max expression depth limit|stack overflow/i.test(String((e as Error)?.message ?? e)),
  minuteCounts: MINUTE_COUNTS_TABLE,
  parsers: {
    regexExtract: (col, p, g) => `regexp_extract(${col}, ${p}, ${g})`,
    // DuckDB wants a constant pattern with a list of group names: the pattern goes through the driver's proven
    // literal quoting (the group names g1…gn are ours)
    regexExtractGroups: (_w, col, pattern, n) =>
      `regexp_extract(${col}, ${quoteDuckDBString(pattern)}, [${Array.from({ length: n }, (_, i) => `'g${i + 1}'`).join(', ')}])`,
    groupOf: (v, g) => `(${v}).g${g}`,
    startsWith: (col, p) => `starts_with(${col}, ${p})`,
    endsWith: (col, p) => `suffix(${col}, ${p})`,
    // TRY: DuckDB may evaluate these on rows another condition filters out, and invalid JSON raises
    jsonValue: (w, col, path) => `TRY(json_extract(${col}, ${w.bind(duckdbJsonPath(path), 'string')}))`,
    jsonValues: (w, col, paths) => `TRY(json_extract(${col}, ${w.bind(paths.map(duckdbJsonPath), 'string[]')}))`,
    jsonValueAt: (values, i) => `${values}[${i + 1}]`,
    jsonKind: (v) => `json_type(${v})`,
    jsonText: (v) => `(${v} ->> '$')`,
    // (json_valid reads as json_type does, and a valid text is an object exactly when it opens with `{` after JSON's
    // whitespace; TRY(json_type(…)) raised and caught an error per invalid line: 2 s against 0.14 s on 1 M lines of
    // which half are not JSON, and the same time on JSON lines)
    isJsonObject: (col) =>
      `((starts_with(${col}, '{') OR regexp_matches(${col}, '^[ \\t\\n\\r]*\\{')) AND json_valid(${col}))`,
    toDoubleOrNull: (e) => `TRY_CAST(${e} AS DOUBLE)`,
    toBigint: (e) => `TRY_CAST(${e} AS BIGINT)`,
    padZeros: (e, n) => `rpad(${e}, ${n}, '0')`,
    toDecimal: (e) => `TRY_CAST(${e} AS DECIMAL(38, 9))`,
    regexMatch: (col, p) => `regexp_matches(${col}, ${p})`,
    fullMatch: (col, p) => `regexp_full_match(${col}, ${p})`,
    lookup: (keys, values, col) => `list_extract(${values}, list_position(${keys}, ${col}))`,
    regexRemoveAll: (e, p) => `regexp_replace(${e}, ${p}, '', 'g')`,
    asciiCase: (fn, e) =>
      fn === 'trim' ? `trim(${e}, chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || ' ')` : `${fn}(${e})`,
  },
  placeholder: (n, type) => {
    switch (type) {
      case 'int64[]':
        return `$${n}::BIGINT[]`;
      case 'string[]':
        return `$${n}::VARCHAR[]`;
      case 'int64':
        return `$${n}::BIGINT`;
      case 'float64':
        return `$${n}::DOUBLE`;
      default:
        return `$${n}::VARCHAR`;
    }
  },
  inArray: (col, p) => `list_contains(${p}, ${col})`,
  contains: (col, p) => `contains(${col}, ${p})`,
  regexMatch: (col, p) => `regexp_matches(${col}, ${p})`,
  simpleMatch: (col, p) => `regexp_matches(${col}, ${p})`,
  // (LIKE with two % segments is DuckDB's substring search; strpos counts characters)
  occursTwice: (w, col, word) => `(${col} LIKE ${w.bind(`%${word}%${word}%`, 'string')})`,
  simpleFullMatch: (col, p) => `regexp_full_match(${col}, ${p})`,
  byteLength: (col) => `octet_length(encode(${col}))`,
  exactDiv: (a, b) => `(${a} // ${b})`,
  explodeRange: (lo, hi) => `unnest(range(${lo}, (${hi}) + 1))`,
  byteOrder: (col) => col,
  // TRY: an invalid line gives NULL instead of an error, with one parse per row (json_valid first parsed it twice)
  jsonField: (w, col, key) =>
    `TRY(json_extract_string(${col}, ${w.bind(`$."${key.replace(/["\\]/g, '')}"`, 'string')}))`,
  // the raw JSON text tells a string (unescaped, then held to plain decimals: sql/numerals.ts) from the rest: a number converts as
  // written (no whitespace or `_` to disagree with ParseFloat on; an overflow, which ParseFloat refuses, and the NaN
  // DuckDB's reader accepts come out not finite), true/false/null/objects/arrays not at all. The VARCHAR cast first:
  // DuckDB's JSON → DOUBLE cast would read true as 1 and "5" as 5.
  jsonUnwrap: {
    raw: (w, col, key) => `TRY(json_extract(${col}, ${w.bind(`$."${key.replace(/["\\]/g, '')}"`, 'string')}))`,
    number: (v, plain) =>
      `(CASE WHEN ascii(${v}) <> 34 THEN ` +
      `(CASE WHEN isfinite(TRY_CAST(${v}::VARCHAR AS DOUBLE)) THEN TRY_CAST(${v}::VARCHAR AS DOUBLE) END) ` +
      `WHEN ascii(${v}) = 34 AND ${plain(`(${v} ->> '$')`)} THEN CAST(${v} ->> '$' AS DOUBLE) END)`,
  },
  jsonProbe: {
    // json_extract parses the line once; TRY: an invalid line gives NULL (unsure) instead of an error
    value: (w, col, key) => `TRY(json_extract(${col}, ${w.bind(`$."${key.replace(/["\\]/g, '')}"`, 'string')}))`,
    unsure: (v) => `${v} IS NULL`,
    kind: (v) =>
      `(CASE json_type(${v}) WHEN 'VARCHAR' THEN 'VARCHAR' WHEN 'BIGINT' THEN 'NUMBER' WHEN 'UBIGINT' THEN 'NUMBER' ` +
      `WHEN 'DOUBLE' THEN 'NUMBER' WHEN 'NULL' THEN NULL ELSE 'OTHER' END)`,
    text: (v) => `(${v} ->> '$')`,
    textOnly: (w, col, key) =>
      `TRY(json_extract_string(${col}, ${w.bind(`$."${key.replace(/["\\]/g, '')}"`, 'string')}))`,
    // DuckDB's cast to DOUBLE trims ASCII whitespace and accepts `_` between digits; ParseFloat does neither
    looserThanParseFloat: (v) => `(contains(${v}, '_') OR ascii(${v}) < 43 OR ascii(right(${v}, 1)) < 46)`,
    maybeNotString: (v) => `(ascii(${v}) BETWEEN 48 AND 57 OR ascii(${v}) IN (45, 91, 123))`,
  },
  toDoubleOrNull: (e) => `TRY_CAST(${e} AS DOUBLE)`,
  letIn: (expr, name, body) => `list_transform([${expr}], ${name} -> ${body})[1]`,
  lookup: (keys, values, col) => `list_extract(${values}, list_position(${keys}, ${col}))`,
  toDouble: (e) => `CAST(${e} AS DOUBLE)`,
  sharedCte: (name, body) => `${name} AS MATERIALIZED (${body})`,
  aggregate: (fn, v, w, phi) =>
    // quantile_cont interpolates between closest ranks exactly as Prometheus' quantile does (φ within [0, 1])
    fn === 'quantile' ? `quantile_cont(${v}, ${w.bind(phi ?? 0, 'float64')})` : `${fn}(${v})`,
  valueAtTs: (which, v, ts) => `arg_${which === 'first' ? 'min' : 'max'}(${v}, ${ts}) FILTER (WHERE ${v} IS NOT NULL)`,
  derivedAlias: '',
};

/** A JSON path as DuckDB's `$.key[0]` text (keys never hold `"` or `\\`: see jsonParamLabel) */
function duckdbJsonPath(path: (string | number)[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `."${p}"`)).join('');
}
