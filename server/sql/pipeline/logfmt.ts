// `| logfmt` (no parameters; --strict on lines without syntax errors; --keep-empty on lines without empty values) in SQL, one label at a time, as Loki's decoder (server/eval/pipeline/logfmt.ts)
// would set it: the first pair whose key sanitises to the label's name and whose value is not empty.
//
// Two exact paths, then "unsure":
// - fast, one DFA-friendly regex: the first well-formed `key=value` chunk (value up to whitespace, without `"`, `=`
//   or U+FFFD) with no `"` before it. Without a quote before it the decoder re-synchronises at every whitespace, so
//   that chunk is the first pair with the key and a non-empty value (earlier malformed or empty ones set nothing).
// - tokens: the decoder's own tokenisation written as a regular language (TOKEN_W / TOKEN_Q below), malformed
//   tokens included — a quote inside a key or an unquoted value, `=` with no key, a quoted value running over
//   whitespace up to the next quote, tokens glued after a closing quote, an unterminated quote ending the line. A
//   line the grammar covers whole (a DFA-only full match) tokenises one way only, so a lazily anchored regex finds
//   the first token with the key and a non-empty value: its value, or no label when there is none.
// Lines neither path covers (NUL, U+FFFD or Unicode spaces in keys) and values that need unescaping or U+FFFD
// replacement are unsure and take the TypeScript decoder.
import type { LabelSql, PipelineContext } from './compile';
import { UNSURE_MARK } from './compile';

/** the non-ASCII whitespace JavaScript's trim() strips (the TypeScript decoder trims keys) */
const TRIMMED = '\\x{00A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/** key characters other than [A-Za-z0-9]: each sanitises to `_` (U+FFFD makes the key invalid; Unicode spaces
 *  at a key's ends are trimmed: neither is taken for `_`) */
const KEY_PUNCT = `[^A-Za-z0-9\\x00-\\x20"=\\x{FFFD}${TRIMMED}]`;
const UNQUOTED = '[^\\x00-\\x20"=\\x{FFFD}]';

// The tokens grammar. The decoder's whitespace is any character up to U+0020; NUL is left to TypeScript.
const SPACE = '[\\x01-\\x20]';
const NOT_SPACE = '[^\\x00-\\x20]';
/** a key character (a key holding U+FFFD or a Unicode space is left to TypeScript) */
const K = `[^\\x00-\\x20="\\x{FFFD}${TRIMMED}]`;
/** an unquoted value character */
const V = '[^\\x00-\\x20="]';
/** a quoted value character: anything but the quote, or an escape pair */
const Q = '(?:[^"\\\\\\x00]|\\\\[^\\x00])';
/** tokens that end at whitespace or the end of the line: a bare key; `key=value` (empty too); `key=` whose value
 *  meets `=` or `"` (skipped to the next whitespace); a quote in a key, or `=` with no key (skipped likewise) */
const TOKEN_W = `(?:${K}+(?:=(?:${V}*|(?:${V}+[="]|=)${NOT_SPACE}*))?|${K}*"${NOT_SPACE}*|=${NOT_SPACE}*)`;
/** a quoted value: the next token may follow it directly */
const TOKEN_Q = `${K}+="${Q}*"`;
/** an unterminated quoted value ends the line (and the decoding) */
const UNTERMINATED = `${K}+="${Q}*\\\\?`;
/** the whole line, as the decoder tokenises it */
export const LOGFMT_TOKENS = `${SPACE}*(?:${TOKEN_W}(?:${SPACE}+|$)|${TOKEN_Q}${SPACE}*)*(?:${UNTERMINATED})?`;
/** A line `| logfmt --strict` decodes without a syntax error, conservatively: bare keys, `key=value` and `key="quoted"`
 *  (no escape) tokens, each ending at whitespace or the end. On such a line the strict decoder never stops early, so
 *  its labels are the non-strict decoder's; other lines may stop it (and set LogfmtParserErr) and are unsure. */
