// A log pipeline as SQL over one row: parsers extract only the labels later stages read (Loki's parser hints), label
// filters become a WHERE condition, and the labels an aggregation groups by become columns. The database then filters
// and counts without a single line crossing into TypeScript.
//
// Exactness: SQL reproduces a stage only where it can be sure of Loki's answer. Every case it cannot be sure of (a
// line logfmt's SQL grammar does not cover, invalid JSON, a number Go parses differently, structured metadata that
// could shadow a label, …) makes the row *unsure*: the `unsure` condition is TRUE for it, and the caller sends such
// rows through the TypeScript pipeline instead (engine/metricPushdown.ts), so every answer stays Loki's.
//
// Sure rows never carry `__error__`: every stage condition that could set one (a JSON or logfmt syntax error, a label
// filter meeting a value it cannot convert) makes the row unsure instead.
//
// A `line_format` of plain text and `{{.label}}` fields and `decolorize` rewrite the line as an expression over those
// columns, read by the line filters after them and by bytes_over_time; a parser after them is left to TypeScript.
//
// Layout of the SQL: level 1 derives per-label helper columns from the raw row (cheap probes computed once), level 2
// turns them into one column per extracted label (NULL = absent, UNSURE_MARK = cannot tell), and the caller's
// conditions read those columns.
import type { LabelFilterExpr, LineFilter, Stage } from '../../logql/ast';
import { labelRegexTest, type LabelRegexTest } from '../../eval/pipeline/labelRegex';
import type { Labels } from '../../engine/types';
import type { SqlWriter } from '../dialect';
import { LOGFMT_CLEAN, logfmtLabel } from './logfmt';
import { jsonLabel, jsonParamLabels, jsonParamsReadable, jsonValuesHelper, mayBeJsonObject } from './json';
import { patternLabels, regexpLabels } from './pattern';
import { isPlainDecimal } from '../numerals';
import { lineFilterSql } from '../rowSelect';
import { cannotPush, stageName } from '../../plan/pushdown';
import { ANSI_PATTERN } from '../../eval/pipeline';
import { lenientJsonRow } from '../jsonQuirks';
import type { JsonSpellings } from '../jsonSpellings';

/** What the database must be able to do for parsers to run in SQL (RE2 regexes with extraction). */
export interface SqlParserFunctions {
  /** text of capture group `group` (1-based) of the first match of RE2 `pattern`, '' when no match */
  regexExtract(col: string, pattern: string, group: number): string;
  /** `col` starts with the text of parameter `prefix` */
  startsWith(col: string, prefix: string): string;
  /** `col` ends with the text of parameter `suffix` */
  endsWith(col: string, suffix: string): string;
  /** the JSON value at `path` of a line (object keys, array indexes; the first of duplicate keys), NULL when the line
   *  is not valid JSON or the path absent (one parse per row); its kind ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE',
   *  'BOOLEAN', 'NULL', 'OBJECT', 'ARRAY': from the value, or from the line where the value's text is re-written) and
   *  its text (a string unescaped, a number as written in the line for integer kinds, but for `-0`) */
  jsonValue(w: SqlWriter, col: string, path: JsonPath): string;
  /** optional: the values at several paths from one parse of a line — a list, NULL when the line is not valid JSON
   *  (`jsonValueAt` reads its i-th, 0-based, as jsonValue would give it) */
  jsonValues?(w: SqlWriter, col: string, paths: JsonPath[]): string;
  jsonValueAt?(values: string, i: number): string;
  jsonKind(value: string, w: SqlWriter, col: string, path: JsonPath): string;
  jsonText(value: string): string;
  /** text → double, NULL when it does not convert */
  toDoubleOrNull(expr: string): string;
  /** every capture group 1..n of the first match of RE2 `pattern` (raw text: the dialect quotes or binds it), as one
   *  value (groupOf reads one) */
  regexExtractGroups(w: SqlWriter, col: string, pattern: string, n: number): string;
  groupOf(value: string, group: number): string;
  /** the line is a valid JSON object */
  isJsonObject(col: string): string;
  /** unanchored RE2 match */
  regexMatch(col: string, pattern: string): string;
  /** an exact decimal (at least 29 integer and 9 fraction digits) of a numeric text, NULL when not one */
  toDecimal(expr: string): string;
  /** a text of decimal digits as a BIGINT, NULL when not one */
  toBigint(expr: string): string;
  /** a text right-padded with '0' to `n` characters */
  padZeros(expr: string, n: number): string;
  /** the whole text matches RE2 `pattern` */
  fullMatch(col: string, pattern: string): string;
  /** values[i] where keys[i] = col (BIGINT[] keys, VARCHAR[] values) */
  lookup(keys: string, values: string, col: string): string;
  /** `expr` with every match of RE2 `pattern` (a parameter) removed, leftmost-first as Go's ReplaceAll */
  regexRemoveAll(expr: string, pattern: string): string;
  /** an ASCII text upper- or lower-cased, or stripped of ASCII whitespace (\t \n \v \f \r and space) at both ends */
  asciiCase(fn: 'upper' | 'lower' | 'trim', expr: string): string;
}

/** A JSON path: object keys and array indexes (a key never holds `"` or `\\`: see jsonParamLabel). */
export type JsonPath = (string | number)[];

/** Marks a label column whose value SQL cannot tell (the row is unsure). Any text would do: a false "unsure" only
 *  sends a row through the exact TypeScript path. */
export const UNSURE_MARK = '\u{10FFFF}logqlsql:unsure';

/** One extracted label: its level-1 helper columns and its level-2 value expression over them. */
export interface LabelSql {
  /** `expr AS name` helper columns computed once per row from the stored columns */
  helpers: string[];
  /** the label's value (NULL: absent; UNSURE_MARK: cannot tell), over the helper columns and `line` */
  value: string;
}

