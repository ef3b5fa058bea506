// `| json` (no parameters) in SQL, one label at a time: the top-level field of that name, read by the database's
// JSON functions. Unsure (TypeScript decides) whenever the JSON could yield the label another way or SQL cannot print
// the value as Loki would: invalid JSON or a non-object line (Loki sets JSONParserErr and keeps what it parsed), a key
// that sanitises or nests into the same name (`latency-ms`, `{"latency":{"ms":…}}`, `" status"`), a float used as
// text (Loki keeps the number as written).
import type { LabelSql, PipelineContext } from './compile';
import { helperName, NotInSql, UNSURE_MARK } from './compile';

export function jsonLabel(ctx: PipelineContext & { numericOnly?: Set<string> }, name: string): LabelSql | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) return undefined; // no key sanitises to it
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new NotInSql(`json label ${name} is read in TypeScript`);
  const { w, fns } = ctx;
  const key = w.bind(`$."${name}"`, 'string');
  const h = helperName(ctx);
  const amb = helperName(ctx);
  // other spellings of the name: a key with this prefix and punctuation (or a nested object) at an underscore, or the
  // name inside a longer key
  const alts = [`[^"]${name}`, `${name}[^"]`];
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) alts.push(`"${name.slice(0, i)}[^A-Za-z0-9_]`);
  const helpers = [
    `${fns.jsonKind('line', key)} AS ${h}`,
    `${fns.regexMatch('line', w.bind(alts.join('|'), 'string'))} AS ${amb}`,
  ];
  const unsure = w.bind(UNSURE_MARK, 'string');
  const text = fns.jsonText('line', key);
  const floatOk = ctx.numericOnly?.has(name) ?? false;
  const value =
    `CASE WHEN ${amb} THEN ${unsure} ` +
    `WHEN ${h} IS NULL THEN CASE WHEN ${fns.isJsonObject('line')} THEN NULL ELSE ${unsure} END ` +
    `WHEN ${h} IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'BOOLEAN'${floatOk ? ", 'DOUBLE'" : ''}) THEN ${text} ` +
    `WHEN ${h} IN ('NULL', 'OBJECT', 'ARRAY') THEN NULL ELSE ${unsure} END`;
  return { helpers, value };
}
