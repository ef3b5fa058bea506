// The query editor, laid out as Grafana's Loki editor: a header (kick start patterns, label browser, Builder/Code
// toggle), the query itself — the builder with its LogQL preview, or Monaco with completion and inline errors — then
// hints, the options row, Explain and the SQL preview, all fed the same LogQL text.

import { css } from '@emotion/css';
import type { GrafanaTheme2, QueryEditorProps } from '@grafana/data';
import { QueryEditorMode, QueryEditorModeToggle, RawQuery } from '@grafana/plugin-ui';
import { Alert, Button, Stack, useStyles2 } from '@grafana/ui';
import React, { useCallback, useEffect, useMemo, useState } from 'react';

import type { DataSource } from '../datasource';
import type { CompletionDataProvider } from '../data/completion';
import { backendMarkers, clientMarkers, type Marker } from '../data/validation';
import type { LogQLOptions, LogQLQuery } from '../types';
import { LabelBrowser } from './LabelBrowser';
import { LogQLField } from './LogQLField';
import { QueryOptions } from './QueryOptions';
import { SqlPreview } from './SqlPreview';
import { ExplainView } from './explain/ExplainView';
import { QueryHints } from './hints/QueryHints';
import { useQueryStats } from './QueryStatsHint';
import { logqlLanguage } from './builder/grammar';
import { LogQLBuilder } from './builder/LogQLBuilder';
import { QueryPatterns } from './builder/QueryPatterns';
import { useBuilderMode } from './builder/useBuilderMode';
import { buildVisualQuery, maskRangeVariables } from '../data/builder/parse';

export type Props = QueryEditorProps<DataSource, LogQLQuery, LogQLOptions>;

const SQL_PREVIEW_KEY = 'logqlsql.sqlPreview.open';
const EXPLAIN_KEY = 'logqlsql.explain.open';

function readPref(key = SQL_PREVIEW_KEY): boolean {
  try {
    return globalThis.localStorage?.getItem(key) === 'true';
  } catch {
    return false;
  }
}

function writePref(key: string, open: boolean): void {
  try {
    globalThis.localStorage?.setItem(key, String(open));
  } catch {
    // private mode
  }
}