export interface SqlPipeline {
  /** level-1 helper columns (`expr AS _hN`) */
  helpers: string[];
  /** level-2 label columns (`expr AS _lN`) */
  labels: string[];
  /** TRUE when SQL cannot tell what the pipeline does with the row (level 3: reads the label columns) */
  unsure: string;
  /** TRUE when the pipeline keeps the row (only meaningful when not unsure) */
  keep: string;
  /** the value expression (over level-2 columns; NULL or '' when absent) of each requested output label */
  output: Map<string, string>;
  /** the line as the pipeline leaves it (over level-2 columns), when a `line_format` or `decolorize` rewrote it and the
   *  consumer reads it (PipelineContext.readsLine); absent: the stored line */
  line?: string;
}

export interface PipelineContext {
  w: SqlWriter;
  fns: SqlParserFunctions;
  /** label sets of the selected streams */
  streams: Labels[];
  /** ids of the selected streams, in the same order (stream labels become per-stream constants) */
  streamIds: bigint[];
  /** ids of the streams that may hold JSON lines only the engine's reader accepts (sql/jsonQuirks.ts) */
  quirky?: bigint[];
  /** which streams may spell a JSON label another way (sql/jsonSpellings.ts); absent: unknown for all */
  spellings?: JsonSpellings;
  /** the consumer reads the final line (bytes_over_time, bytes_rate): SqlPipeline.line */
  readsLine?: boolean;
  /** the consumer reads every label, these being all the names a row can carry (plan.ts fixedLabelNames): rows with
   *  structured metadata (which adds labels) are unsure, and so are rows where a parsed one reads empty or absent —
   *  Loki keeps a label set to '' in the set, and SQL does not tell that from an absent one */
  everyLabel?: string[];
  /** Loki runs the first parser on every line (its parser hints: the query needs a label) and its errors are wanted
   *  (the hints name `__error__`: Loki's addErrLabel marks them preserved, so they do not fail the query), so where
   *  that parser is `| json` a line that cannot be a JSON object surely carries JSONParserErr (see errorsInSql) */
  parserErrorsWanted?: boolean;
}

/** Parser stages SQL may run (unpack is TypeScript's). */
const PARSERS: ReadonlySet<Stage['kind']> = new Set(['json', 'logfmt', 'pattern', 'regexp']);

/** The most stages a pipeline compiled to SQL may have (see compileSqlPipeline). */
const MAX_SQL_STAGES = 100;

/** Why a pipeline cannot run in SQL (named, for `translate --explain`). */
export class NotInSql {
  constructor(readonly reason: string) {}
}

/** A label's value at some point of the pipeline. */
type Value =
  | { kind: 'const'; text: string | null } // the same on every row ('' and null: absent)
  | { kind: 'sql'; expr: string }; // per row (NULL: absent)

/** Per-stage label producers, for one name: SQL for what this stage sets that label to (NULL when it does not). */
type Producer = (ctx: Ctx, name: string) => LabelSql | undefined;

interface Ctx extends PipelineContext {
  helperCols: string[];
  labelCols: string[];
  unsure: string[];
  next: number;
}

/** Labels a stage of this kind can set, by name; undefined when the stage is not supported in SQL. */
function producerOf(st: Stage): Producer | NotInSql | 'passive' {
  switch (st.kind) {
    case 'lineFilter':
      // mostly pushed into WHERE by plan/pushdown.ts; one left here reads the line as the stages before leave it
      return 'passive';
    case 'lineFormat':
      // templates of text and `{{.label}}` fields only: they cannot fail (no TemplateFormatErr)
      return simpleTemplate(st.template)
        ? 'passive'
        : new NotInSql('line_format with template functions runs in TypeScript');
    case 'decolorize':
      return 'passive';
    case 'logfmt':
      // --strict: as without it on lines it decodes without an error (compileSqlPipeline makes the others unsure)
      if (st.params.length > 0) return new NotInSql('logfmt with parameters runs in TypeScript');
      return (c, name) => logfmtLabel(c, name, st.keepEmpty);
    case 'json':
      if (st.params.length > 0) {
        try {
          return jsonParamLabels(st.params);
        } catch (e) {
          if (e instanceof NotInSql) return e;
          throw e;
        }
      }
      return (c, name) => jsonLabel(c, name);
    case 'pattern':
      return patternLabels(st.pattern);
    case 'regexp':
      return regexpLabels(st.pattern);
    case 'labelFilter':
      return 'passive';
    case 'drop':
      // error labels: sure rows carry none; other labels: compileSqlPipeline applies the drop to later reads
      return st.labels.every(
        (l) =>
          l.name === '__error__' ||
          l.name === '__error_details__' ||
          !l.matcher ||
          l.matcher.op === '=' ||
          l.matcher.op === '!=',
      )
        ? 'passive'
        : new NotInSql('drop with a regex matcher runs in TypeScript');
    case 'keep':
      return st.labels.every((l) => !l.matcher || l.matcher.op === '=' || l.matcher.op === '!=')
        ? 'passive'
        : new NotInSql('keep with a regex matcher runs in TypeScript');
    case 'labelFormat':
      // renames, and templates of text and `{{.label}}` fields (compileSqlPipeline sets the labels they make)
      return st.ops.every((op) => op.kind === 'rename' || simpleTemplate(op.template))
        ? 'passive'
        : new NotInSql('label_format with template functions runs in TypeScript');
    default:
      return new NotInSql(`${st.kind} runs in TypeScript`);
  }
}

/**
 * Compile `stages` (line filters already pushed) for a consumer that reads the labels `outputs` of the final label
 * set. Returns NotInSql when some stage or label cannot be expressed.
 */
