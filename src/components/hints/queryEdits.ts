// Query edits the hints apply, done on the syntax tree of the grammar Grafana's Loki editor uses
// (@grafana/lezer-logql), by position: a regex over the query text would break on quotes, braces in strings and
// nested queries.
import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';

import { addLabelFilter, getParsers } from '../../data/logql';

function nodes(expr: string, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  parser.parse(expr).iterate({
    enter: (ref) => {
      if (ref.name === name) {
        out.push(ref.node);
      }
    },
  });
  return out;
}

function applyAt(expr: string, points: number[], text: string): string {
  let out = expr;
  for (const p of [...new Set(points)].sort((a, b) => b - a)) {
    out = out.slice(0, p) + text + out.slice(p);
  }
  return out;
}

/** Offsets right after each selector and the line filters that directly follow it (where Loki wants a parser). */
function afterLineFilters(expr: string): number[] {
  return nodes(expr, 'Selector').map((sel) => {
    let end = sel.to;
    const pipeline = sel.parent?.getChild('PipelineExpr');
    for (const stage of pipeline ? stagesOf(pipeline) : []) {
      if (stage.firstChild?.name !== 'LineFilters' || expr.slice(end, stage.from).trim() !== '') {
        break;
      }
      end = stage.to;
    }
    return end;
  });
}

function stagesOf(n: SyntaxNode): SyntaxNode[] {
  if (n.name === 'PipelineStage') {
    return [n];
  }
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) {
    out.push(...stagesOf(c));
  }
  return out;
}

/** Whether the query already has a parser stage. */
export function hasParser(expr: string): boolean {
  return getParsers(expr).length > 0;
}

/** `{…} |= "x"` → `{…} |= "x" | json`: the parser goes after the line filters of every log expression. */
export function addParser(expr: string, parserName: 'json' | 'logfmt'): string {
  return applyAt(expr, afterLineFilters(expr), ` | ${parserName}`);
}

/** Adds `| __error__=""` after the last parser, so lines a parser failed on are dropped. */
export function addNoPipelineError(expr: string): string {
  return addLabelFilter(expr, { label: '__error__', op: '=', value: '' });
}

/** Wraps the query in `sum by (labels) (…)` (plain `sum` without labels). */
export function addSumBy(expr: string, labels: string[]): string {
  const by = labels.length ? ` by (${labels.join(', ')})` : '';
  return `sum${by} (${expr.trim()})`;
}
