// Other spellings of a JSON label. SQL reads `| json` label `n` as the line's top-level key `"n"`; Loki's parser may
// give `n` a value from other keys too: a key that sanitises to it (`latency-ms`, `" latency_ms"`, `l\u0061tency_ms`),
// a nested one (`{"latency":{"ms":…}}`), or the key again after a null or a nested value. A line where that can
// happen is "unsure" for `n` (the TypeScript pipeline decides it).
//
// Testing every line's text for such keys costs a substring scan or two per row and label (keyLookalikes below), and
// real streams rarely hold them for the labels a query filters on: the api logs of the perf suite hold
// `http.version`, `trace-id` and a `user` object, never a second spelling of `status`. So the ingester walks each JSON
// line as it is pushed (otherSpellings: the names it gives other than from one plain top-level key) and keeps their
// union per stream (`streams.json_names`); a statement tests the text only on streams whose set holds the name or is
// unknown (stored before the set existed on PostgreSQL or ClickHouse — DuckDB computes it when opening such a file —,
// grown past MAX_JSON_NAMES, or a mapped table), and nowhere else.
import type { SqlWriter } from './dialect';
import { getValue, nextToken, unescape } from '../eval/pipeline/json';
import { joinSanitized, sanitizeLabelKey } from '../eval/pipeline/builder';

/** A stream's set grows no further: past this many names it is unknown (every line is tested). */
export const MAX_JSON_NAMES = 256;
/** Objects nested deeper are not walked (the walk recurses): the line's names are then unknown. */
const MAX_DEPTH = 200;
/** The name a line adds when its names are unknown (no label is spelled so): the stream's set becomes unknown. */
const UNKNOWN_NAME = '\u0000unknown';
/** DuckDB's json_names for a set past MAX_JSON_NAMES: unknown for good, unlike NULL (not computed yet: the first
 *  open computes it, schema/native.ts). Not an array, so it reads as unknown. */
export const TOO_MANY_NAMES = '"*"';