export function compileSqlPipeline(pc: PipelineContext, stages: Stage[], outputs: string[]): SqlPipeline | NotInSql {
  // each stage may nest the SQL of the ones before it (a label_format reading the last one's label, a decolorize of the
  // last one's line): engines refuse expressions nested past a depth (DuckDB: 1,000)
  if (stages.length > MAX_SQL_STAGES)
    return new NotInSql(`a pipeline of more than ${MAX_SQL_STAGES} stages runs in TypeScript`);
  const ctx: Ctx = { ...pc, helperCols: [], labelCols: [], unsure: [], next: 0 };
  // every label name the pipeline or its consumer reads, and the streams' own: structured metadata holding one of
  // them could shadow it or push a parsed one to `<name>_extracted` (rows with other metadata are sure)
  const watched = new Set<string>(pc.streams.flatMap((s) => Object.keys(s)));
  const parsers: { producer: Producer; index: number; kind: Stage['kind']; params: boolean }[] = [];
  /** labels a `| label_format` set, as their value from then on (computed when first read: a value nothing reads
   *  must not bind parameters, as a statement must use every parameter it binds) */
  const overrides = new Map<string, () => Value | NotInSql>();
  const keep: string[] = [];
  /** per stream: its labels a `drop` or `keep` before the first parser removed */
  const preDropped = pc.streams.map(() => new Set<string>());
  // `| drop` and `| keep` stages seen so far (Loki's DropLabels / KeepLabels; error labels aside, which sure rows do
  // not carry): a drop deletes a label outright or when its value matches; a keep deletes every label it does not
  // name, and a named one whose value matches none of its matchers
  type Matcher = { op: string; value: string };
  const removals: (
    | { kind: 'drop'; name: string; matcher?: Matcher }
    | { kind: 'keep'; plain: Set<string>; matchers: { name: string; matcher: Matcher }[] }
  )[] = [];
  const removedOutright = (name: string, upTo: number) =>
    removals
      .slice(0, upTo)
      .some((r) =>
        r.kind === 'drop'
          ? r.name === name && !r.matcher
          : !r.plain.has(name) && !r.matchers.some((m) => m.name === name),
      );
  const matches = (v: Value & { kind: 'sql' }, m: Matcher) =>
    `coalesce(${v.expr}, '') ${m.op === '=' ? '=' : '<>'} ${ctx.w.bind(m.value, 'string')}`;
  // (`upTo` and `formats`: the removals and label_format values as a stage saw them, for values computed later)
  const valueOf = (name: string, upTo = removals.length, formats = overrides): Value | NotInSql => {
    if (jsonErrors && parsers.length > 0) {
      if (name === '__error__') return jsonErrors.label();
      if (name === '__error_details__') return new NotInSql('__error_details__ is read in TypeScript');
    }
    if (name === '__error__' || name === '__error_details__') return { kind: 'const', text: '' };
    // deleted outright: nothing before is read (nor bound: a statement must use every parameter it binds)
    if (removedOutright(name, upTo)) return { kind: 'const', text: null };
    let v = valueBeforeRemovals(name, formats);
    for (const r of removals.slice(0, upTo)) {
      if (v instanceof NotInSql) return v;
      const ms =
        r.kind === 'drop'
          ? r.name === name && r.matcher
            ? [r.matcher]
            : []
          : r.plain.has(name)
            ? []
            : r.matchers.filter((m) => m.name === name).map((m) => m.matcher);
      if (ms.length === 0) continue;
      // a drop removes on a match; a keep removes unless some matcher matches
      const removeOnMatch = r.kind === 'drop';
      if (v.kind === 'const') {
        const text = v.text ?? '';
        const any = ms.some((m) => (m.op === '=') === (text === m.value));
        if (any === removeOnMatch) v = { kind: 'const', text: null };
      } else {
        const sqlV = v;
        const any = ms.map((m) => matches(sqlV, m)).join(' OR ');
        v = { kind: 'sql', expr: `CASE WHEN ${removeOnMatch ? '' : 'NOT '}(${any}) THEN NULL ELSE ${v.expr} END` };
      }
    }
    return v;
  };
  // the value of `name` after the parsers seen so far: a stream label wins (a parser's clash gets `_extracted`),
  // then the first parser that sets it (Loki's ParserHint.Extracted)
  const valueBeforeRemovals = (name: string, formats = overrides): Value | NotInSql => {
    watched.add(name);
    const formatted = formats.get(name);
    if (formatted) return formatted();
    // (a stream label a drop or keep before the parsers removed: absent, and no parser sets it)
    const dropped = ctx.streams.map((s, k) => Object.hasOwn(s, name) && preDropped[k]!.has(name));
    const inStream = ctx.streams.map((s, k) => Object.hasOwn(s, name) && !dropped[k]);
    const some = inStream.some(Boolean);
    const all = some && inStream.every(Boolean);
    // (bound only where used: a statement must use every parameter it binds)
    const gone = dropped.some(Boolean)
      ? () =>
          ctx.w.dialect.inArray(
            'stream_id',
            ctx.w.bind(
              ctx.streamIds.filter((_, k) => dropped[k]),
              'int64[]',
            ),
          )
      : undefined;
    if (name.endsWith('_extracted')) return new NotInSql(`label ${name} is read in TypeScript`);
    if (all) {
      const values = ctx.streams.map((s) => s[name]);
      if (values.every((v) => v === values[0])) return { kind: 'const', text: values[0] };
      const ids = ctx.w.bind(ctx.streamIds, 'int64[]');
      const vals = ctx.w.bind(values, 'string[]');
      return { kind: 'sql', expr: ctx.fns.lookup(ids, vals, 'stream_id') };
    }
    const exprs: string[] = [];
    for (const p of parsers) {
      const col = labelColumn(ctx, p.producer, name);
      if (col instanceof NotInSql) return col;
      if (col) exprs.push(col);
    }
    const parsed = exprs.length === 0 ? 'NULL' : exprs.length === 1 ? exprs[0] : `coalesce(${exprs.join(', ')})`;
    if (some) {
      // the streams that have it keep their own value (a parser's goes to `<name>_extracted` there); the others read
      // the parsers'
      const has = ctx.streamIds.filter((_, i) => inStream[i]);
      const ids = ctx.w.bind(has, 'int64[]');
      const vals = ctx.w.bind(
        ctx.streams.filter((_, i) => inStream[i]).map((s) => s[name]),
        'string[]',
      );
      // (a lookup past the list gives NULL or '' by dialect; a stream label is never '')
      const own = ctx.fns.lookup(ids, vals, 'stream_id');
      const drop = gone ? `WHEN ${gone()} THEN NULL ` : '';
      return { kind: 'sql', expr: `CASE ${drop}WHEN ${own} <> '' THEN ${own} ELSE ${parsed} END` };
    }
    if (exprs.length === 0) return { kind: 'const', text: null };
    if (gone) return { kind: 'sql', expr: `CASE WHEN ${gone()} THEN NULL ELSE ${parsed} END` };
    return { kind: 'sql', expr: parsed };
  };
  // Loki's `| json label="path"` overwrites what an earlier parser set (it skips no extracted key), where other parsers
  // leave it (the first value wins): the per-label coalesce below models the latter only
  const parserCount = stages.filter((st) => PARSERS.has(st.kind)).length;
  if (parserCount > 1 && stages.some((st) => st.kind === 'json' && st.params.length > 0))
    return new NotInSql('json with parameters along with another parser runs in TypeScript');
  const jsonErrors = errorsInSql(ctx, stages, outputs);
  // the line as the stages so far leave it, computed when first read (undefined: the stored line)
  let line: (() => Value | NotInSql) | undefined;
  const lineNow = (): Value | NotInSql => (line ? line() : { kind: 'sql', expr: 'line' });
  for (let i = 0; i < stages.length; i++) {
    const st = stages[i];
    const p = producerOf(st);
    if (p instanceof NotInSql) return p;
    if (p !== 'passive' && line)
      return new NotInSql(`${stageName(st)} after line_format or decolorize runs in TypeScript`);
    if (st.kind === 'lineFilter') {
      const f = lineFilterIn(ctx, st.filter, lineNow);
      if (f instanceof NotInSql) return f;
      keep.push(f);
      continue;
    }
    if (st.kind === 'lineFormat') {
      const parts = simpleTemplate(st.template)!;
      const upTo = removals.length;
      const formats = new Map(overrides);
      let memo: Value | NotInSql | undefined;
      line = () => (memo ??= templateValue(ctx, parts, (n) => valueOf(n, upTo, formats)));
      continue;
    }
    if (st.kind === 'decolorize') {
      const before = line;
      let memo: Value | NotInSql | undefined;
      line = () => (memo ??= decolorized(ctx, before ? before() : { kind: 'sql', expr: 'line' }));
      continue;
    }
    if (st.kind === 'drop' || st.kind === 'keep') {
      if (stages.slice(i + 1).some((t) => PARSERS.has(t.kind))) {
        // Before any parser only stream labels are there to remove (structured metadata holding a name read makes
        // its row unsure): Loki deletes them from the stream's set, and a later parser's key of that name still
        // becomes `<name>_extracted` (LabelsBuilder.BaseHas reads the original set). After a parser, a later one
        // could set a removed label again (or not: Loki's extracted-label bookkeeping): TypeScript.
        if (parsers.length > 0 || overrides.size > 0 || removals.length > 0)
          return new NotInSql(`${st.kind} between parsers runs in TypeScript`);
        ctx.streams.forEach((s, k) => {
          for (const [n, v] of Object.entries(s)) if (removesStreamLabel(st, n, v)) preDropped[k]!.add(n);
        });
        continue;
      }
      const named = st.labels.filter((l) => l.name !== '__error__' && l.name !== '__error_details__');
      if (st.kind === 'drop') for (const l of named) removals.push({ kind: 'drop', name: l.name, matcher: l.matcher });
      else if (st.labels.length > 0)
        removals.push({
          kind: 'keep',
          plain: new Set(named.filter((l) => !l.matcher).map((l) => l.name)),
          matchers: named.filter((l) => l.matcher).map((l) => ({ name: l.name, matcher: l.matcher! })),
        });
    }
    if (p !== 'passive') {
      parsers.push({ producer: p, index: i, kind: st.kind, params: st.kind === 'json' && st.params.length > 0 });
      continue;
    }
    if (st.kind === 'labelFilter') {
      const f = filterSql(ctx, st.expr, valueOf);
      if (f instanceof NotInSql) return f;
      keep.push(f);
    }
    if (st.kind === 'labelFormat') {
      // the stage reads the labels as they are here (no removal comes before: formatLabels), and later label_format
      // stages must not show through: each value reads a copy of the values as they were when it was set
      const after = formatLabels(ctx, st, overrides, (n, view) => valueBeforeRemovals(n, view), {
        afterRemovals: removals.length > 0,
        beforeParser: stages.slice(i + 1).some((t) => PARSERS.has(t.kind)),
      });
      if (after instanceof NotInSql) return after;
      for (const [name, v] of after) overrides.set(name, v);
    }
  }
  const output = new Map<string, string>();
  const own = new Set(pc.streams.flatMap((s) => Object.keys(s)));
  for (const name of outputs) {
    const v = valueOf(name);
    if (v instanceof NotInSql) return v;
    // (an output absent on every row is a NULL typed as text: ClickHouse cannot convert an untyped NULL where the
    // consumer reads it as a string, as the unwrapped value's conversions do)
    output.set(name, valueSql(ctx, v, "NULLIF('', '')"));
    // (a stream label is never empty: there '' is absent)
    if (pc.everyLabel?.includes(name) && !own.has(name)) {
      // (a constant null is absent on every row; '' is a template's empty text, set)
      if (v.kind === 'const' && v.text === '')
        return new NotInSql(`label ${name}, always empty, is read in TypeScript`);
      if (v.kind === 'sql') ctx.unsure.push(`coalesce(${v.expr}, '') = ''`);
    }
  }
  let finalLine: string | undefined;
  if (pc.readsLine && line) {
    const v = line();
    if (v instanceof NotInSql) return v;
    finalLine = valueSql(ctx, v, "''");
  }
  // `| logfmt --strict` stops at a syntax error and sets LogfmtParserErr (or not: it may stop earlier, once the
  // labels it must extract are found): lines that may hold one are TypeScript's
  if (stages.some((st) => st.kind === 'logfmt' && st.strict))
    ctx.unsure.push(`NOT ${ctx.fns.fullMatch('line', ctx.w.bind(LOGFMT_CLEAN, 'string'))}`);
  const dropped = surelyDropped(ctx, stages, parsers[0]);
  // a json stage whose labels nothing reads may still set JSONParserErr (whether Loki even parses then depends on
  // its parser hints): lines that are not a JSON object are left to TypeScript. Label columns already do this.
  for (const p of parsers) {
    const used = [...(columnMemo.get(p.producer)?.values() ?? [])].some((c) => c !== undefined);
    if (p.kind === 'json' && !used)
      ctx.unsure.push(
        p.params
          ? `NOT ${jsonParamsReadable(ctx)}`
          : jsonErrors
            ? `(NOT ${jsonErrors.surely} AND (NOT ${ctx.fns.isJsonObject('line')} OR ${lenientJsonRow(ctx.w, ctx.quirky ?? [])}))`
            : `(NOT (${mayBeJsonObject(ctx)} AND ${ctx.fns.isJsonObject('line')}) OR ${lenientJsonRow(ctx.w, ctx.quirky ?? [])})`,
      );
  }
  // metadata is stored as a JSON object whose keys (label names) are written unescaped: a key's quoted name in the
  // text is a sure sign of it (a value that happens to read the same only makes the row unsure)
  const shadowing = pc.everyLabel
    ? []
    : [...watched].map((n) => ctx.w.dialect.contains('metadata', ctx.w.bind(JSON.stringify(n), 'string')));
  ctx.unsure.unshift(
    pc.everyLabel
      ? '(metadata IS NOT NULL)'
      : shadowing.length
        ? `(metadata IS NOT NULL AND (${shadowing.join(' OR ')}))`
        : 'FALSE',
  );
  if (dropped) keep.push(`NOT ${dropped}`);
  const unsure = `(${ctx.unsure.join(' OR ')})`;
  const jsonValues = jsonValuesHelper(ctx);
  if (jsonValues) ctx.helperCols.push(jsonValues);
  return {
    helpers: ctx.helperCols,
    labels: ctx.labelCols,
    unsure: dropped ? `(${unsure} AND NOT ${dropped})` : unsure,
    keep: keep.length ? keep.map((k) => `(${k})`).join(' AND ') : 'TRUE',
    output,
    ...(finalLine !== undefined && { line: finalLine }),
  };
}

