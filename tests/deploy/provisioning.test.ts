// provisioning/ read as Grafana reads it: YAML with its environment expansion ($NAME, ${NAME}; $$ for a literal $),
// the keys its data source, dashboard-provider and alert-rule formats require, uids that resolve, the dashboard JSON,
// our own plugin's settings parser on the data source, and every query parsed by our LogQL parser.
// (compose.test.ts runs the queries against the demo data.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../server/grafana/settings';
import { parse as parseLogql } from '../../server/logql/check';
import { expandVariables, hostPath, mounts, readYaml, ROOT, strings, type ComposeFile } from './files';
import { ALERTS, dashboardQueries, readDashboard, type AlertFile } from './queries';

interface DataSourcesFile {
  apiVersion: number;
  datasources: {
    name: string;
    type: string;
    uid: string;
    access: string;
    isDefault?: boolean;
    jsonData?: Record<string, unknown> & { derivedFields?: { name: string; url?: string; matcherRegex: string }[] };
  }[];
}
interface ProvidersFile {
  apiVersion: number;
  providers: { name: string; type: string; options: { path: string } }[];
}

const pluginId = JSON.parse(readFileSync(join(ROOT, 'src/plugin.json'), 'utf8')).id as string;
const ds = readYaml('provisioning/datasources/logqlsql.yaml') as DataSourcesFile;
const providers = readYaml('provisioning/dashboards/dashboards.yaml') as ProvidersFile;
const alerts = readYaml(ALERTS) as AlertFile;
const uids = new Set(ds.datasources.map((d) => d.uid));

describe('provisioning/datasources', () => {
  it('declares our plugin with a uid, and Grafana keeps ${__value.raw} in the derived field link', () => {
    expect(ds.apiVersion).toBe(1);
    for (const d of ds.datasources) {
      expect(d.name).toBeTruthy();
      expect(d.type).toBe(pluginId);
      expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(['proxy', 'direct']).toContain(d.access);
    }
    expect(ds.datasources.filter((d) => d.isDefault)).toHaveLength(1);
    // Grafana expands $NAME/${NAME} from its environment in these files; only $$ survives as a literal $
    for (const [path, s] of strings(ds)) expect(expandVariables(s).unset, path).toEqual([]);
    const link = ds.datasources[0].jsonData!.derivedFields![0];
    expect(expandVariables(link.url!).value).toBe('https://example.invalid/trace/${__value.raw}');
    expect(() => new RegExp(link.matcherRegex)).not.toThrow();
  });

  it("is accepted by the plugin's own settings parser (the backend's view of jsonData)", () => {
    for (const d of ds.datasources) {
      const cfg = parseSettings({ name: d.name, jsonData: Buffer.from(JSON.stringify(d.jsonData ?? {})) });
      expect(cfg.dbUrl).toBe('duckdb:/var/lib/grafana/logqlsql/demo.duckdb');
    }
  });
});

describe('provisioning/dashboards', () => {
  it("the file provider's path is where compose mounts the dashboards, and holds them", () => {
    expect(providers.apiVersion).toBe(1);
    const compose = readYaml('docker-compose.yaml') as ComposeFile;
    for (const p of providers.providers) {
      expect(p.type).toBe('file');
      for (const svc of ['grafana', 'grafana-alpine']) {
        const local = hostPath(p.options.path, mounts(compose.services[svc]), (m) => join(ROOT, m.source));
        expect(local, `${svc} mounts ${p.options.path}`).toBeDefined();
        expect(existsSync(local!)).toBe(true);
        expect(readdirSync(local!).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
      }
    }
  });

  it('the demo dashboard is well-formed: uids resolve, panels fit the 24-column grid, ids and refIds unique', () => {
    const d = readDashboard() as ReturnType<typeof readDashboard> & {
      uid: string;
      title: string;
      schemaVersion: number;
    };
    const raw = JSON.parse(readFileSync(join(ROOT, 'provisioning/dashboards/json/logqlsql-demo.json'), 'utf8'));
    expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(d.title).toBeTruthy();
    expect(Number.isInteger(d.schemaVersion)).toBe(true);
    const ids = new Set<number>();
    for (const p of raw.panels) {
      expect(ids.has(p.id), `panel id ${p.id}`).toBe(false);
      ids.add(p.id);
      const g = p.gridPos;
      for (const k of ['x', 'y', 'w', 'h']) expect(Number.isInteger(g[k]), `${p.title} gridPos.${k}`).toBe(true);
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      expect(uids.has(p.datasource.uid), `${p.title} datasource`).toBe(true);
      const refIds = (p.targets ?? []).map((t: { refId: string }) => t.refId);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
      for (const t of p.targets ?? []) if (t.datasource) expect(uids.has(t.datasource.uid)).toBe(true);
    }
    for (const v of raw.templating.list) expect(uids.has(v.datasource.uid), `variable ${v.name}`).toBe(true);
    for (const a of raw.annotations.list) expect(uids.has(a.datasource.uid), `annotation ${a.name}`).toBe(true);
  });

  it('every query of the dashboard and the alert rule parses as LogQL', () => {
    for (const q of dashboardQueries()) {
      if (q.kind !== 'logql') continue;
      expect(() => parseLogql(q.expr), `${q.where}: ${q.expr}`).not.toThrow();
    }
  });
});

describe('provisioning/alerting', () => {
  it("has Grafana's required rule keys; the condition and expressions name existing queries; uids resolve", () => {
    expect(alerts.apiVersion).toBe(1);
    for (const g of alerts.groups) {
      expect(g.orgId).toBe(1);
      expect(g.name && g.folder && g.interval).toBeTruthy();
      for (const r of g.rules) {
        expect(r.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
        expect(r.title).toBeTruthy();
        const refIds = r.data.map((q) => q.refId);
        expect(refIds).toContain(r.condition);
        for (const q of r.data) {
          expect(q.model.refId ?? q.refId).toBe(q.refId);
          if (q.datasourceUid === '__expr__') expect(refIds).toContain(q.model.expression);
          else {
            expect(uids.has(q.datasourceUid), `${r.title} ${q.refId}`).toBe(true);
            expect(q.relativeTimeRange).toBeDefined();
          }
        }
        // labels are environment-expanded, annotations are not (Grafana's alerting file provisioning)
        for (const [path, s] of strings(r.labels ?? {})) expect(expandVariables(s).unset, path).toEqual([]);
      }
    }
  });
});
