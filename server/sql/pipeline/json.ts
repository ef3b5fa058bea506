// `| json` (no parameters) in SQL, one label at a time: the top-level field of that name, read by the database's
// JSON functions. Unsure (TypeScript decides) whenever the JSON could yield the label another way or SQL cannot print
// the value as Loki would: invalid JSON or a non-object line (Loki sets JSONParserErr and keeps what it parsed), a key
// that sanitises or nests into the same name (`latency-ms`, `{"latency":{"ms":…}}`, `" status"`), a float used as
// text (Loki keeps the number as written).
import type { JsonPath, LabelSql, PipelineContext } from './compile';
import { parseJsonPath } from '../../eval/pipeline/json';
import { helperName, NotInSql, UNSURE_MARK } from './compile';
import { lenientJsonRow } from '../jsonQuirks';
import { JsonSpellings, keyLookalikes } from '../jsonSpellings';

export function jsonLabel(ctx: PipelineContext & { numericOnly?: Set<string> }, name: string): LabelSql | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) return undefined; // no key sanitises to it
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new NotInSql(`json label ${name} is read in TypeScript`);
  const { w, fns } = ctx;
  const amb = helperName(ctx);
  // other spellings of the key (sql/jsonSpellings.ts): beside it (`twice`), or in its place (`anywhere`)
  const look = keyLookalikes(w, name);
  const spellings = ctx.spellings ?? JsonSpellings.UNKNOWN;
  const conds = [spellings.row(w, name, look.twice)];
  const anywhere = () => spellings.row(w, name, look.anywhere);
  // a line Loki's parser refuses part-way but the engine's reads whole (sql/jsonQuirks.ts)
  const lenient = lenientJsonRow(w, ctx.quirky ?? []);
  if (lenient !== 'FALSE') conds.push(lenient);
  const unsure = w.bind(UNSURE_MARK, 'string');
  const numeric = ctx.numericOnly?.has(name) ?? false;
  if (fns.jsonValues && fns.jsonValueAt) {
    // every json label of the statement from one parse of the line (jsonValuesHelper), whose NULL tells a line that
    // is not a JSON object
    const all = sharedJsonValues(ctx);
    const h = fns.jsonValueAt(all.column, all.paths.push([name]) - 1);
    const value =
      `CASE WHEN ${amb} THEN ${unsure} ` +
      `WHEN ${h} IS NULL THEN CASE WHEN ${all.column} IS NOT NULL AND NOT ${anywhere()} THEN NULL ELSE ${unsure} END ` +
      `ELSE ${valueText(ctx, h, [name], numeric, 'NULL', 'NULL')} END`;
    return { helpers: [`(${conds.join(' OR ')}) AS ${amb}`], value };
  }
  const h = helperName(ctx);
  // the JSON functions only where the line can be an object: on other lines they raise (TRY's cost, per row) and
  // answer nothing
  const helpers: string[] = [];
  const obj = objectHelper(ctx, helpers);
  helpers.push(
    `CASE WHEN ${obj} THEN ${fns.jsonValue(w, 'line', [name])} END AS ${h}`,
    `(${conds.join(' OR ')}) AS ${amb}`,
  );
  const value =
    `CASE WHEN ${amb} THEN ${unsure} ` +
    `WHEN ${h} IS NULL THEN CASE WHEN ${obj} AND NOT ${anywhere()} AND ${fns.isJsonObject('line')} THEN NULL ELSE ${unsure} END ` +
    `ELSE ${valueText(ctx, h, [name], numeric, 'NULL', 'NULL')} END`;
  return { helpers, value };
}

/** The paths plain `| json` labels read in one statement, and the helper column holding their values. */
interface JsonValues {
  column: string;
  paths: JsonPath[];
}
const jsonValuesOf = new WeakMap<PipelineContext, JsonValues>();

function sharedJsonValues(ctx: PipelineContext): JsonValues {
  let v = jsonValuesOf.get(ctx);
  if (!v) jsonValuesOf.set(ctx, (v = { column: helperName(ctx), paths: [] }));
  return v;
}

