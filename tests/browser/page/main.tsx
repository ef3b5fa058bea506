// A standalone page for the browser test: the real QueryEditor and ConfigEditor, with Grafana's theme, backed by the
// real DataSource class. Its backend calls (getResource → /api/datasources/uid/<uid>/resources/…) go to the page's
// own origin, where the test's server forwards them to a running `logqlsql serve`.

import { createTheme, type DataSourceInstanceSettings, type DataSourceSettings } from '@grafana/data';
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Observable } from 'rxjs';

import { ConfigEditor } from '../../../src/components/ConfigEditor';
import { QueryEditor } from '../../../src/components/QueryEditor';
import { DataSource } from '../../../src/datasource';
import type { LogQLOptions, LogQLQuery, LogQLSecureJsonData } from '../../../src/types';

// Grafana's backend service, reduced to what DataSourceWithBackend.getResource uses.
const backendSrv = {
  fetch(options: { url: string; params?: Record<string, unknown> }) {
    return new Observable((sub) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(options.params ?? {})) {
        if (v !== undefined && v !== null) {
          qs.append(k, String(v));
        }
      }
      const url = options.url + (qs.size ? `?${qs}` : '');
      (window as any).__requests = [...((window as any).__requests ?? []), url];
      fetch(url)
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            data = { message: text };
          }
          if (!res.ok) {
            sub.error({ status: res.status, statusText: res.statusText, data });
            return;
          }
          sub.next({ data, status: res.status, ok: true, headers: res.headers, url, config: options });
          sub.complete();
        })
        .catch((e) => sub.error(e));
    });
  },
};
setBackendSrv(backendSrv as any);
setTemplateSrv({
  replace: (s?: string) => s ?? '',
  getVariables: () => [],
  containsTemplate: () => false,
  updateTimeRange: () => undefined,
} as any);

const theme = createTheme({ colors: { mode: 'dark' } });

const instanceSettings = {
  id: 1,
  uid: 'browser-test',
  type: 'logqlsql-datasource',
  name: 'LogQL SQL',
  access: 'proxy',
  readOnly: false,
  jsonData: { engine: 'duckdb', path: ':memory:' },
  meta: { id: 'logqlsql-datasource' },
} as unknown as DataSourceInstanceSettings<LogQLOptions>;
const ds = new DataSource(instanceSettings);
(window as any).__ds = ds;

function App() {
  const [query, setQuery] = useState<LogQLQuery>({ refId: 'A', expr: '', queryType: 'range' });
  const [runs, setRuns] = useState(0);
  const [options, setOptions] = useState<DataSourceSettings<LogQLOptions, LogQLSecureJsonData>>({
    id: 1,
    uid: 'browser-test',
    orgId: 1,
    name: 'LogQL SQL',
    type: 'logqlsql-datasource',
    typeName: 'LogQL SQL',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: true,
    readOnly: false,
    withCredentials: false,
    jsonData: {
      engine: 'postgres',
      host: 'db.internal',
      port: 5432,
      database: 'logs',
      user: 'grafana',
      tableMapping: { mode: 'native' },
    },
    secureJsonFields: { password: true },
    secureJsonData: {},
  } as DataSourceSettings<LogQLOptions, LogQLSecureJsonData>);
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 24 }}>
        <section id="query-editor" style={{ width: 1100, minHeight: 420, padding: 8 }}>
          <h3>Query editor</h3>
          <QueryEditor
            datasource={ds}
            query={query}
            onChange={(q) => {
              setQuery(q);
              (window as any).__query = q;
            }}
            onRunQuery={() => {
              setRuns((r) => r + 1);
              (window as any).__runs = ((window as any).__runs ?? 0) + 1;
            }}
          />
          <div data-testid="runs">runs: {runs}</div>
        </section>
        <section id="config-editor" style={{ width: 1100, padding: 8 }}>
          <h3>Config editor</h3>
          <ConfigEditor options={options} onOptionsChange={setOptions} />
        </section>
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
