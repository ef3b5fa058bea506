// The LogQL the provisioned dashboard and alert rule send, with Grafana's variables resolved as a fresh dashboard
// resolves them ($app = All = its allValue, $__auto = a step), and what a useful answer to each looks like.
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml, ROOT } from './files';

export const DASHBOARD = 'provisioning/dashboards/json/logqlsql-demo.json';
export const ALERTS = 'provisioning/alerting/error-ratio.yaml';

export type PanelQuery =
  | { kind: 'labelValues'; where: string; label: string }
  | { kind: 'logql'; where: string; expr: string; legendFormat?: string; logs: boolean; rangeSeconds: number };

interface Dashboard {
  templating?: { list: { name: string; type: string; allValue?: string; query?: { type?: string; label?: string } }[] };
  annotations?: { list: { name: string; target?: { expr?: string } }[] };
  panels: {
    id: number;
    title: string;
    type: string;
    targets?: { refId: string; expr?: string; legendFormat?: string }[];
  }[];
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(ROOT, DASHBOARD), 'utf8')) as Dashboard;
}

/** Grafana's template variables in an expression, resolved for the default dashboard state. */
export function resolveVariables(expr: string, d: Dashboard): string {
  let out = expr.replace(/\$__auto\b|\$\{__auto\}/g, '1m');
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    out = out.replace(new RegExp(`\\$\\{${v.name}\\}|\\$${v.name}\\b`, 'g'), v.allValue ?? '.+');
  }
  return out;
}

export function dashboardQueries(): PanelQuery[] {
  const d = readDashboard();
  const out: PanelQuery[] = [];
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'query' && v.query?.type === 'labelValues' && v.query.label)
      out.push({ kind: 'labelValues', where: `variable ${v.name}`, label: v.query.label });
  }
  for (const a of d.annotations?.list ?? []) {
    if (a.target?.expr)
      out.push({
        kind: 'logql',
        where: `annotation ${a.name}`,
        expr: resolveVariables(a.target.expr, d),
        logs: true,
        rangeSeconds: 3600,
      });
  }
  for (const p of d.panels) {
    for (const t of p.targets ?? []) {
      if (!t.expr) continue;
      out.push({
        kind: 'logql',
        where: `panel "${p.title}" ${t.refId}`,
        expr: resolveVariables(t.expr, d),
        legendFormat: t.legendFormat,
        logs: p.type === 'logs',
        rangeSeconds: 3600,
      });
    }
  }
  const alerts = readYaml(ALERTS) as AlertFile;
  for (const g of alerts.groups) {
    for (const r of g.rules) {
      for (const q of r.data) {
        const expr = q.model.expr;
        if (typeof expr !== 'string') continue;
        out.push({
          kind: 'logql',
          where: `alert "${r.title}" ${q.refId}`,
          expr,
          legendFormat: '{{app}}',
          logs: false,
          rangeSeconds: q.relativeTimeRange?.from ?? 600,
        });
      }
    }
  }
  return out;
}

export interface AlertFile {
  apiVersion: number;
  groups: {
    orgId: number;
    name: string;
    folder: string;
    interval: string;
    rules: {
      uid: string;
      title: string;
      condition: string;
      for?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      data: {
        refId: string;
        datasourceUid: string;
        relativeTimeRange?: { from: number; to: number };
        model: { refId?: string; expr?: string; expression?: string; type?: string };
      }[];
    }[];
  }[];
}

/**
 * A log query returns lines; a metric query returns series that each have a name: the legend's `{{label}}`s all
 * filled, or, without a legend, at least one label (an unnamed `{}` series is what the old "Log volume by level"
 * panel showed for streams without a `level` label).
 */
export function expectNamedSeries(
  q: Extract<PanelQuery, { kind: 'logql' }>,
  data: { resultType: string; result: { metric?: Record<string, string>; stream?: Record<string, string> }[] },
): void {
  expect(data.result.length, `${q.where}: ${q.expr} returned nothing`).toBeGreaterThan(0);
  if (q.logs) {
    expect(data.resultType, q.where).toBe('streams');
    return;
  }
  expect(data.resultType, q.where).toBe('matrix');
  const legendLabels = [...(q.legendFormat ?? '').matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
  for (const s of data.result) {
    const metric = s.metric ?? {};
    if (legendLabels.length > 0)
      for (const l of legendLabels)
        expect(metric[l] ?? '', `${q.where}: series ${JSON.stringify(metric)} has no ${l}`).not.toBe('');
    else if (!q.legendFormat) expect(Object.keys(metric).length, `${q.where}: unnamed series`).toBeGreaterThan(0);
  }
}
