// Label filters on `| json` fields as a conservative SQL pre-filter. The TypeScript pipeline still runs every stage
// on every row SQL returns, so the pre-filter only has to be *implied* by the filter: it may keep a row the filter
// drops (whenever SQL cannot be sure what Loki's json parser would extract), never drop a row the filter keeps.
// That makes `{app="api"} | json | status >= 500` read a fraction of the rows without any risk to the answer.
//
// A row is "unsure" — kept — when the line is not valid JSON (Loki keeps the labels parsed before the error), when it
// carries structured metadata (which could shadow the field), or when the JSON could yield the label some other way
// than its top-level key: for a name with `_`, a key whose other characters sanitise to `_` (`latency-ms`,
// `latency.ms`) or a nested object (`{"latency":{"ms":1}}`) — caught by one RE2 search per underscore prefix.
import type { LabelFilterExpr, Stage } from '../logql/ast';
import type { Dialect, SqlWriter } from '../sql/dialect';
import { compileRE2 } from '../eval/re2';
import type { Labels } from '../engine/types';

export type Prefilter = (w: SqlWriter) => string;

const DECIMAL = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$';
const SQL_CMP: Record<string, string> = { '=': '=', '==': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/** The pre-filter implied by the label filters right after a leading `| json`, if the dialect can express one. */
export function jsonPrefilter(rest: Stage[], streams: Labels[], d: Dialect): Prefilter | undefined {
  const probe = d.jsonProbe;
  if (!probe || !d.jsonValid || !d.toDoubleOrNull || !d.capabilities.re2Regex) return undefined;
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
    const parts = filters.map((f) => implied(f, w, probe, streamLabel)).filter((p) => p !== 'TRUE');
    if (parts.length === 0) return 'TRUE';
    const unsure = `(metadata IS NOT NULL OR NOT ${d.jsonValid!('line')})`;
    return `(${unsure} OR (${parts.join(' AND ')}))`;
  };
}

type Probe = NonNullable<Dialect['jsonProbe']>;

function implied(f: LabelFilterExpr, w: SqlWriter, probe: Probe, streamLabel: (n: string) => boolean): string {
  if ('left' in f) {
    const l = implied(f.left, w, probe, streamLabel);
    const r = implied(f.right, w, probe, streamLabel);
    if (f.kind === 'and') return l === 'TRUE' ? r : r === 'TRUE' ? l : `(${l} AND ${r})`;
    return l === 'TRUE' || r === 'TRUE' ? 'TRUE' : `(${l} OR ${r})`;
  }
  const name = f.name;
  // labels the json stage does not own: stream labels (the field would become `<name>_extracted`), error labels,
  // and names a sanitised key could not have produced unambiguously
  if (name.startsWith('_') || streamLabel(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'TRUE';
  // durations, bytes and ip() filters: TypeScript decides (and nothing may be bound for them)
  if (f.kind !== 'string' && f.kind !== 'number') return 'TRUE';
  const j = probe(w, 'line', name);
  const ambiguous = ambiguity(name, w);
  const keep = (cond: string, missing: boolean) =>
    `(CASE WHEN ${ambiguous} THEN TRUE WHEN ${j.type} IS NULL THEN ${missing ? 'TRUE' : 'FALSE'} ${cond} ELSE TRUE END)`;
  switch (f.kind) {
    case 'string': {
      // a missing label compares as ""; non-string JSON values keep their JSON text in Loki — unsure here
      const missing = matchesEmpty(f.op, f.value);
      const v = w.bind(f.value, 'string');
      const cmp =
        f.op === '='
          ? `${j.text} = ${v}`
          : f.op === '!='
            ? `${j.text} <> ${v}`
            : `${f.op === '!~' ? 'NOT ' : ''}${w.dialect.simpleFullMatch(j.text, v)}`;
      return keep(`WHEN ${j.type} = 'VARCHAR' THEN ${cmp}`, missing);
    }
    case 'number': {
      // Loki drops a line whose label is missing, keeps (with LabelFilterErr) one whose value does not parse
      const num = `${w.dialect.toDoubleOrNull!(j.text)} ${SQL_CMP[f.op]} ${w.bind(f.value, 'float64')}`;
      const decimal = w.bind(DECIMAL, 'string');
      return keep(
        `WHEN ${j.type} = 'NUMBER' THEN ${num} ` +
          `WHEN ${j.type} = 'VARCHAR' AND ${w.dialect.simpleFullMatch(j.text, decimal)} THEN ${num}`,
        false,
      );
    }
  }
}

/** Whether a missing label ("") passes a string comparison. */
function matchesEmpty(op: string, value: string): boolean {
  switch (op) {
    case '=':
      return value === '';
    case '!=':
      return value !== '';
    case '=~':
      return compileRE2(value, { anchored: true }).test('');
    default:
      return !compileRE2(value, { anchored: true }).test('');
  }
}

/** SQL that is TRUE when the line might hold a differently-written key that also sanitises to `name`. */
function ambiguity(name: string, w: SqlWriter): string {
  const conds: string[] = [];
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
    conds.push(w.dialect.regexMatch('line', w.bind(`"${name.slice(0, i)}[^A-Za-z0-9_]`, 'string')));
  }
  return conds.length ? `(${conds.join(' OR ')})` : 'FALSE';
}