/**
 * JSON errors in SQL: where Loki runs the first parser on every line and wants its errors (PipelineContext.
 * parserErrorsWanted: otherwise an error reaching the range aggregation fails the query, which TypeScript raises), that
 * parser is
 * `| json` without parameters and nothing after it reads a label but `__error__` (string filters; line filters) — nor
 * does the consumer, beyond labels every stream carries — a line that cannot be a JSON object (its first non-blank
 * character is not `{`) surely carries JSONParserErr, and a valid object line surely none: `label` is `__error__`
 * from the parser on. Lines in between (starting with `{`, not valid) stay unsure. Undefined otherwise.
 */
function errorsInSql(ctx: Ctx, stages: Stage[], outputs: string[]): { surely: string; label: () => Value } | undefined {
  if (!ctx.parserErrorsWanted) return undefined;
  const first = stages.findIndex((st) => PARSERS.has(st.kind) || st.kind === 'unpack');
  const json = stages[first];
  if (!json || json.kind !== 'json' || json.params.length > 0) return undefined;
  const onlyError = (f: LabelFilterExpr): boolean =>
    f.kind === 'and' || f.kind === 'or'
      ? onlyError(f.left) && onlyError(f.right)
      : f.kind === 'string' && f.name === '__error__';
  if (
    !stages
      .slice(first + 1)
      .every((st) => st.kind === 'lineFilter' || (st.kind === 'labelFilter' && onlyError(st.expr)))
  )
    return undefined;
  if (!outputs.every((o) => ctx.streams.every((s) => Object.hasOwn(s, o)))) return undefined;
  const surely = `(NOT ${mayBeJsonObject(ctx)})`;
  // (bound when first read: a statement must use every parameter it binds)
  let label: Value | undefined;
  return {
    surely,
    label: () =>
      (label ??= { kind: 'sql', expr: `CASE WHEN ${surely} THEN ${ctx.w.bind('JSONParserErr', 'string')} END` }),
  };
}

