// Builder → Code: the visual query rendered as LogQL. Operations apply left to right to the text so far; queries
// joined by binary operators are parenthesised only where operator precedence requires it, so the text parses back
// to the same tree.

import type { LogQLVisualQuery, QueryBuilderLabelFilter } from './model';
import { ATOM, BINARY_PRECEDENCE, operand, operationDef, quote, type Rendered } from './operations';

export function renderLabels(labels: QueryBuilderLabelFilter[]): string {
  const parts = labels
    .filter((l) => l.label)
    .map((l) => `${l.label}${l.op || '='}${quote(l.value, l.op === '=~' || l.op === '!~')}`);
  return `{${parts.join(', ')}}`;
}

function renderOne(query: LogQLVisualQuery): Rendered {
  let r: Rendered = { text: renderLabels(query.labels), prec: ATOM };
  for (const op of query.operations) {
    const d = operationDef(op.id);
    if (!d || op.disabled) {
      continue;
    }
    r = d.render(r, op.params);
  }
  for (const b of query.binaryQueries ?? []) {
    const prec = BINARY_PRECEDENCE[b.operator] ?? 0;
    const right = renderOne(b.query);
    let matching = b.vectorMatchesType ? ` ${b.vectorMatchesType} (${b.vectorMatches ?? ''})` : '';
    if (b.vectorMatchesType && b.groupSide) {
      matching += ` group_${b.groupSide} (${b.groupLabels ?? ''})`;
    }
    const rightAssoc = b.operator === '^';
    r = {
      text: `${operand(r, prec, 'left', rightAssoc)} ${b.operator}${b.bool ? ' bool' : ''}${matching} ${operand(right, prec, 'right', rightAssoc)}`,
      prec,
    };
  }
  return r;
}

export function renderQuery(query: LogQLVisualQuery): string {
  return renderOne(query).text;
}
