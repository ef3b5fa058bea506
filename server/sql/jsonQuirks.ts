// Lines an engine's JSON reader reads where Loki's refuses. DuckDB's reader (yyjson, as DuckDB configures it) accepts
// NaN / Infinity / inf literals in any letter case and trailing commas; Loki's parser stops at them with
// JSONParserErr, so the labels after them are missing (and `| __error__=""` drops the line) while SQL on DuckDB would
// read every field. Python's json.dumps writes such literals by default, so they are not only hostile input.
//
// Testing every line for them in SQL triples the cost of a JSON pushdown (measured: one RE2 search per row). So the
// DuckDB ingester tests each JSON line as it is pushed (0.14 µs a line) and marks the stream (`streams.json_quirks`);
// a statement tests lines only for marked streams — and for streams whose mark is unknown (stored before the mark
// existed, or read from a mapped table), so the answer is exact either way.
import type { SqlWriter } from './dialect';

/** a literal the reader accepts where a value starts, or a comma closing an object or array (RE2 syntax) */
export const LENIENT_JSON_RE2 = '[:,\\[][\\t\\n\\r ]*[-+]?(?i:nan|inf)|,[\\t\\n\\r ]*[}\\]]';
/** a line counts only when it opens an object */
export const OPENS_OBJECT_RE2 = '^[\\t\\n\\r ]*\\{';
/** the same in JavaScript (the ingester's test) */
const LENIENT_JSON = /[:,[][\t\n\r ]*[-+]?(?:nan|inf)|,[\t\n\r ]*[}\]]/i;
const OPENS_OBJECT = /^[\t\n\r ]*\{/;

/** Whether DuckDB's JSON reader could read `line` where Loki's refuses (ingest-time test; false positives are fine). */
export function lenientJsonLine(line: string): boolean {
  return OPENS_OBJECT.test(line) && LENIENT_JSON.test(line);
}

/** SQL over a row: TRUE when its line may hold what only the engine's reader accepts, for the streams `quirky`
 *  (ids; empty: FALSE, and nothing is bound). Engines whose reader is as strict as Loki's have no such lines. */
export function lenientJsonRow(w: SqlWriter, quirky: bigint[]): string {
  const d = w.dialect;
  if (!d.jsonReadsLeniently || quirky.length === 0) return 'FALSE';
  return `(${d.inArray('stream_id', w.bind(quirky, 'int64[]'))} AND ${d.regexMatch('line', w.bind(LENIENT_JSON_RE2, 'string'))})`;
}