export const LOGFMT_CLEAN = `${SPACE}*(?:(?:${K}+(?:=${V}*)?|${K}+="[^"\\\\\\x00]*")(?:${SPACE}+|$))*`;
/** the tokens before a given one */
const BEFORE = `^${SPACE}*(?:${TOKEN_W}${SPACE}+|${TOKEN_Q}${SPACE}*)*?`;

/** raw keys sanitising to `name`: letters and digits as written, `_` from any other key character; a leading `_`
 *  before a digit may also be the prefix Loki adds to a key starting with that digit */
function keyPattern(name: string): string {
  const body = (s: string) => [...s].map((ch) => (ch === '_' ? KEY_PUNCT : ch)).join('');
  if (/^_[0-9]/.test(name)) return `(?:${body(name)}|${body(name.slice(1))})`;
  return body(name);
}

/** `keepEmpty` (`--keep-empty`): the decoder then takes the first token with the key even when its value is empty;
 *  a line holding an empty-valued token with the key anywhere (a bare key, `key=`, `key=""`) is unsure, so sure lines
 *  read as without the flag. */
export function logfmtLabel(ctx: PipelineContext, name: string, keepEmpty = false): LabelSql | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined; // no key sanitises to it
  const { w, fns } = ctx;
  const key = keyPattern(name);
  // (a token boundary, or the closing quote a token may be glued to)
  const empty = keepEmpty
    ? `WHEN ${fns.regexMatch('line', w.bind(`(?:^|[\\x00-\\x20"])${key}(?:=""|=?(?:[\\x00-\\x20]|$))`, 'string'))} THEN ${w.bind(UNSURE_MARK, 'string')} `
    : '';
  // fast: no quote (nor whitespace JavaScript's trim would strip from a key) before the first well-formed token
  // with the key: the decoder re-synchronises at every whitespace up to there
  const fast = w.bind(`^(?:[^"${TRIMMED}]*?[\\x00-\\x20])??${key}=${UNQUOTED}+(?:[\\x00-\\x20]|$)`, 'string');
  // Where `fast` matches, its pair is the line's first `key=value` at a token start (an earlier one would have had
  // no quote before it either), so an unanchored search finds the same value: the database locates it with its DFA
  // and runs the capturing engine on the match alone, not on the line from its start.
  const fastValue = w.bind(`(?:^|[\\x00-\\x20])${key}=(${UNQUOTED}+)(?:[\\x00-\\x20]|$)`, 'string');
  // tokens: the first token with the key and a non-empty value (quoted, or unquoted up to whitespace); values
  // with an escape or U+FFFD are unsure (any such token with the key makes the row unsure: conservative)
  const tokens = fns.fullMatch('line', w.bind(LOGFMT_TOKENS, 'string'));
  const target = w.bind(`${BEFORE}${key}=(?:"(${Q}+)"|(${V}+)(?:${SPACE}|$))`, 'string');
  const escaped = w.bind(`${BEFORE}${key}=(?:"${Q}*[\\\\\\x{FFFD}]${Q}*"|${V}*\\x{FFFD}${V}*(?:${SPACE}|$))`, 'string');
  const slow =
    `CASE WHEN NOT ${fns.regexMatch('line', target)} THEN NULL ` +
    `WHEN ${fns.regexMatch('line', escaped)} THEN ${w.bind(UNSURE_MARK, 'string')} ` +
    `ELSE ${fns.regexExtract('line', target, 1)} || ${fns.regexExtract('line', target, 2)} END`;
  // a key with the name must contain its longest run of letters and digits: lines without it have no such label
  const word = name
    .split('_')
    .filter((s) => /^[A-Za-z]/.test(s))
    .sort((a, b) => b.length - a.length)[0];
  // (a substring test: DuckDB's strpos counts characters up to the match)
  const absent = word ? `WHEN NOT ${w.dialect.contains('line', w.bind(word, 'string'))} THEN NULL ` : '';
  return {
    helpers: [],
    value:
      `CASE ${absent}${empty}WHEN ${fns.regexMatch('line', fast)} THEN ${fns.regexExtract('line', fastValue, 1)} ` +
      `WHEN ${tokens} THEN ${slow} ELSE ${w.bind(UNSURE_MARK, 'string')} END`,
  };
}
