// Template variable interpolation for LogQL. Multi-value and "include all" variables become regex alternations whose
// members are escaped twice: once for RE2, once for the double-quoted LogQL string they sit in.

import type { AdHocVariableFilter, ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import type { LogQLQuery } from '../types';
import { addFilter, escapeRegex, type MatchOp } from './logql';

/** Escape a value for a double-quoted LogQL string. */
export function escapeStringLiteral(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Escape a value for an RE2 regex inside a double-quoted LogQL string. */
export function escapeRegexLiteral(value: string): string {
  return escapeStringLiteral(escapeRegex(value));
}

type VariableLike = Pick<TypedVariableModel, 'name'> & { multi?: boolean; includeAll?: boolean };

/** The interpolation function passed to templateSrv.replace (used when the variable has no explicit :format). */
export function interpolateQueryExpr(value: unknown, variable: VariableLike): string {
  const multi = Boolean(variable.multi || variable.includeAll);
  if (!multi) {
    return Array.isArray(value) ? value.map((v) => escapeStringLiteral(String(v))).join(',') : escapeStringLiteral(String(value));
  }
  const values = (Array.isArray(value) ? value : [value]).map((v) => escapeRegexLiteral(String(v)));
  return values.length === 1 ? values[0] : `(${values.join('|')})`;
}

/**
 * `$__auto`: the step of a range query (its own `step` when set, else `$__interval`), the whole range of an instant
 * query — what Grafana's Loki data source means by it.
 */
export function replaceAutoRange(expr: string, query: Pick<LogQLQuery, 'queryType' | 'step'>): string {
  const auto = query.queryType === 'instant' ? '$__range' : query.step && query.step !== '$__auto' ? query.step : '$__interval';
  return expr.replace(/\$__auto\b|\$\{__auto\}/g, auto);
}

const ADHOC_OPS: Record<string, MatchOp | undefined> = { '=': '=', '!=': '!=', '=~': '=~', '!~': '!~' };

/** Apply ad hoc filters: into the selector for stream labels, as label filters after a parser otherwise. */
export function applyAdHocFilters(expr: string, filters: AdHocVariableFilter[] | undefined): string {
  let out = expr;
  for (const f of filters ?? []) {
    const op = ADHOC_OPS[f.operator];
    if (op) {
      out = addFilter(out, { label: f.key, op, value: f.value });
    } else if (f.operator === '<' || f.operator === '>') {
      const n = Number(f.value);
      if (Number.isFinite(n)) {
        out = `${out} | ${f.key} ${f.operator} ${n}`;
      }
    }
  }
  return out;
}

export function interpolateQuery(
  templateSrv: Pick<TemplateSrv, 'replace'>,
  query: LogQLQuery,
  scopedVars: ScopedVars,
  filters?: AdHocVariableFilter[],
): LogQLQuery {
  const withAuto = replaceAutoRange(query.expr ?? '', query);
  let expr = templateSrv.replace(withAuto, scopedVars, interpolateQueryExpr);
  expr = applyAdHocFilters(expr, filters);
  const step = query.step ? templateSrv.replace(replaceAutoRange(query.step, { queryType: 'range' }), scopedVars) : query.step;
  const legendFormat = query.legendFormat ? templateSrv.replace(query.legendFormat, scopedVars) : query.legendFormat;
  return { ...query, expr, step, legendFormat };
}