/** Whether a `drop` or `keep` stage removes stream label `name` of value `value` (matchers `=` and `!=` only). */
function removesStreamLabel(st: Extract<Stage, { kind: 'drop' | 'keep' }>, name: string, value: string): boolean {
  const named = st.labels.filter((l) => l.name === name);
  const hit = named.some((l) => !l.matcher || (l.matcher.op === '=') === (value === l.matcher.value));
  if (st.kind === 'drop') return hit;
  return st.labels.length > 0 && !hit;
}

/** A value as SQL text (`absent`: the text for a constant absent value). */
function valueSql(ctx: Ctx, v: Value, absent: string): string {
  return v.kind === 'const' ? (v.text === null ? absent : ctx.w.bind(v.text, 'string')) : v.expr;
}

/**
 * A line filter left in the pipeline: one after a stage that rewrote the line (it reads the rewritten text), or one
 * the dialect cannot run in WHERE (named: TypeScript runs the pipeline). A filter whose answer does not depend on the
 * line (an empty alternative) does not read it: a rewritten line may bind parameters a statement must then use.
 */
function lineFilterIn(ctx: Ctx, f: LineFilter, lineNow: () => Value | NotInSql): string | NotInSql {
  const why = cannotPush(f, ctx.w.dialect.capabilities);
  if (why) return new NotInSql(why);
  const negated = f.op === '!=' || f.op === '!~';
  if (f.values.some((v) => v.value === '')) return negated ? 'FALSE' : 'TRUE';
  const v = lineNow();
  if (v instanceof NotInSql) return v;
  return lineFilterSql(ctx.w, v.kind === 'sql' ? `(${v.expr})` : valueSql(ctx, v, "''"), f);
}

/** `decolorize` (Loki's ANSI escape pattern removed everywhere, as Go's ReplaceAll removes it) over a line value. */
function decolorized(ctx: Ctx, v: Value | NotInSql): Value | NotInSql {
  if (v instanceof NotInSql) return v;
  const text = v.kind === 'sql' ? v.expr : valueSql(ctx, v, "''");
  return { kind: 'sql', expr: ctx.fns.regexRemoveAll(text, ctx.w.bind(ANSI_PATTERN, 'string')) };
}