/** Debounced validation: client markers at once, the backend's when it answers. */
export function useMarkers(datasource: Pick<DataSource, 'validate'>, expr: string, delayMs = 300): Marker[] {
  const [markers, setMarkers] = useState<Marker[]>(() => clientMarkers(expr));
  useEffect(() => {
    const client = clientMarkers(expr);
    setMarkers(client);
    if (!expr.trim()) {
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      datasource.validate(expr).then(
        (res) => {
          const fromBackend = backendMarkers(expr, res);
          if (!cancelled && fromBackend) {
            setMarkers(fromBackend);
          }
        },
        () => undefined,
      );
    }, delayMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [datasource, expr, delayMs]);
  return markers;
}

export function QueryEditor(props: Props) {
  const { datasource, query, onChange, onRunQuery, range, data } = props;
  const styles = useStyles2(getStyles);
  const [text, setText] = useState(query.expr ?? '');
  const [browserOpen, setBrowserOpen] = useState(false);
  const [patternsOpen, setPatternsOpen] = useState(false);
  const builder = useBuilderMode(query, onChange);
  const [sqlOpen, setSqlOpen] = useState(() => readPref(SQL_PREVIEW_KEY));
  const [explainOpen, setExplainOpen] = useState(() => readPref(EXPLAIN_KEY));

  useEffect(() => setText(query.expr ?? ''), [query.expr]);
  useEffect(() => datasource.setTimeRange(range), [datasource, range]);

  // Grafana's range variables ($__auto, $__interval) are not LogQL: validate the text with durations in their place
  const markers = useMarkers(datasource, maskRangeVariables(text));

  const dataProvider: CompletionDataProvider = useMemo(
    () => ({
      labelNames: (s) => datasource.languageProvider.labelNames(s),
      labelValues: (n, s) => datasource.languageProvider.labelValues(n, s),
      detectedFields: (q) => datasource.languageProvider.detectedFields(q),
    }),
    [datasource],
  );

  const commit = useCallback(
    (expr: string) => {
      if (expr !== query.expr) {
        onChange({ ...query, expr });
      }
    },
    [onChange, query],
  );

  const translate = useCallback((expr: string) => datasource.translate(expr), [datasource]);
  const explain = useCallback((expr: string) => datasource.explain(expr), [datasource]);
  const indexStats = useCallback((expr: string) => datasource.indexStats(expr), [datasource]);
  const stats = useQueryStats(text, indexStats, `${range?.from?.valueOf()}-${range?.to?.valueOf()}`);

  return (
    <div className={styles.wrapper} data-testid="logql-query-editor">
      <Stack gap={1} alignItems="center" justifyContent="space-between">
        <Stack gap={1}>
          <Button
            size="sm"
            variant="secondary"
            icon={patternsOpen ? 'angle-down' : 'angle-right'}
            onClick={() => setPatternsOpen(!patternsOpen)}
            aria-expanded={patternsOpen}
          >
            Kick start your query
          </Button>
          {builder.mode === 'code' && (
            <Button
              size="sm"
              variant="secondary"
              icon={browserOpen ? 'angle-down' : 'angle-right'}
              onClick={() => setBrowserOpen(!browserOpen)}
              aria-expanded={browserOpen}
            >
              Label browser
            </Button>
          )}
        </Stack>
        <QueryEditorModeToggle
          mode={builder.mode === 'builder' ? QueryEditorMode.Builder : QueryEditorMode.Code}
          onChange={(m) => builder.setMode(m === QueryEditorMode.Builder ? 'builder' : 'code', text)}
        />
      </Stack>
      {builder.notice && (
        <Alert
          severity="info"
          title="Staying in Code mode"
          onRemove={builder.dismissNotice}
          data-testid="builder-notice"
        >
          {builder.notice}
        </Alert>
      )}
      {patternsOpen && (
        <QueryPatterns
          provider={datasource.languageProvider}
          onClose={() => setPatternsOpen(false)}
          onSelect={(expr) => {
            setPatternsOpen(false);
            setText(expr);
            const fits = builder.mode === 'builder' && buildVisualQuery(expr).query;
            onChange({ ...query, expr, editorMode: fits || builder.mode === 'code' ? builder.mode : 'code' });
            onRunQuery();
          }}
        />
      )}
      {builder.mode === 'builder' && builder.visual ? (
        <>
          <LogQLBuilder
            query={builder.visual}
            datasource={datasource}
            onChange={builder.onVisualChange}
            onRunQuery={onRunQuery}
            timeRange={range}
          />
          <div data-testid="builder-raw-query">
            <RawQuery query={text} language={logqlLanguage as never} className={styles.rawQuery} />
          </div>
        </>
      ) : (
        <LogQLField
          value={text}
          onEdit={setText}
          onCommit={commit}
          onRunQuery={(expr) => {
            commit(expr);
            onRunQuery();
          }}
          dataProvider={dataProvider}
          markers={markers}
          placeholder='Enter a LogQL query, e.g. {app="api"} |= "error" (Shift+Enter to run)'
        />
      )}
      {markers.length > 0 && (
        <div className={styles.error} data-testid="logql-error" role="alert">
          {markers[0].message}
        </div>
      )}
      {browserOpen && builder.mode === 'code' && (
        <LabelBrowser
          provider={datasource.languageProvider}
          onClose={() => setBrowserOpen(false)}
          onChange={(selector) => {
            setBrowserOpen(false);
            setText(selector);
            onChange({ ...query, expr: selector });
            onRunQuery();
          }}
        />
      )}
      <QueryHints
        expr={text}
        frames={data?.series}
        onFix={(expr) => {
          setText(expr);
          onChange({ ...query, expr });
          onRunQuery();
        }}
      />
      <QueryOptions
        query={{ ...query, expr: text }}
        onChange={onChange}
        onRunQuery={onRunQuery}
        maxLinesDefault={datasource.settings.jsonData?.maxLines}
        stats={stats}
      />
      <ExplainView
        expr={text}
        explain={explain}
        isOpen={explainOpen}
        onToggle={(open) => {
          setExplainOpen(open);
          writePref(EXPLAIN_KEY, open);
        }}
      />
      <SqlPreview
        expr={text}
        engine={datasource.engine}
        translate={translate}
        isOpen={sqlOpen}
        onToggle={(open) => {
          setSqlOpen(open);
          writePref(SQL_PREVIEW_KEY, open);
        }}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  rawQuery: css({
    padding: theme.spacing(1),
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
  }),
  error: css({
    color: theme.colors.error.text,
    fontSize: theme.typography.bodySmall.fontSize,
    fontFamily: theme.typography.fontFamilyMonospace,
  }),
});
