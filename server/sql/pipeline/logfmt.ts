// `| logfmt` (non-strict, no flags) in SQL, one label at a time, as Loki's decoder (server/eval/pipeline/logfmt.ts)
// would set it: the first pair whose key sanitises to the label's name and whose value is not empty.
//
// Two exact paths, then "unsure":
// - fast, one DFA-friendly regex: the first well-formed `key=value` chunk (value up to whitespace, without `"`, `=`
//   or U+FFFD) with no `"` before it. Without a quote before it the decoder re-synchronises at every whitespace, so
//   that chunk is the first pair with the key and a non-empty value (earlier malformed or empty ones set nothing).
// - grammar: the whole line is a sequence of simple tokens (`key`, `key=value`, `key="quoted, no escapes"`, ASCII
//   keys) separated by whitespace — a DFA-only full match — and a lazily anchored regex finds the first token with the
//   key and a non-empty value.
// Lines neither path covers (escapes in quotes, non-ASCII keys, tokens glued without whitespace, NUL) are unsure and
// take the TypeScript decoder.
import type { LabelSql, PipelineContext } from './compile';
import { UNSURE_MARK } from './compile';

/** key characters the grammar path accepts: printable ASCII except `"` and `=` */
const KEY_CHAR = '[\\x21\\x23-\\x3c\\x3e-\\x7e]';
/** key characters other than [A-Za-z0-9]: each sanitises to `_` */
const KEY_PUNCT = '[^A-Za-z0-9\\x00-\\x20"=]';
const UNQUOTED = '[^\\x00-\\x20"=\\x{FFFD}]';
const QUOTED = '[^"\\\\\\x00\\x{FFFD}]';
const SPACE = '[\\x01-\\x20]';
/** the non-ASCII whitespace JavaScript's trim() strips (the TypeScript decoder trims keys) */
const TRIMMED = '\\x{00A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const TOKEN = `${KEY_CHAR}+(?:=(?:"${QUOTED}*"|${UNQUOTED}*))?`;
/** the whole line is simple logfmt */
export const LOGFMT_GRAMMAR = `${SPACE}*(?:${TOKEN}(?:${SPACE}+${TOKEN})*)?${SPACE}*`;

/** raw keys sanitising to `name`: letters and digits as written, `_` from any other key character; a leading `_`
 *  before a digit may also be the prefix Loki adds to a key starting with that digit */
function keyPattern(name: string): string {
  const body = (s: string) => [...s].map((ch) => (ch === '_' ? KEY_PUNCT : ch)).join('');
  if (/^_[0-9]/.test(name)) return `(?:${body(name)}|${body(name.slice(1))})`;
  return body(name);
}

export function logfmtLabel(ctx: PipelineContext, name: string): LabelSql | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined; // no key sanitises to it
  const { w, fns } = ctx;
  const key = keyPattern(name);
  // fast: no quote (nor whitespace JavaScript's trim would strip from a key) before the first well-formed token
  // with the key: the decoder re-synchronises at every whitespace up to there
  const fast = w.bind(`^(?:[^"${TRIMMED}]*?[\\x00-\\x20])??${key}=(${UNQUOTED}+)(?:[\\x00-\\x20]|$)`, 'string');
  const grammar = fns.fullMatch('line', w.bind(LOGFMT_GRAMMAR, 'string'));
  const first = w.bind(`^${SPACE}*(?:${TOKEN}${SPACE}+)*?${key}=(?:"(${QUOTED}+)"|(${UNQUOTED}+))`, 'string');
  const slow = `nullif(${fns.regexExtract('line', first, 1)} || ${fns.regexExtract('line', first, 2)}, '')`;
  // a key with the name must contain its longest run of letters and digits: lines without it have no such label
  const word = name
    .split('_')
    .filter((s) => /^[A-Za-z]/.test(s))
    .sort((a, b) => b.length - a.length)[0];
  const absent = word ? `WHEN ${fns.strpos('line', w.bind(word, 'string'))} = 0 THEN NULL ` : '';
  return {
    helpers: [],
    value:
      `CASE ${absent}WHEN ${fns.regexMatch('line', fast)} THEN ${fns.regexExtract('line', fast, 1)} ` +
      `WHEN ${grammar} THEN ${slow} ELSE ${w.bind(UNSURE_MARK, 'string')} END`,
  };
}