/**
 * Rows SQL can be sure the pipeline drops through a JSON error: the first parser is `| json`, its labels are read
 * (so Loki's parser hints have it parse: nothing is extracted before it), the line cannot be a JSON object to it
 * (`| json`: first non-blank character not `{`; `| json label="path"`: a non-empty line whose first character is
 * not `{`, `[` or `"`), and a later stage `| __error__=""` drops every errored row (no `drop` stage, which could
 * remove the error, anywhere). Env-wide selectors mix JSON and plain-text streams: such rows would otherwise all be
 * "unsure" and cross into TypeScript just to be dropped there. Undefined when the pipeline does not have that shape.
 */
function surelyDropped(
  ctx: Ctx,
  stages: Stage[],
  first: { producer: Producer; index: number; kind: Stage['kind']; params: boolean } | undefined,
): string | undefined {
  if (!first || first.kind !== 'json') return undefined;
  if (stages.some((st) => st.kind === 'drop')) return undefined;
  const noError = (st: Stage) =>
    st.kind === 'labelFilter' &&
    st.expr.kind === 'string' &&
    st.expr.name === '__error__' &&
    st.expr.op === '=' &&
    st.expr.value === '';
  if (!stages.some((st, i) => i > first.index && noError(st))) return undefined;
  const used = [...(columnMemo.get(first.producer)?.values() ?? [])].some((c) => c !== undefined);
  if (!used) return undefined;
  const { w, fns } = ctx;
  return first.params
    ? `(line <> '' AND NOT ${fns.regexMatch('line', w.bind('^["{\\[]', 'string'))})`
    : `(NOT ${mayBeJsonObject(ctx)})`;
}

/** Template functions SQL runs, on ASCII texts (others make the row unsure): Go's strings.ToUpper, ToLower and
 *  TrimSpace under Loki's and sprig's names. */
const TEMPLATE_FNS: Record<string, TemplateFn> = {
  ToUpper: 'upper',
  upper: 'upper',
  ToLower: 'lower',
  lower: 'lower',
  TrimSpace: 'trim',
  trim: 'trim',
};
type TemplateFn = 'upper' | 'lower' | 'trim';
type TemplatePart = { text: string } | { field: string; fn?: TemplateFn };

/** A Go template of plain text, `{{.label}}` fields and fields through one function of TEMPLATE_FNS (`{{ToUpper
 *  .label}}`, `{{.label | ToUpper}}`), spaces allowed inside the braces, as its parts; undefined for anything else
 *  (other functions, longer pipes, trim markers, nested fields, comments): those run in TypeScript. */
export function simpleTemplate(t: string): TemplatePart[] | undefined {
  const parts: TemplatePart[] = [];
  let at = 0;
  for (;;) {
    const open = t.indexOf('{{', at);
    if (open < 0) break;
    const close = t.indexOf('}}', open + 2);
    if (close < 0) return undefined;
    const action = t.slice(open + 2, close);
    const m = /^ *\.([A-Za-z_][A-Za-z0-9_]*) *$/.exec(action);
    const prefix = /^ *([A-Za-z]+) +\.([A-Za-z_][A-Za-z0-9_]*) *$/.exec(action);
    const piped = /^ *\.([A-Za-z_][A-Za-z0-9_]*) *\| *([A-Za-z]+) *$/.exec(action);
    const call = prefix
      ? { name: prefix[1]!, field: prefix[2]! }
      : piped
        ? { name: piped[2]!, field: piped[1]! }
        : undefined;
    const fn = call && Object.hasOwn(TEMPLATE_FNS, call.name) ? TEMPLATE_FNS[call.name] : undefined;
    if (!m && !fn) return undefined;
    if (open > at) parts.push({ text: t.slice(at, open) });
    parts.push(m ? { field: m[1]! } : { field: call!.field, fn });
    at = close + 2;
  }
  if (at < t.length) parts.push({ text: t.slice(at) });
  return parts;
}

/**
 * The label values after one `| label_format` stage of renames and simple templates, as Loki's LabelsFormatter runs
 * them: in order; a rename `dst=src` reads the labels as they are at that point, sets `dst` and deletes `src` when
 * `src` is there (else leaves both); templates read the labels as they were at the first template (Loki fills their
 * map once). A missing field reads as '' (missingkey=zero over a map of strings); a label is set even when its text is
 * empty, which reads as absent everywhere after (groupings, filters). A stream label as target takes the value set
 * (Loki's LabelsBuilder.Set of a parsed label deletes the stream's). Labels a later parser could set again and labels
 * a `drop`/`keep` before it removed are left to TypeScript.
 */
function formatLabels(
  ctx: Ctx,
  st: Extract<Stage, { kind: 'labelFormat' }>,
  before: Map<string, () => Value | NotInSql>,
  read: (name: string, view: Map<string, () => Value | NotInSql>) => Value | NotInSql,
  where: { afterRemovals: boolean; beforeParser: boolean },
): Map<string, () => Value | NotInSql> | NotInSql {
  if (where.afterRemovals) return new NotInSql('label_format after drop or keep runs in TypeScript');
  if (where.beforeParser) return new NotInSql('label_format before a parser runs in TypeScript');
  const cur = new Map(before);
  let map: Map<string, () => Value | NotInSql> | undefined;
  for (const op of st.ops) {
    const view = new Map(cur);
    let memo: Value | NotInSql | undefined;
    if (op.kind === 'rename') {
      if (op.src.startsWith('__')) return new NotInSql(`label_format from ${op.src} runs in TypeScript`);
      cur.set(op.dst, () => (memo ??= renamed(ctx, read(op.src, view), read(op.dst, view))));
      cur.set(op.src, () => ({ kind: 'const', text: null }));
      continue;
    }
    const parts = simpleTemplate(op.template);
    if (!parts) return new NotInSql('label_format with template functions runs in TypeScript');
    const m = (map ??= view);
    cur.set(op.dst, () => (memo ??= templateValue(ctx, parts, (n) => read(n, m))));
  }
  return cur;
}

