// `| json` (no parameters) in SQL, one label at a time: the top-level field of that name, read by the database's
// JSON functions. Unsure (TypeScript decides) whenever the JSON could yield the label another way or SQL cannot print
// the value as Loki would: invalid JSON or a non-object line (Loki sets JSONParserErr and keeps what it parsed), a key
// that sanitises or nests into the same name (`latency-ms`, `{"latency":{"ms":…}}`, `" status"`), a float used as
// text (Loki keeps the number as written).
import type { LabelSql, PipelineContext } from './compile';
import { helperName, NotInSql, UNSURE_MARK } from './compile';
import { lenientJsonRow } from '../jsonQuirks';

export function jsonLabel(ctx: PipelineContext & { numericOnly?: Set<string> }, name: string): LabelSql | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) return undefined; // no key sanitises to it
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new NotInSql(`json label ${name} is read in TypeScript`);
  const { w, fns } = ctx;
  const h = helperName(ctx);
  const amb = helperName(ctx);
  // other spellings of the name: the name anywhere but as the exact key `"name"` (inside a longer or padded key), or
  // a key with this prefix and punctuation (or a nested object) at an underscore — cheap string tests, literal-led
  const quoted = w.bind(`"${name}"`, 'string');
  const conds = [`${fns.strpos(`replace(line, ${quoted}, '')`, w.bind(name, 'string'))} > 0`];
  const prefixes: string[] = [];
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1))
    prefixes.push(`"${name.slice(0, i)}[^A-Za-z0-9_]`);
  if (prefixes.length) conds.push(fns.regexMatch('line', w.bind(prefixes.join('|'), 'string')));
  // a line Loki's parser refuses part-way but the engine's reads whole (sql/jsonQuirks.ts)
  const lenient = lenientJsonRow(w, ctx.quirky ?? []);
  if (lenient !== 'FALSE') conds.push(lenient);
  const helpers = [`${fns.jsonValue(w, 'line', name)} AS ${h}`, `(${conds.join(' OR ')}) AS ${amb}`];
  const unsure = w.bind(UNSURE_MARK, 'string');
  const kind = fns.jsonKind(h, w, 'line', name);
  const floatOk = ctx.numericOnly?.has(name) ?? false;
  const value =
    `CASE WHEN ${amb} THEN ${unsure} ` +
    `WHEN ${h} IS NULL THEN CASE WHEN ${fns.isJsonObject('line')} THEN NULL ELSE ${unsure} END ` +
    `ELSE CASE ${kind} WHEN 'VARCHAR' THEN ${fns.jsonText(h)} WHEN 'BIGINT' THEN ${fns.jsonText(h)} ` +
    `WHEN 'UBIGINT' THEN ${fns.jsonText(h)} WHEN 'BOOLEAN' THEN ${fns.jsonText(h)} ` +
    `${floatOk ? `WHEN 'DOUBLE' THEN ${fns.jsonText(h)} ` : ''}` +
    `WHEN 'NULL' THEN NULL WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE ${unsure} END END`;
  return { helpers, value };
}
