// Loki's parser hints (pkg/logql/log/parser_hints.go) for metric queries: what the parsers of a range aggregation's
// pipeline extract, decided from the labels the query needs. They matter beyond speed because they decide whether a
// parser error happens at all:
//   - `sum(count_over_time({…} | json [5m]))` needs no label: every parser stage is skipped, so a line that is not
//     JSON raises no JSONParserErr (and `| unpack` leaves the line packed);
//   - `sum by (level) (count_over_time({…} | json [5m]))` needs `level`: the json parser stops as soon as it has it,
//     so a line broken after its `level` key raises no error, one broken before does;
//   - anything else (`avg by`, `count by`, no aggregation, `sum without`) extracts everything, and any parser error
//     reaches the range aggregation's output — where Loki fails the query ("pipeline error"), whatever comes above.
// Only `sum` lends its grouping to the range aggregation below it (for count/rate/bytes/sum_over_time without their
// own grouping: pkg/logql/syntax VectorAggregationExpr.Extractors, canInjectVectorGrouping).

import type { LabelFilterExpr, RangeAggregation, RangeOp, Stage, VectorOp } from '../../logql/ast';
import { labelRegexTest } from './labelRegex';

/** What a pipeline's parsers extract: everything (undefined), nothing, or only the required labels. */
export type ParserHints = { noLabels: true } | { noLabels: false; required: ReadonlySet<string> };

const INJECTABLE: ReadonlySet<RangeOp> = new Set([
  'bytes_over_time',
  'bytes_rate',
  'sum_over_time',
  'rate',
  'count_over_time',
]);

const DUPLICATE_SUFFIX = '_extracted';

/** The hints Loki gives the pipeline of `node`, itself directly under a vector aggregation `parent` (if any). */
export function rangeParserHints(node: RangeAggregation, parent?: ParentAggregation): ParserHints | undefined {
  const eff = effectiveGrouping(node, parent);
  const groups = [...eff.groups];
  let without = eff.without;
  const noLabels = eff.noLabels || node.op === 'absent_over_time';
  const required = requiredLabelNames(node.log.pipeline);
  let metricLabel = '';
  if (node.unwrap) {
    for (const f of node.unwrap.postFilters) required.push(...filterLabelNames(f.expr));
    metricLabel = node.unwrap.label;
    if (groups.length === 0 || without) {
      without = true;
      groups.push(metricLabel);
    }
  }
  const hints = new Set<string>();
  for (const l of [...required, ...groups, metricLabel]) {
    if (l === '') continue;
    hints.add(l);
    if (l.endsWith(DUPLICATE_SUFFIX)) hints.add(l.slice(0, -DUPLICATE_SUFFIX.length));
  }
  hints.delete('');
  if (noLabels) return hints.size > 0 ? { noLabels: false, required: hints } : { noLabels: true };
  if (without || groups.length === 0) return undefined;
  return { noLabels: false, required: hints };
}

export type ParentAggregation = { op: VectorOp; grouping?: { without: boolean; labels: string[] } };

/** The grouping Loki's sample extractor applies: the range aggregation's own, else a parent `sum`'s (injected). */
export function effectiveGrouping(
  node: RangeAggregation,
  parent?: ParentAggregation,
): { groups: string[]; without: boolean; noLabels: boolean } {
  const g =
    node.grouping ??
    (parent?.op === 'sum' && INJECTABLE.has(node.op) ? (parent.grouping ?? { without: false, labels: [] }) : undefined);
  if (!g) return { groups: [], without: false, noLabels: false };
  return { groups: g.labels, without: g.without, noLabels: !g.without && g.labels.length === 0 };
}

/** Whether the sample extractor keeps the unwrapped label on the samples (a `by` grouping naming it), else it is
 *  removed (Loki adds it to a `without` grouping: LabelExtractorWithStages). */
export function keepsUnwrappedLabel(node: RangeAggregation, parent?: ParentAggregation): boolean {
  const eff = effectiveGrouping(node, parent);
  return eff.groups.length > 0 && !eff.without;
}

/** RequiredLabelNames of a pipeline's stages (label filters, formatters' template fields, renames). */
export function requiredLabelNames(stages: Stage[]): string[] {
  const out: string[] = [];
  for (const s of stages) {
    switch (s.kind) {
      case 'labelFilter':
        out.push(...filterLabelNames(s.expr));
        break;
      case 'lineFormat':
        out.push(...templateFields(s.template));
        break;
      case 'labelFormat':
        for (const op of s.ops) {
          if (op.kind === 'rename') out.push(op.src);
          else out.push(...templateFields(op.template));
        }
        break;
      default:
        break;
    }
  }
  return out;
}

function filterLabelNames(f: LabelFilterExpr): string[] {
  switch (f.kind) {
    case 'and':
    case 'or':
      return [...filterLabelNames(f.left), ...filterLabelNames(f.right)];
    case 'string':
      // `name =~ ""` (and any regex Loki simplifies to "always true") is a no-op filter requiring nothing
      if (f.op === '=~' && labelRegexTest(f.value)?.kind === 'true') return [];
      return [f.name];
    default:
      return [f.name];
  }
}

/** The field identifiers a Go template reads (`.a`, `.a.b` gives a and b), as Loki's listNodeFields. */
export function templateFields(src: string): string[] {
  const out: string[] = [];
  const actions = /\{\{(.*?)\}\}/gs;
  for (let m = actions.exec(src); m; m = actions.exec(src)) {
    // drop string literals, then find `.ident(.ident)*` not preceded by an identifier character or `$`
    const body = m[1]!.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, ' ');
    const fields = /(^|[^A-Za-z0-9_$.\])])((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;
    for (let f = fields.exec(body); f; f = fields.exec(body)) out.push(...f[2]!.slice(1).split('.'));
  }
  return out;
}

/** Whether every required label was extracted on this line (Loki's AllRequiredExtracted). */
export function allRequiredExtracted(hints: ParserHints | undefined, extracted: ReadonlySet<string>): boolean {
  if (!hints || hints.noLabels || hints.required.size === 0 || extracted.size < hints.required.size) return false;
  for (const l of hints.required) if (!extracted.has(l)) return false;
  return true;
}

/** Loki's NoLabels(): the parser stage has nothing to do on this line. */
export function noLabels(hints: ParserHints | undefined, extracted: ReadonlySet<string>): boolean {
  return !!hints && (hints.noLabels || allRequiredExtracted(hints, extracted));
}

/** Loki's ShouldExtract(key). */
export function shouldExtract(hints: ParserHints | undefined, key: string): boolean {
  return !hints || hints.noLabels || hints.required.has(key);
}

/** Loki's ShouldExtractPrefix(prefix): whether a nested JSON object can hold a required label. */
export function shouldExtractPrefix(hints: ParserHints | undefined, prefix: string): boolean {
  if (!hints || hints.noLabels || hints.required.size === 0) return true;
  for (const l of hints.required) if (l.startsWith(prefix)) return true;
  return false;
}