/**
 * `dst` after a rename from `src`: src's value where it has a non-empty one; else dst's own. Where src reads empty and
 * dst had a value, Loki's answer turns on whether src was there at all (set to '' or left alone): unsure.
 */
function renamed(ctx: Ctx, src: Value | NotInSql, dst: Value | NotInSql): Value | NotInSql {
  if (src instanceof NotInSql) return src;
  if (dst instanceof NotInSql) return dst;
  // (a constant '' is a template's empty text: there, and so set)
  if (src.kind === 'const') return src.text !== null ? src : dst;
  if (dst.kind === 'const' && !dst.text) return src;
  const d = valueSql(ctx, dst, 'NULL');
  ctx.unsure.push(`(coalesce(${src.expr}, '') = '' AND coalesce(${d}, '') <> '')`);
  return { kind: 'sql', expr: `CASE WHEN coalesce(${src.expr}, '') <> '' THEN ${src.expr} ELSE ${d} END` };
}

/** A simple template's text over the labels `valueOf` reads ('' for a missing one). */
function templateValue(ctx: Ctx, parts: TemplatePart[], valueOf: (name: string) => Value | NotInSql): Value | NotInSql {
  const values: Value[] = [];
  for (const p of parts) {
    if ('text' in p) {
      values.push({ kind: 'const', text: p.text });
      continue;
    }
    const v = valueOf(p.field);
    if (v instanceof NotInSql) return v;
    if (!p.fn) {
      values.push(v);
      continue;
    }
    const f = applied(ctx, p.fn, v);
    if (f instanceof NotInSql) return f;
    values.push(f);
  }
  if (values.every((v) => v.kind === 'const'))
    return { kind: 'const', text: values.map((v) => (v as { text: string | null }).text ?? '').join('') };
  const pieces = values.map((v) =>
    v.kind === 'const' ? ctx.w.bind(v.text ?? '', 'string') : `coalesce(${v.expr}, '')`,
  );
  // (one call, not a chain of `||`: a template of thousands of fields must not nest the expression as deep)
  return { kind: 'sql', expr: pieces.length === 1 ? pieces[0]! : `concat(${pieces.join(', ')})` };
}

/** Go's strings.ToUpper, ToLower or TrimSpace of a value: exact in SQL on ASCII texts, where they only map or strip
 *  ASCII characters; a row whose text holds another character is unsure. */
function applied(ctx: Ctx, fn: TemplateFn, v: Value): Value | NotInSql {
  if (v.kind === 'const') {
    const t = v.text ?? '';
    if (!/^[\x00-\x7f]*$/.test(t)) return new NotInSql(`${fn} of a non-ASCII text runs in TypeScript`);
    return { kind: 'const', text: fn === 'upper' ? t.toUpperCase() : fn === 'lower' ? t.toLowerCase() : t.trim() };
  }
  const text = `coalesce(${v.expr}, '')`;
  ctx.unsure.push(ctx.fns.regexMatch(text, ctx.w.bind('[^\\x00-\\x7f]', 'string')));
  return { kind: 'sql', expr: ctx.fns.asciiCase(fn, text) };
}

/** the level-2 column of `name` as set by one parser (memoised per parser and name), undefined if it never sets it */
const columnMemo = new WeakMap<Producer, Map<string, string | undefined>>();

function labelColumn(ctx: Ctx, producer: Producer, name: string): string | undefined | NotInSql {
  let memo = columnMemo.get(producer);
  if (!memo) columnMemo.set(producer, (memo = new Map()));
  if (memo.has(name)) return memo.get(name);
  let l: LabelSql | undefined;
  try {
    l = producer(ctx, name);
  } catch (e) {
    if (e instanceof NotInSql) return e;
    throw e;
  }
  if (!l) {
    memo.set(name, undefined);
    return undefined;
  }
  const col = `_l${ctx.next++}`;
  ctx.helperCols.push(...l.helpers);
  ctx.labelCols.push(`${l.value} AS ${col}`);
  ctx.unsure.push(`${col} = ${ctx.w.bind(UNSURE_MARK, 'string')}`);
  memo.set(name, col);
  return col;
}

/** Helper column names unique within one statement. */
export function helperName(ctx: PipelineContext & { next?: number }): string {
  const c = ctx as Ctx;
  return `_h${c.next++}`;
}

// ---------------------------------------------------------------- label filters

