// `| logfmt` (non-strict, no flags) in SQL, one label at a time, as Loki's decoder (server/eval/pipeline/logfmt.ts)
// would set it: the first pair whose key sanitises to the label's name and whose value is not empty.
//
// Two exact paths, then "unsure":
// - fast, no regex over the line: the first occurrence of `name=` starts a token (line start or whitespace before
//   it), no `"` precedes it, and its value runs to the next whitespace without `"`, `=` or U+FFFD. Without a quote
//   before it, the decoder re-synchronises at every whitespace, so that occurrence is the first token with that key.
// - grammar: the whole line is a sequence of simple tokens (`key`, `key=value`, `key="quoted, no escapes"`, ASCII
//   keys) separated by whitespace — a DFA-only full match — and a lazily anchored regex finds the first token with the
//   key and a non-empty value.
// Lines neither path covers (escapes in quotes, non-ASCII keys, tokens glued without whitespace, NUL) are unsure and
// take the TypeScript decoder.
import type { LabelSql, PipelineContext } from './compile';
import { helperName, UNSURE_MARK } from './compile';

/** key characters the grammar path accepts: printable ASCII except `"` and `=` */
const KEY_CHAR = '[\\x21\\x23-\\x3c\\x3e-\\x7e]';
/** key characters other than [A-Za-z0-9]: each sanitises to `_` */
const KEY_PUNCT = '[\\x21\\x23-\\x2f\\x3a-\\x3c\\x3e-\\x40\\x5b-\\x60\\x7b-\\x7e]';
const UNQUOTED = '[^\\x00-\\x20"=\\x{FFFD}]';
const QUOTED = '[^"\\\\\\x00\\x{FFFD}]';
const SPACE = '[\\x01-\\x20]';
const TOKEN = `${KEY_CHAR}+(?:=(?:"${QUOTED}*"|${UNQUOTED}*))?`;
/** the whole line is simple logfmt */
export const LOGFMT_GRAMMAR = `${SPACE}*(?:${TOKEN}(?:${SPACE}+${TOKEN})*)?${SPACE}*`;

/** raw keys sanitising to `name` (within KEY_CHAR): letters and digits as written, `_` from any other character;
 *  a leading `_` before a digit may also be the prefix Loki adds to a key starting with that digit */
function keyPattern(name: string): string {
  const body = (s: string) => [...s].map((ch) => (ch === '_' ? KEY_PUNCT : ch)).join('');
  if (/^_[0-9]/.test(name)) return `(?:${body(name)}|${body(name.slice(1))})`;
  return body(name);
}

export function logfmtLabel(ctx: PipelineContext, name: string): LabelSql | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined; // no key sanitises to it
  const { w, fns } = ctx;
  const grammar = fns.fullMatch('line', w.bind(LOGFMT_GRAMMAR, 'string'));
  const first = `^${SPACE}*(?:${TOKEN}${SPACE}+)*?${keyPattern(name)}=(?:"(${QUOTED}+)"|(${UNQUOTED}+))`;
  const slow =
    `nullif(${fns.regexExtract('line', w.bind(first, 'string'), 1)} || ` +
    `${fns.regexExtract('line', w.bind(first, 'string'), 2)}, '')`;
  const unsure = w.bind(UNSURE_MARK, 'string');
  if (name.includes('_')) {
    // several raw keys sanitise to the name: only the grammar path is exact
    return { helpers: [], value: `CASE WHEN ${grammar} THEN ${slow} ELSE ${unsure} END` };
  }
  const p = helperName(ctx);
  const v = helperName(ctx);
  const lit = w.bind(`${name}=`, 'string');
  const helpers = [
    `${fns.strpos('line', lit)} AS ${p}`,
    `${fns.regexExtract('line', w.bind(`${name}=([^\\x00-\\x20]*)`, 'string'), 1)} AS ${v}`,
  ];
  const fast =
    `${p} > 0 AND (${p} = 1 OR ${fns.charAt('line', `${p} - 1`)} <= ' ') ` +
    `AND ${fns.strpos(fns.left('line', p), w.bind('"', 'string'))} = 0 ` +
    `AND ${v} <> '' AND NOT ${fns.fullMatch(v, w.bind('.*["=\\x{FFFD}\\x00].*', 'string'))}`;
  return { helpers, value: `CASE WHEN ${fast} THEN ${v} WHEN ${grammar} THEN ${slow} ELSE ${unsure} END` };
}
