// Variable queries: the string forms people type (`label_names()`, `label_values(job)`,
// `label_values({app="x"}, job)`, or a LogQL query) and the structured model of the variable editor.

import type { LogQLVariableQuery } from '../types';

const LABEL_NAMES = /^\s*label_names\(\s*(\{.*\})?\s*\)\s*$/s;
const LABEL_VALUES = /^\s*label_values\(\s*(?:(\{.*\})\s*,\s*)?([A-Za-z_][\w.]*)\s*\)\s*$/s;

export function parseVariableQuery(query: string | LogQLVariableQuery): LogQLVariableQuery {
  if (typeof query !== 'string') {
    return query;
  }
  let m = query.match(LABEL_NAMES);
  if (m) {
    return { refId: 'variable', type: 'labelNames', stream: m[1] };
  }
  m = query.match(LABEL_VALUES);
  if (m) {
    return { refId: 'variable', type: 'labelValues', label: m[2], stream: m[1] };
  }
  return { refId: 'variable', type: 'logql', expr: query };
}

export function variableQueryToString(q: LogQLVariableQuery): string {
  switch (q.type) {
    case 'labelNames':
      return q.stream ? `label_names(${q.stream})` : 'label_names()';
    case 'labelValues':
      return q.stream ? `label_values(${q.stream}, ${q.label ?? ''})` : `label_values(${q.label ?? ''})`;
    default:
      return q.expr ?? '';
  }
}