/** The helper column with every path plain `| json` labels of the statement read (jsonLabel), once they are all
 *  known; undefined when none does. Parsed only where the line may be an object: on others the reader raises. */
export function jsonValuesHelper(ctx: PipelineContext): string | undefined {
  const v = jsonValuesOf.get(ctx);
  if (!v || !ctx.fns.jsonValues) return undefined;
  return `CASE WHEN ${mayBeJsonObject(ctx)} THEN ${ctx.fns.jsonValues(ctx.w, 'line', v.paths)} END AS ${v.column}`;
}

/**
 * The text Loki gives the JSON value in helper column `h` (found at `path`), by its kind: strings unescaped, integers
 * and booleans as written; floats only when the label is read as a number alone (`floatOk`: Loki keeps `1.50` as
 * written, SQL prints 1.5); JSON null → `nullText`, objects and arrays → `nestedText` (a SQL expression; unsure when
 * SQL cannot print them as written). An integer SQL prints `0` may be a `-0` in the line, which Loki keeps: unsure
 * when the line holds a JSON -0.
 */
function valueText(
  ctx: PipelineContext,
  h: string,
  path: JsonPath,
  floatOk: boolean,
  nullText: string,
  nestedText: string,
  fffdUnsure = false,
): string {
  const { w, fns } = ctx;
  const unsure = w.bind(UNSURE_MARK, 'string');
  const text = fns.jsonText(h);
  // `fffdUnsure`: a string holding U+FFFD is unsure. Only a string can, and only one whose JSON text holds the
  // character or an escape: the unescaped text is tested for those alone (testing every value's text read each
  // value's JSON twice — a third of a `| json a="x", b="y"` count)
  let stringText = text;
  if (fffdUnsure) {
    // (bound only when used: a statement with a parameter it never reads is refused)
    const fffd = w.bind('\ufffd', 'string');
    stringText =
      `CASE WHEN ${w.dialect.contains(h, fffd)} OR ${w.dialect.contains(h, w.bind('\\', 'string'))} ` +
      `THEN CASE WHEN ${w.dialect.contains(text, fffd)} THEN ${unsure} ELSE ${text} END ELSE ${text} END`;
  }
  // a JSON -0 (after a colon, a bracket or a comma), not a date's `-05`
  const minusZero = fns.regexMatch('line', w.bind('[:\\[,][ \\t\\r\\n]*-0([^0-9.eE]|$)', 'string'));
  const integer = `CASE WHEN ${text} = '0' AND ${minusZero} THEN ${unsure} ELSE ${text} END`;
  return (
    `CASE ${fns.jsonKind(h, w, 'line', path)} WHEN 'VARCHAR' THEN ${stringText} WHEN 'BIGINT' THEN ${integer} ` +
    `WHEN 'UBIGINT' THEN ${integer} WHEN 'BOOLEAN' THEN ${text} ` +
    `${floatOk ? `WHEN 'DOUBLE' THEN ${text} ` : ''}` +
    `WHEN 'NULL' THEN ${nullText} WHEN 'OBJECT' THEN ${nestedText} WHEN 'ARRAY' THEN ${nestedText} ELSE ${unsure} END`
  );
}

/** The helper column holding mayBeJsonObject, one per statement (shared by its json labels): its name, and its
 *  definition added to `helpers` by the first label that needs it. */
const objectHelpers = new WeakMap<PipelineContext, string>();
function objectHelper(ctx: PipelineContext, helpers: string[]): string {
  let name = objectHelpers.get(ctx);
  if (name === undefined) {
    name = helperName(ctx);
    objectHelpers.set(ctx, name);
    helpers.push(`${mayBeJsonObject(ctx)} AS ${name}`);
  }
  return name;
}

/** Whether a line can be a JSON object at all (its first non-blank character is `{`): a cheap test before the JSON
 *  functions, which cost an exception per row on the plain-text lines of a selector that mixes kinds of streams. */
export function mayBeJsonObject(ctx: PipelineContext): string {
  return ctx.fns.regexMatch('line', ctx.w.bind('^[ \\t\\r\\n]*\\{', 'string'));
}