const SQL_CMP: Record<string, string> = { '=': '=', '==': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

function filterSql(ctx: Ctx, f: LabelFilterExpr, valueOf: (name: string) => Value | NotInSql): string | NotInSql {
  if (f.kind === 'and' || f.kind === 'or') {
    const l = filterSql(ctx, f.left, valueOf);
    if (l instanceof NotInSql) return l;
    const r = filterSql(ctx, f.right, valueOf);
    if (r instanceof NotInSql) return r;
    return `(${l} ${f.kind === 'and' ? 'AND' : 'OR'} ${r})`;
  }
  if (f.kind !== 'string' && f.kind !== 'number' && f.kind !== 'duration')
    return new NotInSql(`${f.kind} label filters run in TypeScript`);
  // Loki replaces some regexes by literal tests (eval/pipeline/labelRegex.ts): `GE.*` is a substring test, `.*`
  // always matches
  const t = f.kind === 'string' && (f.op === '=~' || f.op === '!~') ? labelRegexTest(f.value) : undefined;
  // a filter whose answer does not depend on the value is decided before the value is asked for: that may bind
  // parameters the answer would leave unread, and DuckDB and PostgreSQL refuse a statement with an unread parameter
  if (f.kind === 'string' && (f.op === '=~' || f.op === '!~') && (f.value === '' || (t && alwaysTrue(t))))
    return f.op === '=~' ? 'TRUE' : 'FALSE';
  const v = valueOf(f.name);
  if (v instanceof NotInSql) return v;
  const w = ctx.w;
  if (f.kind === 'string') {
    const text = v.kind === 'const' ? w.bind(v.text ?? '', 'string') : `coalesce(${v.expr}, '')`;
    if (f.op === '=~' || f.op === '!~') {
      if (t) {
        const sql = regexTestSql(ctx, t, text);
        if (sql instanceof NotInSql) return sql;
        return f.op === '=~' ? sql : `NOT ${sql}`;
      }
    }
    const p = w.bind(f.value, 'string');
    switch (f.op) {
      case '=':
        return `${text} = ${p}`;
      case '!=':
        return `${text} <> ${p}`;
      case '=~':
        return ctx.fns.fullMatch(text, p);
      case '!~':
        return `NOT ${ctx.fns.fullMatch(text, p)}`;
    }
  }
  // numbers: a missing label drops the line; a value Go would not parse sets LabelFilterErr (unsure here)
  if (v.kind === 'const') {
    if (v.text === null || v.text === '') return 'FALSE';
    return new NotInSql(`numeric filter on stream label ${f.name} runs in TypeScript`);
  }
  if (f.kind === 'duration') {
    // Go durations compared in exact nanoseconds: one unit, and no more fraction digits than the unit has
    // nanosecond places (Go's float fraction arithmetic is exact there); other texts are unsure
    const d = durationNanos(ctx.fns, w, v.expr);
    ctx.unsure.push(`(${v.expr} IS NOT NULL AND NOT ${d.ok})`);
    const bound = w.bind(BigInt(Math.round(f.seconds * 1e9)), 'int64');
    return `coalesce(${d.ns} ${SQL_CMP[f.op]} ${bound}, FALSE)`;
  }
  // texts Go's ParseFloat could read otherwise make the row unsure (sql/numerals.ts)
  const decimal = isPlainDecimal(w, ctx.fns.fullMatch, v.expr);
  ctx.unsure.push(`(${v.expr} IS NOT NULL AND length(${v.expr}) > 0 AND NOT ${decimal})`);
  ctx.unsure.push(`(${v.expr} = '')`);
  return `coalesce(${ctx.fns.toDoubleOrNull(v.expr)} ${SQL_CMP[f.op]} ${w.bind(f.value, 'float64')}, FALSE)`;
}

function alwaysTrue(t: LabelRegexTest): boolean {
  return t.kind === 'true' || (t.kind === 'or' && alwaysTrue(t.left) && alwaysTrue(t.right));
}

/** A label regex Loki evaluates as literal tests, in SQL (case-insensitive ones use Go's folding: TypeScript). */
function regexTestSql(ctx: Ctx, t: LabelRegexTest, text: string): string | NotInSql {
  switch (t.kind) {
    case 'true':
      return 'TRUE';
    case 'exists':
      return `${text} <> ''`;
    case 'or': {
      const l = regexTestSql(ctx, t.left, text);
      if (l instanceof NotInSql) return l;
      const r = regexTestSql(ctx, t.right, text);
      if (r instanceof NotInSql) return r;
      return `(${l} OR ${r})`;
    }
    case 'equal':
    case 'contains':
      if (t.caseInsensitive) return new NotInSql('case-insensitive label regex runs in TypeScript');
      return t.kind === 'equal'
        ? `${text} = ${ctx.w.bind(t.text, 'string')}`
        : ctx.w.dialect.contains(text, ctx.w.bind(t.text, 'string'));
  }
}

/**
 * A Go duration text as whole nanoseconds (a BIGINT), for the texts SQL reads exactly (`ok`): one unit, no more
 * fraction digits than the unit has nanosecond places (Go's fraction arithmetic is exact there), and few enough
 * integer digits that no int64 overflows (Go answers "invalid duration" past ~292 years); others (`1h2m`, `+1s`, …)
 * are left to TypeScript by the caller. Integer arithmetic: the fraction's digits, padded to the unit's places,
 * times the nanoseconds one such place is worth (a decimal cast cost ~10× more).
 */
export function durationNanos(fns: SqlParserFunctions, w: SqlWriter, text: string): { ok: string; ns: string } {
  const ok = fns.fullMatch(text, w.bind(SIMPLE_DURATION, 'string'));
  const whole = fns.toBigint(fns.regexExtract(text, w.bind('^([0-9]+)', 'string'), 1));
  const frac = fns.regexExtract(text, w.bind('^[0-9]+\\.([0-9]+)', 'string'), 1);
  const part = (places: number, worth: number) => `${fns.toBigint(fns.padZeros(frac, places))} * ${worth}`;
  const ns =
    `CASE WHEN ${text} = '0' THEN 0 ` +
    DURATION_UNITS.map(([suffix, unit, places, worth]) => {
      const value = places === 0 ? `${whole} * ${unit}` : `${whole} * ${unit} + ${part(places, worth)}`;
      return `WHEN ${fns.endsWith(text, w.bind(suffix, 'string'))} THEN ${value} `;
    }).join('') +
    'END';
  return { ok, ns };
}

/** Durations SQL reads exactly (see durationNanos); `0` alone is Go's zero duration. At most 999,999 h, 99,999,999 m,
 *  999,999,999 s or 10¹² of the smaller units: below int64's 9.2·10¹⁸ ns. */
const SIMPLE_DURATION =
  '0|[0-9]{1,6}(?:\\.[0-9]{1,9})?h|[0-9]{1,8}(?:\\.[0-9]{1,9})?m|[0-9]{1,9}(?:\\.[0-9]{1,9})?s|' +
  '[0-9]{1,12}(?:\\.[0-9]{1,6})?ms|[0-9]{1,12}(?:\\.[0-9]{1,3})?(?:us|µs|μs)|[0-9]{1,12}ns';
/** suffix → its nanoseconds, the fraction places it allows, and the nanoseconds one such place is worth (longest
 *  suffixes first) */
const DURATION_UNITS: [string, number, number, number][] = [
  ['ns', 1, 0, 0],
  ['us', 1_000, 3, 1],
  ['µs', 1_000, 3, 1],
  ['μs', 1_000, 3, 1],
  ['ms', 1_000_000, 6, 1],
  ['h', 3_600_000_000_000, 9, 3_600],
  ['m', 60_000_000_000, 9, 60],
  ['s', 1_000_000_000, 9, 1],
];
