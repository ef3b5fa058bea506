// Bound parameters written into the SQL text as literals, for people to read (`translate --explain`). The server
// never runs this text: it binds the parameters. Nanosecond timestamps, inlined or already constants in the SQL, get
// their RFC3339 time in a comment.
import { formatNs } from '../output/time';

export type DialectName = 'duckdb' | 'postgres' | 'clickhouse';

/** ns timestamps worth a comment: 2000-01-01 .. 2200-01-01 (smaller numbers are durations, counts, ids). */
const TS_MIN = 946_684_800_000_000_000n;
const TS_MAX = 7_258_118_400_000_000_000n;

function timeComment(digits: string): string {
  if (!/^\d{18,19}$/.test(digits)) return '';
  const n = BigInt(digits);
  return n >= TS_MIN && n < TS_MAX ? ` /* ${formatNs(n)} */` : '';
}

/** A string literal in the dialect's syntax. ClickHouse treats backslash as an escape; the others do not. */
export function stringLiteral(s: string, dialect: DialectName): string {
  if (dialect === 'clickhouse') return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `'${s.replace(/'/g, "''")}'`;
}

/** `type` as the placeholder spells it, lower-cased: bigint, varchar, text, double, int64, string, array(int64)… */
function literal(value: unknown, type: string, dialect: DialectName): string {
  const t = type.toLowerCase();
  const isArray = t.endsWith('[]') || t.startsWith('array(');
  if (isArray) {
    const elemType = t.endsWith('[]') ? t.slice(0, -2) : t.slice(6, -1);
    const items = (Array.isArray(value) ? value : []).map((v) => literal(v, elemType, dialect));
    if (dialect === 'postgres') return items.length ? `ARRAY[${items.join(', ')}]::${t}` : `'{}'::${t}`;
    return `[${items.join(', ')}]`;
  }
  if (value === null || value === undefined) return 'NULL';
  if (/^(bigint|int64|int|integer|double|double precision|float64)$/.test(t)) {
    const s = String(value);
    if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) return s + timeComment(s);
    // a number type with a non-number value should not happen; show it quoted rather than break the text
    return stringLiteral(s, dialect);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return stringLiteral(String(value), dialect);
}

/** Placeholder patterns (sql/dialects/<engine>/dialect.ts `placeholder`), matched at the scan position. */
const DOLLAR = /\$(\d+)(?:::([A-Za-z]+(?: precision)?(?:\[\])?))?/y;
const BRACES = /\{p(\d+):([A-Za-z0-9()]+)\}/y;
const DIGITS = /\d+/y;

function matchAt(re: RegExp, s: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(s);
}

/** The SQL text with every placeholder replaced by its parameter as a literal. Quoted strings and identifiers are
 *  copied untouched, so a `$1` inside a literal stays text. */
export function inlineParams(sql: string, params: unknown[], dialect: DialectName): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && dialect === 'clickhouse') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m =
      dialect === 'clickhouse'
        ? c === '{'
          ? matchAt(BRACES, sql, i)
          : null
        : c === '$'
          ? matchAt(DOLLAR, sql, i)
          : null;
    if (m) {
      const n = Number(m[1]);
      if (n >= 1 && n <= params.length) {
        out += literal(params[n - 1], m[2] ?? 'varchar', dialect);
        i += m[0].length;
        continue;
      }
    }
    // a nanosecond constant already in the SQL text (step arithmetic) gets its time too
    if (c >= '0' && c <= '9' && !/[A-Za-z0-9_$.]/.test(sql[i - 1] ?? ' ')) {
      const d = matchAt(DIGITS, sql, i)![0];
      out += /[A-Za-z_.]/.test(sql[i + d.length] ?? ' ') ? d : d + timeComment(d);
      i += d.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