/** A line `| json label="path"` reads without an error, and the database's JSON reader reads the same (see below). */
export function jsonParamsReadable(ctx: PipelineContext): string {
  const { w, fns } = ctx;
  // (`AND` short-circuits row by row in the engines: the JSON reader only sees lines starting with `{`)
  const conds = [fns.startsWith('line', w.bind('{', 'string')), fns.isJsonObject('line')];
  const lenient = lenientJsonRow(w, ctx.quirky ?? []);
  if (lenient !== 'FALSE') conds.push(`NOT ${lenient}`);
  return `(${conds.join(' AND ')})`;
}

/**
 * `| json label="path", …` in SQL: one producer for the stage's labels. Loki's JSONExpressionParser (TypeScript twin:
 * eval/pipeline/index.ts compileJsonParams) reads each path (first of duplicate keys), sets a missing one to "", a
 * JSON null to "", a string unescaped (U+FFFD, Go's mark of invalid UTF-8, becomes a space), anything else as written
 * in the line. A line whose first character is not `{`, `[` or `"` gets JSONParserErr; a broken document may still
 * yield the paths before the break. Sure rows here: a valid JSON object starting with `{` (others, and lines only the
 * engine's reader accepts, are unsure), and values SQL prints as Loki does (objects and arrays, floats read as text,
 * strings holding U+FFFD are unsure).
 */
export function jsonParamLabels(
  params: { label: string; expression: string }[],
): (ctx: PipelineContext & { numericOnly?: Set<string> }, name: string) => LabelSql | undefined {
  const labels = params.map((p) => p.label);
  if (new Set(labels).size !== labels.length) throw new NotInSql('json with a label given twice runs in TypeScript');
  const paths = params.map((p) => parseJsonPath(p.expression));
  if (paths.some((path) => path.some((k) => typeof k === 'string' && /["\\]/.test(k))))
    throw new NotInSql('json path with a quote or backslash in a key runs in TypeScript');
  // the statement's column of every path's value, where the engine reads them from one parse of the line (its
  // label columns then read their value from it, and its NULL tells an invalid line: no parse of its own either)
  const shared = new WeakMap<PipelineContext, string>();
  return (ctx, name) => {
    const i = labels.indexOf(name);
    if (i < 0) return undefined;
    const { w, fns } = ctx;
    const unsure = w.bind(UNSURE_MARK, 'string');
    if (fns.jsonValues && fns.jsonValueAt) {
      const helpers: string[] = [];
      let all = shared.get(ctx);
      if (all === undefined) {
        all = helperName(ctx);
        shared.set(ctx, all);
        // (only lines starting with `{` are parsed: on others the reader raises, a cost per row)
        helpers.push(
          `CASE WHEN ${fns.startsWith('line', w.bind('{', 'string'))} THEN ${fns.jsonValues(w, 'line', paths)} END AS ${all}`,
        );
      }
      const h = fns.jsonValueAt(all, i);
      const lenient = lenientJsonRow(w, ctx.quirky ?? []);
      const bad = `${all} IS NULL${lenient === 'FALSE' ? '' : ` OR ${lenient}`}`;
      const text = valueText(ctx, h, paths[i]!, ctx.numericOnly?.has(name) ?? false, `''`, unsure, true);
      return { helpers, value: `CASE WHEN ${bad} THEN ${unsure} WHEN ${h} IS NULL THEN '' ELSE ${text} END` };
    }
    const h = helperName(ctx);
    const ok = helperName(ctx);
    const helpers = [`${fns.jsonValue(w, 'line', paths[i]!)} AS ${h}`, `${jsonParamsReadable(ctx)} AS ${ok}`];
    const text = valueText(ctx, h, paths[i]!, ctx.numericOnly?.has(name) ?? false, `''`, unsure, true);
    const value = `CASE WHEN NOT ${ok} THEN ${unsure} WHEN ${h} IS NULL THEN '' ELSE ${text} END`;
    return { helpers, value };
  };
}
