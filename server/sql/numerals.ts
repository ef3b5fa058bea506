// Numeric label values decided in SQL. Loki converts a label with Go's strconv.ParseFloat; an engine's own conversion
// agrees with it only on plain decimals: ParseFloat also reads hex, `inf`, `_` separators (with a base prefix), and
// refuses what overflows (1e400), where engines give ±inf, an error (PostgreSQL) or accept whitespace. A text is
// decided in SQL only when it is a plain decimal of at most 30 characters with an exponent of at most two digits:
// its magnitude lies within 1e±130, where every engine and Go read the same double. Anything else is unsure.
import type { SqlWriter } from './dialect';

export const PLAIN_DECIMAL = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$';
const MAX_LENGTH = 30;

/** SQL: TRUE when `text` is a plain decimal (NULL when it is NULL). `fullMatch` is the dialect's anchored match. */
export function isPlainDecimal(
  w: SqlWriter,
  fullMatch: (col: string, pattern: string) => string,
  text: string,
): string {
  return `(length(${text}) <= ${MAX_LENGTH} AND ${fullMatch(text, w.bind(PLAIN_DECIMAL, 'string'))})`;
}
