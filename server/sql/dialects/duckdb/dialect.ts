import type { Dialect } from '../../dialect';

/** DuckDB: RE2 regexes (as Loki), `$n` parameters, BIGINT ns timestamps. The reference dialect. */
export const duckdbDialect: Dialect = {
  name: 'duckdb',
  capabilities: { re2Regex: true, jsonExtract: true },
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
  byteLength: (col) => `octet_length(encode(${col}))`,
  exactDiv: (a, b) => `(${a} // ${b})`,
  explodeRange: (lo, hi) => `unnest(range(${lo}, (${hi}) + 1))`,
};
