// Label filters on `| json` fields as a conservative SQL pre-filter. The TypeScript pipeline still runs every stage
// on every row SQL returns, so the pre-filter only has to be *implied* by the filter: it may keep a row the filter
// drops (whenever SQL cannot be sure what Loki's json parser would extract), never drop a row the filter keeps.
// That makes `{app="api"} | json | status >= 500` read a fraction of the rows without any risk to the answer.
//
// Each field is probed once per row, in a derived column (repeating a JSON function inside the filter made the
// engine parse the line once per mention: 10× slower). A row is "unsure" — kept — when the probe cannot tell (invalid
// JSON, where Loki keeps the labels parsed before the error, or an absent key), when it carries structured metadata
// (which could shadow the field), or when the JSON could yield the label some other way than its top-level key (a key
// that sanitises to it, a nested one, a second one: sql/jsonSpellings.ts — tested on the streams that may hold one).
import type { LabelFilterExpr, Stage } from '../logql/ast';
import type { Dialect, SqlWriter } from '../sql/dialect';
import type { Labels } from '../engine/types';
import { labelRegexTest } from '../eval/pipeline/labelRegex';
import { isPlainDecimal } from '../sql/numerals';
import { lenientJsonRow } from '../sql/jsonQuirks';
import { JsonSpellings, keyLookalikes } from '../sql/jsonSpellings';

/** Derived columns (`expr AS _pN`, computed once per row) and the condition over them; or a whole row source
 *  (`rows(where)`: a SELECT of stream_id, ts, line, metadata over the entries matching `where`). */
export type PrefilterSql = { columns: string[]; where: string } | { rows(where: string[]): string };

export type Prefilter = (w: SqlWriter) => PrefilterSql | undefined;