/** What a stream says of its JSON key spellings: the names, or undefined when unknown. */
export interface SpelledStream {
  id: bigint;
  jsonNames?: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Ingest: the names a line spells another way

/** A key met in a walk, with its parent object's key (null at the top level); cached across lines by a hash of
 *  the path, so that a line spelling its keys as the lines before it allocates nothing. */
interface KeyNode {
  hash: number;
  parent: KeyNode | null;
  /** the key as written (escapes included) */
  raw: string;
  /** the label name Loki gives a value at this path ('' for none) */
  name: string;
  /** the name's path of unescaped keys (children's names are built from it) */
  path: string[];
  /** the child key last met at each position of this object: lines of a stream mostly write their keys in one order */
  children: (KeyNode | undefined)[];
  /** the set `name` was last added to (a stream's lines add it once) */
  addedTo?: Set<string>;
  /** a top-level key SQL's lookup finds as written ([A-Za-z_][A-Za-z0-9_]*) */
  plain: boolean;
  /** the hash repeated keys are compared by (repeatedAfterNoLabel) */
  dupHash: number;
}

const nodes = new Map<number, KeyNode>();
const topChildren: (KeyNode | undefined)[] = [];

/** The node of key s[ks, ke), the `ord`-th of its object, under `parent`; undefined for an invalid escape (where the
 *  reader stops). */
function keyNode(s: string, ks: number, ke: number, parent: KeyNode | null, ord: number): KeyNode | undefined {
  const slots = parent ? parent.children : topChildren;
  let hash = parent ? parent.hash ^ 0x9e3779b9 : 0x811c9dc5;
  for (let i = ks; i < ke; i++) hash = Math.imul(hash ^ s.charCodeAt(i), 16777619);
  const hit = nodes.get(hash);
  if (hit && hit.parent === parent && hit.raw.length === ke - ks && s.startsWith(hit.raw, ks)) {
    if (ord < 64) slots[ord] = hit;
    return hit;
  }
  const raw = s.slice(ks, ke);
  const key = raw.indexOf('\\') >= 0 ? unescape(raw) : raw;
  if (key === null) return undefined;
  const path = parent ? [...parent.path, key] : [key];
  const name = parent ? joinSanitized(path) : sanitizeLabelKey(key);
  const plain = parent === null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(raw);
  let dupHash = raw.length;
  for (let i = 0; i < raw.length; i++) dupHash = Math.imul(dupHash ^ raw.charCodeAt(i), 16777619);
  const node: KeyNode = { hash, parent, raw, name, path, children: [], plain, dupHash };
  if (nodes.size >= 4096) {
    // (the position slots may still hold old nodes: they are checked against the text like any other)
    nodes.clear();
  }
  nodes.set(hash, node);
  if (ord < 64) slots[ord] = node;
  return node;
}

// The plain top-level keys of the line being walked (duplicates), in an open-addressed table of TABLE slots keyed by
// the key's hash: its start and whether its value was a scalar. A slot belongs to the current line when its
// generation is the line's (no clearing per line).
const TABLE = 256;
const slotGen = new Int32Array(TABLE);
const slotHash = new Int32Array(TABLE);
const slotStart = new Int32Array(TABLE);
const slotScalar = new Uint8Array(TABLE);
let gen = 0;
let plains = 0;

/**
 * Add to `into` every name Loki's `| json` gives this line (all labels, no hints) other than from exactly one
 * top-level key spelled as the name: names of keys with other characters, escapes or a leading digit, of nested
 * keys, and of keys that occur again after a first value that makes no label (null, an object, an array: Loki then
 * takes a later one, SQL the first). A key repeated after a string, number or boolean is not listed: Loki's parser
 * keeps the first value it extracts, as every engine's JSON lookup does. A superset is fine (more lines are tested);
 * a name missed is a wrong answer, so the walk follows the reader of eval/pipeline/json.ts, and stops where it stops
 * (Loki's labels end there too).
 * Lines that do not open an object add nothing: SQL treats them as unsure anyway.
 */
export function otherSpellings(line: string, into: Set<string>): void {
  const o = nextToken(line, 0, line.length);
  if (o < 0 || line.charCodeAt(o) !== 123) return;
  plains = 0;
  // (a new generation per line; at the wrap, the table is cleared once)
  if (++gen === 0x7fffffff) {
    gen = 1;
    slotGen.fill(0);
  }
  walk(line, o, line.length, null, into, 0);
}

/** Whether the plain top-level key s[start, start+len) occurred before in the line with a value that makes no
 *  label (SQL's lookup then reads another value than Loki's); records its first occurrence. */
function repeatedAfterNoLabel(s: string, start: number, len: number, hash: number, scalar: boolean): boolean {
  // a line with more plain keys than half the table: every later one counts as repeated (a superset is fine)
  if (plains >= TABLE / 2) return true;
  for (let i = hash & (TABLE - 1); ; i = (i + 1) & (TABLE - 1)) {
    if (slotGen[i] !== gen) {
      slotGen[i] = gen;
      slotHash[i] = hash;
      slotStart[i] = start;
      slotScalar[i] = scalar ? 1 : 0;
      plains++;
      return false;
    }
    if (slotHash[i] !== hash) continue;
    // the hash covers the length: same hash, then the same text up to the closing quote
    const other = slotStart[i];
    let k = 0;
    while (k < len && s.charCodeAt(other + k) === s.charCodeAt(start + k)) k++;
    if (k === len && s.charCodeAt(other + len) === 34) return slotScalar[i] === 0;
  }
}

/** The index after the string whose opening quote is at s[o-1], or -1 (jsonparser's stringEnd, by indexOf). */
function stringClose(s: string, o: number, end: number): number {
  for (let i = o; ;) {
    const q = s.indexOf('"', i);
    if (q < 0 || q >= end) return -1;
    let b = q - 1;
    while (b >= o && s.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    i = q + 1;
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * Walk the object at s[o] (a `{`) whose key is `parent` (null: the line). Returns the index after its `}`, or -1
 * where the reader would stop with an error.
 */
function walk(s: string, o: number, end: number, parent: KeyNode | null, into: Set<string>, depth: number): number {
  if (depth > MAX_DEPTH) {
    // (a hostile line must not overflow the stack of the ingester, which writes other clients' pushes too)
    into.add(UNKNOWN_NAME);
    return -1;
  }
  o = nextToken(s, o + 1, end);
  if (o < 0) return -1;
  if (s.charCodeAt(o) === 125) return o + 1;
  for (let ord = 0; o < end; ord++) {
    if (s.charCodeAt(o) !== 34) return -1;
    const ks = o + 1;
    // the key: the one met at this position of the line before when it is spelled the same (a stream's lines mostly
    // are), read from the text otherwise. A key text that ended at its quote before ends there here too: its trailing
    // backslashes, if any, are escaped pairs.
    const memo = ord < 64 ? (parent ? parent.children : topChildren)[ord] : undefined;
    let node: KeyNode | undefined;
    let ke: number;
    if (memo !== undefined && s.charCodeAt(ks + memo.raw.length) === 34 && s.startsWith(memo.raw, ks)) {
      node = memo;
      ke = ks + memo.raw.length;
    } else {
      ke = stringClose(s, ks, end) - 1;
      if (ke < 0) return -1;
      node = keyNode(s, ks, ke, parent, ord);
      if (node === undefined) return -1;
    }
    o = ke + 1;
    if (isWs(s.charCodeAt(o))) o = nextToken(s, o, end);
    if (o < 0 || s.charCodeAt(o) !== 58) return -1;
    o++;
    if (isWs(s.charCodeAt(o))) o = nextToken(s, o, end);
    if (o < 0 || o >= end) return -1;
    const v = s.charCodeAt(o);
    if (node.plain) {
      // the SQL lookup finds this key; a second one makes the name unsure only after a first that made no label
      // (a string, a number or a boolean: what Loki makes a label of; `n` is null, `{` and `[` nested values)
      const scalar = v === 34 || v === 116 || v === 102 || v === 45 || (v >= 48 && v <= 57);
      if (repeatedAfterNoLabel(s, ks, ke - ks, node.dupHash, scalar)) into.add(node.raw);
    } else if (node.addedTo !== into && node.name !== '') {
      into.add(node.name);
      node.addedTo = into;
    }
    if (v === 123) {
      o = walk(s, o, end, node, into, depth + 1);
    } else if (v === 34) {
      o = stringClose(s, o + 1, end);
    } else if ((v >= 48 && v <= 57) || v === 45) {
      // a number: to the next delimiter, as jsonparser's tokenEnd
      while (++o < end) {
        const c = s.charCodeAt(o);
        if (c === 44 || c === 125 || c === 93 || c === 32 || c === 10 || c === 13 || c === 9) break;
      }
    } else {
      const val = getValue(s, o, end);
      o = val.error === undefined ? val.next : -1;
    }
    if (o < 0) return -1;
    if (isWs(s.charCodeAt(o))) o = nextToken(s, o, end);
    if (o < 0) return -1;
    const d = s.charCodeAt(o);
    if (d === 125) return o + 1;
    if (d !== 44) return -1;
    o = nextToken(s, o + 1, end);
    if (o < 0) return -1;
  }
  return -1;
}

/** The union of a stream's stored names with a write's: undefined (unknown) once past MAX_JSON_NAMES. */
export function unionNames(
  stored: ReadonlySet<string> | undefined,
  added: ReadonlySet<string>,
): ReadonlySet<string> | undefined {
  if (stored === undefined || added.has(UNKNOWN_NAME)) return undefined;
  let out: Set<string> | undefined;
  for (const n of added) {
    if (stored.has(n)) continue;
    out ??= new Set(stored);
    out.add(n);
  }
  if (!out) return stored;
  return out.size > MAX_JSON_NAMES ? undefined : out;
}

/** A stored set's text (a JSON array), and back: NULL/undefined is unknown. */
export function namesText(n: ReadonlySet<string> | undefined): string | null {
  return n === undefined ? null : JSON.stringify([...n].sort());
}
export function namesFromText(t: unknown): ReadonlySet<string> | undefined {
  if (Array.isArray(t)) return t.length <= MAX_JSON_NAMES ? new Set(t.map(String)) : undefined;
  if (typeof t !== 'string') return undefined;
  try {
    const a: unknown = JSON.parse(t);
    return Array.isArray(a) && a.length <= MAX_JSON_NAMES ? new Set(a.map(String)) : undefined;
  } catch {
    return undefined;
  }
}

/** A stream catalog row's set: `json_names` as JSON text (DuckDB, PostgreSQL) or an array with `json_names_known`
 *  (ClickHouse, whose merges union the arrays); absent or NULL: unknown. */
export function namesOfRow(r: { json_names?: unknown; json_names_known?: unknown }): ReadonlySet<string> | undefined {
  if (r.json_names_known !== undefined && Number(r.json_names_known) !== 1) return undefined;
  return namesFromText(r.json_names);
}

// ---------------------------------------------------------------------------------------------------------------
// Query: where a line must be tested

/** The streams of a statement, asked which may spell a label another way. */
export class JsonSpellings {
  /** every stream unknown: what a caller that knows nothing of the streams passes */
  static readonly UNKNOWN = new JsonSpellings([]);
  private readonly all: readonly SpelledStream[];

  constructor(streams: readonly SpelledStream[]) {
    this.all = streams;
  }

  /**
   * SQL over a row: TRUE where its line may give label `name` from another key than its plain top-level one, by
   * `text` (a test of the line's text, made only when some stream needs it: a parameter bound but not used is
   * refused) on the streams whose names hold `name` or are unknown; FALSE elsewhere.
   */
  row(w: SqlWriter, name: string, text: () => string): string {
    if (this === JsonSpellings.UNKNOWN) return text();
    const unsure: bigint[] = [];
    for (const s of this.all) if (s.jsonNames === undefined || s.jsonNames.has(name)) unsure.push(s.id);
    if (unsure.length === 0) return 'FALSE';
    if (unsure.length === this.all.length) return text();
    return `(${w.dialect.inArray('stream_id', w.bind(unsure, 'int64[]'))} AND ${text()})`;
  }
}

/**
 * Text tests for other keys label `name` could be read from (used where a stream's names cannot rule them out).
 * Every such key holds the name's longest run of letters and digits (`word`) literally, but for a `\u00XX` escape of
 * a letter, digit or `_`. So:
 * - `twice`: the word occurs twice, or the line holds such an escape — another spelling may sit beside the key;
 * - `anywhere`: the word occurs at all — where the key itself is absent, another spelling may be there.
 * Substring scans, a fraction of a JSON parse (measured: ~20 ms per 400k lines).
 */
export function keyLookalikes(w: SqlWriter, name: string): { twice: () => string; anywhere: () => string } {
  const word = name.split('_').reduce((a, b) => (b.length > a.length ? b : a), '');
  if (!/^[A-Za-z0-9]+$/.test(word)) return { twice: () => 'TRUE', anywhere: () => 'TRUE' };
  const d = w.dialect;
  // (only escapes of [0-9A-Za-z_]: Go's encoder writes `<`, `>` and `&` as \u003c, \u003e and \u0026)
  const alnum = '\\\\u00(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff])';
  return {
    twice: () => {
      const escaped = `${d.contains('line', w.bind('\\u', 'string'))} AND ${d.simpleMatch('line', w.bind(alnum, 'string'))}`;
      return `(${d.occursTwice(w, 'line', word)} OR (${escaped}))`;
    },
    anywhere: () => d.contains('line', w.bind(word, 'string')),
  };
}
