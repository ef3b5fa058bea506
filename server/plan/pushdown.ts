// Which parts of a log pipeline the database runs. Line filters move into the WHERE clause when every stage before
// them leaves the line unchanged (parsers, label filters, drop/keep and label_format never rewrite the line, and a
// filter commutes with other filters); the remaining stages run in TypeScript, in their original order.
import type { LineFilter, LineFilterStage, Stage } from '../logql/ast';
import type { DialectCapabilities } from '../sql/dialect';
import { literalAlternatives } from '../sql/regexSplit';

export interface PipelineSplit {
  /** line filters evaluated in SQL */
  pushed: LineFilter[];
  /** the stages left for TypeScript, in order */
  rest: Stage[];
  /** why each kept stage did not push down: for `translate --explain` and query notices */
  reasons: string[];
}

/** Stages after which the line is no longer the stored line. */
const REWRITES_LINE = new Set<Stage['kind']>(['lineFormat', 'decolorize', 'unpack']);

export function cannotPush(f: LineFilter, caps: DialectCapabilities): string | undefined {
  if (f.op === '|>' || f.op === '!>') return 'pattern line filter (|> / !>) runs in TypeScript';
  if (f.values.some((v) => v.kind === 'ip')) return 'ip() line filter runs in TypeScript';
  if ((f.op === '|~' || f.op === '!~') && !caps.re2Regex) {
    if (caps.literalRegex && f.values.every((v) => literalAlternatives(v.value))) return undefined;
    return 'regex line filter: engine regexes are not RE2';
  }
  return undefined;
}

/** `lineFilters` false: none is pushed (tests' all-TypeScript reference path). */
export function splitPipeline(stages: Stage[], caps: DialectCapabilities, lineFilters = true): PipelineSplit {
  const pushed: LineFilter[] = [];
  const rest: Stage[] = [];
  const reasons: string[] = [];
  let lineIntact = lineFilters;
  for (const st of stages) {
    if (st.kind === 'lineFilter' && lineIntact) {
      const why = cannotPush((st as LineFilterStage).filter, caps);
      if (!why) {
        pushed.push(st.filter);
        continue;
      }
      reasons.push(why);
    } else if (st.kind !== 'lineFilter') {
      reasons.push(`${stageName(st)} runs in TypeScript`);
    } else {
      reasons.push('line filter after a stage that rewrites the line runs in TypeScript');
    }
    if (REWRITES_LINE.has(st.kind)) lineIntact = false;
    rest.push(st);
  }
  return { pushed, rest, reasons };
}

export function stageName(st: Stage): string {
  switch (st.kind) {
    case 'lineFilter':
      return `line filter ${st.filter.op}`;
    case 'labelFilter':
      return 'label filter';
    case 'lineFormat':
      return 'line_format';
    case 'labelFormat':
      return 'label_format';
    default:
      return st.kind;
  }
}
