// A standalone page for the browser test: the real QueryEditor and ConfigEditor, with Grafana's theme, backed by the
// real DataSource class. Its backend calls (getResource → /api/datasources/uid/<uid>/resources/…) go to the page's
// own origin, where the test's server forwards them to a running `logqlsql serve`.

import {
  FieldType,
  LoadingState,
  createDataFrame,
  createTheme,
  getDefaultTimeRange,
  type DataFrame,
  type DataSourceInstanceSettings,
  type DataSourceSettings,
  type PanelData,
} from '@grafana/data';
import { setBackendSrv, setDataSourceSrv, setTemplateSrv } from '@grafana/runtime';
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

// Grafana's data source list, for the derived-fields data source picker: one tracing data source
const tempo = {
  id: 2,
  uid: 'tempo',
  name: 'Tempo',
  type: 'tempo',
  access: 'proxy',
  jsonData: {},
  readOnly: false,
  meta: { id: 'tempo', name: 'Tempo', type: 'datasource', tracing: true, info: { logos: { small: '' } } },
};
setDataSourceSrv({
  getList: (filters?: { tracing?: boolean }) => (filters?.tracing === false ? [] : [tempo]),
  getInstanceSettings: (ref?: string | { uid?: string }) =>
    (typeof ref === 'string' ? ref : ref?.uid) === 'tempo' ? tempo : undefined,
  get: async () => undefined,
  reload: () => undefined,
  registerRuntimeDataSource: () => undefined,
} as any);

/** The query's result as Grafana's frames: what the hints read (the page has no /api/ds/query, so it asks the Loki API
 *  the server also serves and shapes the answer as our backend's frames: server/frames/build.ts). */
async function runQuery(expr: string): Promise<DataFrame[]> {
  const end = BigInt(Date.now()) * 1_000_000n;
  const qs = new URLSearchParams({
    query: expr.replaceAll('$__auto', '1m'),
    start: String(end - 3_600_000_000_000n),
    end: String(end),
    limit: '100',
  });
  const res = await fetch(`/loki/api/v1/query_range?${qs}`);
  const body = (await res.json()) as { data?: { resultType: string; result: any[] } };
  const data = body.data;
  if (!res.ok || !data) return [];
  if (data.resultType === 'streams') {
    const rows = data.result.flatMap((s: { stream: Record<string, string>; values: [string, string][] }) =>
      s.values.map(([ts, line]) => ({ ts: Number(BigInt(ts) / 1_000_000n), line, labels: s.stream })),
    );
    return [
      createDataFrame({
        meta: { type: 'log-lines' as never, preferredVisualisationType: 'logs' },
        fields: [
          { name: 'timestamp', type: FieldType.time, values: rows.map((r) => r.ts) },
          { name: 'body', type: FieldType.string, values: rows.map((r) => r.line) },
          { name: 'labels', type: FieldType.other, values: rows.map((r) => r.labels) },
        ],
      }),
    ];
  }
  return data.result.map((s: { metric: Record<string, string>; values: [number, string][] }) =>
    createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: s.values.map(([t]) => t * 1000) },
        { name: 'Value', type: FieldType.number, values: s.values.map(([, v]) => Number(v)), labels: s.metric },
      ],
    }),
  );
}

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
  const [data, setData] = useState<PanelData | undefined>();
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
      tlsMode: 'verify-ca',
      tls: true,
      tableMapping: { mode: 'native' },
      derivedFields: [
        {
          name: 'TraceID',
          matcherType: 'regex',
          matcherRegex: 'traceID=(\\w+)',
          url: '${__value.raw}',
          datasourceUid: 'tempo',
        },
      ],
    },
    secureJsonFields: { password: true, tlsCACert: true },
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
            data={data}
            onRunQuery={() => {
              (window as any).__runs = ((window as any).__runs ?? 0) + 1;
              const expr: string = (window as any).__query?.expr ?? query.expr;
              runQuery(expr).then(
                (series) => {
                  (window as any).__frames = series.length;
                  setData({ state: LoadingState.Done, series, timeRange: getDefaultTimeRange() });
                },
                () => setData(undefined),
              );
            }}
          />
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
