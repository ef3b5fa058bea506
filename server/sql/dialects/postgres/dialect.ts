import type { Dialect } from '../../dialect';
import { MINUTE_COUNTS_TABLE } from '../../../schema/minuteCounts';

/** PostgreSQL (15+): `$n` parameters with explicit casts, BIGINT ns timestamps, arrays as `= ANY($n::bigint[])`.
 *  Overrides of the DuckDB reference:
 *  - regexes are POSIX ARE, not RE2 (anchoring, `(?i)`, classes, `\d`, Unicode differ): regex line filters run in
 *    TypeScript (capabilities.re2Regex = false, reason in `limits.regex`), except plain literals (`error|timeout`,
 *    `(?i)fatal`), which become substring tests (capabilities.literalRegex);
 *  - `contains` is `strpos(line, $n) > 0` (never LIKE: `%`, `_` and `\` in user text would be patterns);
 *  - `line` compares in byte order (`COLLATE "C"`), as DuckDB and ClickHouse do;
 *  - JSON fields come from `logqlsql_json_field(text, text)` (schema/postgres.ts): NULL on invalid JSON instead of
 *    an error, because PostgreSQL 15 has no `IS JSON` / `try_cast`. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  capabilities: { re2Regex: false, jsonExtract: true, textHoldsNul: false, probeMetadata: true, literalRegex: true },
  minuteCounts: MINUTE_COUNTS_TABLE,
  noParsers: 'parsers run in TypeScript on PostgreSQL: its regexes are POSIX, not RE2',
  limits: { regex: 'regex line filter: PostgreSQL regexes are POSIX ARE, not RE2' },
  placeholder: (n, type) => {
    switch (type) {
      case 'int64[]':
        return `$${n}::bigint[]`;
      case 'string[]':
        return `$${n}::text[]`;
      case 'int64':
        return `$${n}::bigint`;
      case 'float64':
        return `$${n}::double precision`;
      default:
        return `$${n}::text`;
    }
  },
  inArray: (col, p) => `${col} = ANY(${p})`,
  contains: (col, p) => `strpos(${col}, ${p}) > 0`,
  // `***=`: the rest of the ARE is a literal; ~* folds case (the literal is ASCII without k and s, whose Go folds
  // reach beyond ASCII: regexSplit.ts)
  containsAsciiFold: (col, p) => `(${col} ~* ('***=' || ${p}))`,
  regexMatch: () => {
    throw new Error('PostgreSQL regexes are not RE2: regex line filters must run in TypeScript');
  },
  simpleMatch: (col, p) => `(${col} ~ ${p})`,
  occursTwice: (w, col, word) => `(${col} LIKE ${w.bind(`%${word}%${word}%`, 'string')})`,
  simpleFullMatch: (col, p) => `(${col} ~ ${p})`,
  byteLength: (col) => `octet_length(${col})`,
  exactDiv: (a, b) => `(${a} / ${b})`,
  explodeRange: (lo, hi) => `generate_series(${lo}, ${hi})`,
  byteOrder: (col) => `${col} COLLATE "C"`,
  jsonField: (w, col, key) => `logqlsql_json_field(${col}, ${w.bind(key, 'string')})`,
  // Without the safe function's exception handler there is no subtransaction per row, but an invalid line aborts the
  // statement. Loki takes the first of duplicate keys and `->>` the last: `->>` serves lines where the quoted key
  // occurs once (most), json_each_text the others; a line without it has no such field (NULL: unsure to the caller).
  jsonFieldFast: (w, col, key) => {
    const quoted = w.bind(JSON.stringify(key), 'string');
    const k = w.bind(key, 'string');
    return (
      `(CASE WHEN strpos(${col}, ${quoted}) = 0 THEN NULL ` +
      `WHEN strpos(substr(${col}, strpos(${col}, ${quoted}) + length(${quoted})), ${quoted}) = 0 THEN ${col}::json ->> ${k} ` +
      `ELSE (SELECT j.value FROM json_each_text(${col}::json) AS j WHERE j.key = ${k} LIMIT 1) END)`
    );
  },
  isInvalidJson: (e) => (e as { code?: string })?.code === '22P02',
  // stack depth limit exceeded, statement too complex
  isTooComplex: (e) => ['54001', '54000'].includes((e as { code?: string })?.code ?? ''),
  lookup: (keys, values, col) => `(${values})[array_position(${keys}, ${col})]`,
  toDouble: (e) => `CAST(${e} AS double precision)`,
  sharedCte: (name, body) => `${name} AS MATERIALIZED (${body})`,
  aggregate: (fn, v, w, phi) =>
    // percentile_cont interpolates between closest ranks as Prometheus' quantile does
    fn === 'quantile' ? `percentile_cont(${w.bind(phi ?? 0, 'float64')}) WITHIN GROUP (ORDER BY ${v})` : `${fn}(${v})`,
  valueAtTs: (which, v, ts) =>
    `(array_agg(${v} ORDER BY ${ts} ${which === 'first' ? 'ASC' : 'DESC'}) FILTER (WHERE ${v} IS NOT NULL))[1]`,
  derivedAlias: ' AS t',
  computeOnce: ' OFFSET 0',
};