const SQL_CMP: Record<string, string> = { '=': '=', '==': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/** The pre-filter implied by the label filters right after a leading `| json`, if the dialect can express one. */
export function jsonPrefilter(
  rest: Stage[],
  streams: Labels[],
  d: Dialect,
  /** streams that may hold JSON lines only the engine's reader accepts (sql/jsonQuirks.ts) */
  quirky: bigint[] = [],
  /** which streams may spell a field another way */
  spellings = JsonSpellings.UNKNOWN,
): Prefilter | undefined {
  if (!d.jsonProbe || !d.toDoubleOrNull || !d.capabilities.re2Regex) return undefined;
  const [first, ...more] = rest;
  if (!first || first.kind !== 'json' || first.params.length > 0) return undefined;
  const filters: LabelFilterExpr[] = [];
  for (const st of more) {
    if (st.kind !== 'labelFilter') break;
    filters.push(st.expr);
  }
  if (filters.length === 0) return undefined;
  const streamLabel = (name: string) => streams.some((s) => s[name] !== undefined);
  return (w) => {
    const b = new Builder(w, streamLabel, quirky, spellings);
    const parts = filters.map((f) => b.implied(f)).filter((p) => p !== 'TRUE');
    if (parts.length === 0) return undefined;
    // structured metadata can change a filter's outcome only through a key of a name it reads (it shadows the json
    // field); metadata is a JSON object with label names unescaped, so the quoted name in its text tells
    const shadow = [...b.names].map((n) => d.contains('metadata', w.bind(JSON.stringify(n), 'string')));
    return {
      columns: b.columns,
      where: `((metadata IS NOT NULL AND (${shadow.join(' OR ')})) OR (${parts.join(' AND ')}))`,
    };
  };
}

class Builder {
  readonly columns: string[] = [];
  /** the names of the filters `implied` decided in SQL */
  readonly names = new Set<string>();
  private readonly byName = new Map<string, string>();

  constructor(
    private readonly w: SqlWriter,
    private readonly streamLabel: (n: string) => boolean,
    private readonly quirky: bigint[],
    private readonly spellings: JsonSpellings,
  ) {}

  /** A string filter that an absent label passes keeps a line whose JSON Loki's parser refuses before the field
   *  (it has no such label then) but the engine's reader reads whole (sql/jsonQuirks.ts): such lines are kept. */
  private refusedBefore(f: Extract<LabelFilterExpr, { kind: 'string' | 'number' }>): string {
    if (f.kind !== 'string' || !emptyPasses(f.op, f.value)) return '';
    const lenient = lenientJsonRow(this.w, this.quirky);
    return lenient === 'FALSE' ? '' : `${lenient} OR `;
  }

  /** the derived column holding field `name`'s probe */
  private column(name: string): string {
    let c = this.byName.get(name);
    if (!c) {
      c = `_p${this.columns.length}`;
      this.columns.push(`${this.w.dialect.jsonProbe!.value(this.w, 'line', name)} AS ${c}`);
      this.byName.set(name, c);
    }
    return c;
  }

  /** Whether `implied(f)` is TRUE: decided before anything is bound (a discarded side must bind nothing). */
  private trivial(f: LabelFilterExpr): boolean {
    if ('left' in f) {
      const l = this.trivial(f.left);
      const r = this.trivial(f.right);
      return f.kind === 'and' ? l && r : l || r;
    }
    const name = f.name;
    // labels the json stage does not own: stream labels (the field would become `<name>_extracted`), error labels,
    // names a sanitised key could not have produced unambiguously, and `_extracted` ones (a key clashing with a
    // stream label or metadata)
    if (
      name.startsWith('_') ||
      name.endsWith('_extracted') ||
      this.streamLabel(name) ||
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    )
      return true;
    // a label regex Loki replaces by literal (unanchored) tests: TypeScript decides (eval/pipeline/labelRegex.ts)
    if (f.kind === 'string' && (f.op === '=~' || f.op === '!~') && labelRegexTest(f.value)) return true;
    // durations, bytes and ip() filters: TypeScript decides (and nothing may be bound for them)
    return f.kind !== 'string' && f.kind !== 'number';
  }

  implied(f: LabelFilterExpr): string {
    if (this.trivial(f)) return 'TRUE';
    if ('left' in f) {
      const l = this.implied(f.left);
      const r = this.implied(f.right);
      if (f.kind === 'and') return l === 'TRUE' ? r : r === 'TRUE' ? l : `(${l} AND ${r})`;
      return `(${l} OR ${r})`;
    }
    if (f.kind !== 'string' && f.kind !== 'number') return 'TRUE';
    const name = f.name;
    this.names.add(name);
    const w = this.w;
    const d = w.dialect;
    const probe = d.jsonProbe!;
    // where the dialect binds a value once inside an expression (DuckDB's lambdas), each filter probes its field
    // itself: the database then parses a line for a later `and` operand only if the earlier ones kept it
    const bound = d.letIn ? '_pv' : undefined;
    if (bound && probe.textOnly && probe.looserThanParseFloat && probe.maybeNotString)
      return this.impliedByText(f, bound);
    const c = bound ?? this.column(name);
    const kind = probe.kind(c);
    const text = probe.text(c);
    const ambiguous = this.ambiguity(name);
    // JSON null: Loki makes no label of it, like an absent key ("" for string comparisons, a dropped line for numbers)
    // — unless another spelling of the key gives it
    const keep = (cond: string, nullPasses: boolean) => {
      const absent = nullPasses ? 'TRUE' : this.elsewhere(name);
      const body = `(CASE WHEN ${probe.unsure(c)} THEN TRUE WHEN ${kind} IS NULL THEN ${absent} ${cond} ELSE TRUE END)`;
      return `(${ambiguous} OR ${this.refusedBefore(f)}${bound ? d.letIn!(probe.value(w, 'line', name), bound, body) : body})`;
    };
    if (f.kind === 'string') {
      // non-string JSON values keep their JSON text in Loki: unsure here
      const cmp = stringCompare(d, text, f.op, w.bind(f.value, 'string'));
      return keep(`WHEN ${kind} = 'VARCHAR' THEN ${cmp}`, emptyPasses(f.op, f.value));
    }
    // Loki drops a line whose label is missing, keeps (with LabelFilterErr) one whose value does not parse
    if (probe.rawNumbers && !bound) {
      // the raw text of a JSON number converts to Loki's value; anything else (a string, null, an object) is kept
      const cmp = `${d.toDoubleOrNull!(c)} ${SQL_CMP[f.op]} ${w.bind(f.value, 'float64')}`;
      return `(${ambiguous} OR ${probe.unsure(c)} OR coalesce(${cmp}, TRUE) OR (${c} IS NULL AND ${this.elsewhere(name)}))`;
    }
    const num = `${d.toDoubleOrNull!(text)} ${SQL_CMP[f.op]} ${w.bind(f.value, 'float64')}`;
    return keep(
      `WHEN ${kind} = 'NUMBER' THEN ${num} WHEN ${kind} = 'VARCHAR' AND ${isPlainDecimal(w, d.simpleFullMatch, text)} THEN ${num}`,
      false,
    );
  }

  /** `implied` over the text-only probe: one JSON call and no type test per row (a third of the cost). The
   *  comparison decides only where the text is what Loki's label would hold — a string for string comparisons, a
   *  numeral ParseFloat reads the same way for numeric ones; everywhere else the row is kept. */
  private impliedByText(f: Extract<LabelFilterExpr, { kind: 'string' | 'number' }>, v: string): string {
    const w = this.w;
    const d = w.dialect;
    const probe = d.jsonProbe!;
    let body: string;
    if (f.kind === 'string') {
      const cmp = stringCompare(d, v, f.op, w.bind(f.value, 'string'));
      body = `(${v} IS NULL OR ${probe.maybeNotString!(v)} OR ${cmp})`;
    } else {
      const num = `${d.toDoubleOrNull!(v)} ${SQL_CMP[f.op]} ${w.bind(f.value, 'float64')}`;
      body = `(${v} IS NULL OR coalesce(${num}, TRUE) OR ${probe.looserThanParseFloat!(v)})`;
    }
    return `(${this.ambiguity(f.name)} OR ${this.refusedBefore(f)}${d.letIn!(probe.textOnly!(w, 'line', f.name), v, body)})`;
  }

  /** SQL that is TRUE when the line might hold another key Loki reads `name` from beside the top-level one (a
   *  sanitised, nested or second spelling: sql/jsonSpellings.ts), which may give the label another value. */
  private ambiguity(name: string): string {
    return this.spellings.row(this.w, name, keyLookalikes(this.w, name).twice);
  }

  /** SQL that is TRUE when, the top-level key being absent, another spelling may still give `name` a value. */
  private elsewhere(name: string): string {
    return this.spellings.row(this.w, name, keyLookalikes(this.w, name).anywhere);
  }
}

/** A string label filter's comparison of `text` with the bound `value` (regexes fully anchored, as Loki's are). A
 *  user's regex is any RE2 pattern: the parsers' full match takes it as Go does, where simpleFullMatch is only for
 *  simple patterns written anchored (ClickHouse's is an unanchored match(): `!~"a|b"` dropped every value holding an
 *  a). */
function stringCompare(d: Dialect, text: string, op: string, value: string): string {
  if (op === '=') return `${text} = ${value}`;
  if (op === '!=') return `${text} <> ${value}`;
  const full = d.parsers?.fullMatch ?? d.simpleFullMatch;
  return `${op === '!~' ? 'NOT ' : ''}${full(text, value)}`;
}

/** Whether a missing label ("") passes a string comparison; for regexes, unknown here: keep the row. */
function emptyPasses(op: string, value: string): boolean {
  if (op === '=') return value === '';
  if (op === '!=') return value !== '';
  return true;
}
