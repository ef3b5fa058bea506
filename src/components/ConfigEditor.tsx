// Data source settings: engine and connection (password as a secure field), table mapping with presets, limits and
// derived fields. "Save & test" runs the backend's CheckHealth (DataSourceWithBackend.testDatasource).

import { css } from '@emotion/css';
import type { DataSourcePluginOptionsEditorProps, GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Field, Input, RadioButtonGroup, SecretInput, Select, Switch, TagsInput, useStyles2 } from '@grafana/ui';
import React from 'react';

import type { Engine, LogQLOptions, LogQLSecureJsonData, MappingPreset, TableMapping } from '../types';
import { DerivedFields } from './DerivedFields';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<LogQLOptions, LogQLSecureJsonData>;

export const ENGINES: Array<SelectableValue<Engine>> = [
  { label: 'DuckDB', value: 'duckdb', description: 'Embedded; a file or :memory:' },
  { label: 'PostgreSQL', value: 'postgres', description: 'A PostgreSQL server' },
  { label: 'ClickHouse', value: 'clickhouse', description: 'A ClickHouse server (HTTP)' },
  { label: 'chDB', value: 'chdb', description: 'ClickHouse in-process; a data directory' },
];

const DEFAULT_PORTS: Record<Engine, number | undefined> = {
  duckdb: undefined,
  chdb: undefined,
  postgres: 5432,
  clickhouse: 8123,
};

/** Column defaults for each table-mapping preset. */
export const MAPPING_PRESETS: Record<MappingPreset, TableMapping> = {
  native: { mode: 'native' },
  flat: {
    mode: 'flat',
    table: 'logs',
    timestampColumn: 'timestamp',
    bodyColumn: 'message',
    labelColumns: ['service', 'level', 'host'],
  },
  map: { mode: 'map', table: 'logs', timestampColumn: 'timestamp', bodyColumn: 'line', labelsColumn: 'labels' },
  otel: {
    mode: 'otel',
    table: 'otel_logs',
    timestampColumn: 'Timestamp',
    bodyColumn: 'Body',
    labelsColumn: 'ResourceAttributes',
    severityColumn: 'SeverityText',
  },
};

const PRESET_OPTIONS: Array<SelectableValue<MappingPreset>> = [
  { label: 'Native', value: 'native', description: 'The streams/entries schema logqlsql creates for pushed logs' },
  { label: 'Flat', value: 'flat', description: 'One table; labels are plain columns' },
  { label: 'Map labels', value: 'map', description: 'One table; labels in a map or JSON column' },
  { label: 'OTel', value: 'otel', description: 'The OpenTelemetry collector exporter layout (otel_logs)' },
];

/** The database URL the settings describe (without the password), shown and sent as jsonData.url. */
export function buildDatabaseUrl(o: LogQLOptions): string {
  const engine = o.engine ?? 'duckdb';
  if (engine === 'duckdb' || engine === 'chdb') {
    return `${engine}:${o.path || (engine === 'duckdb' ? ':memory:' : './data/chdb')}`;
  }
  const scheme = engine === 'postgres' ? 'postgres' : 'clickhouse';
  const user = o.user ? `${encodeURIComponent(o.user)}@` : '';
  const host = o.host || 'localhost';
  const port = o.port ?? DEFAULT_PORTS[engine];
  const db = o.database ? `/${encodeURIComponent(o.database)}` : '';
  const tls = o.tls ? (engine === 'postgres' ? '?sslmode=require' : '?secure=true') : '';
  return `${scheme}://${user}${host}${port ? `:${port}` : ''}${db}${tls}`;
}

export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  const styles = useStyles2(getStyles);
  const json = options.jsonData ?? {};
  const engine = json.engine ?? 'duckdb';
  const mapping = json.tableMapping ?? MAPPING_PRESETS.native;
  const secure = (options.secureJsonData ?? {}) as LogQLSecureJsonData;

  const setJson = (patch: Partial<LogQLOptions>) => {
    const jsonData = { ...json, ...patch };
    jsonData.url = buildDatabaseUrl(jsonData);
    onOptionsChange({ ...options, jsonData });
  };
  const setMapping = (patch: Partial<TableMapping>) => setJson({ tableMapping: { ...mapping, ...patch } });
  const num = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

  return (
    <div className={styles.wrapper} data-testid="logqlsql-config-editor">
      <h3 className={styles.heading}>Database</h3>
      <Field label="Engine" description="The SQL database the logs live in">
        <Select<Engine>
          inputId="logqlsql-engine"
          aria-label="Engine"
          width={40}
          options={ENGINES}
          value={engine}
          onChange={(v) => setJson({ engine: v.value!, port: v.value ? DEFAULT_PORTS[v.value] : undefined })}
        />
      </Field>
      {(engine === 'duckdb' || engine === 'chdb') && (
        <Field
          label="Path"
          description={
            engine === 'duckdb'
              ? 'A DuckDB file (relative to Grafana’s working directory) or :memory:'
              : 'A chDB data directory'
          }
        >
          <Input
            id="logqlsql-path"
            width={60}
            value={json.path ?? ''}
            placeholder={engine === 'duckdb' ? './data/logs.duckdb' : './data/chdb'}
            onChange={(e) => setJson({ path: e.currentTarget.value })}
          />
        </Field>
      )}
      {(engine === 'postgres' || engine === 'clickhouse') && (
        <>
          <div className={styles.row}>
            <Field label="Host">
              <Input
                id="logqlsql-host"
                width={40}
                value={json.host ?? ''}
                placeholder="localhost"
                onChange={(e) => setJson({ host: e.currentTarget.value })}
              />
            </Field>
            <Field label="Port">
              <Input
                id="logqlsql-port"
                width={12}
                type="number"
                value={json.port ?? ''}
                placeholder={String(DEFAULT_PORTS[engine])}
                onChange={(e) => setJson({ port: num(e.currentTarget.value) })}
              />
            </Field>
          </div>
          <div className={styles.row}>
            <Field label="Database">
              <Input
                id="logqlsql-database"
                width={30}
                value={json.database ?? ''}
                onChange={(e) => setJson({ database: e.currentTarget.value })}
              />
            </Field>
            <Field label="User">
              <Input
                id="logqlsql-user"
                width={30}
                value={json.user ?? ''}
                onChange={(e) => setJson({ user: e.currentTarget.value })}
              />
            </Field>
          </div>
          <Field label="Password" description="Stored encrypted; never sent back to the browser">
            <SecretInput
              id="logqlsql-password"
              width={40}
              isConfigured={Boolean(options.secureJsonFields?.password)}
              value={secure.password ?? ''}
              onReset={() =>
                onOptionsChange({
                  ...options,
                  secureJsonFields: { ...options.secureJsonFields, password: false },
                  secureJsonData: { ...secure, password: '' },
                })
              }
              onChange={(e) =>
                onOptionsChange({ ...options, secureJsonData: { ...secure, password: e.currentTarget.value } })
              }
            />
          </Field>
          <Field label="TLS">
            <Switch
              id="logqlsql-tls"
              value={Boolean(json.tls)}
              onChange={(e) => setJson({ tls: e.currentTarget.checked })}
            />
          </Field>
        </>
      )}
      <Field
        label="Database URL"
        description="What the backend connects to (the password is added from the secure field)"
      >
        <code data-testid="logqlsql-url">{buildDatabaseUrl(json)}</code>
      </Field>

      <h3 className={styles.heading}>Table mapping</h3>
      <Field label="Layout">
        <RadioButtonGroup<MappingPreset>
          options={PRESET_OPTIONS}
          value={mapping.mode}
          onChange={(p) => setJson({ tableMapping: { ...MAPPING_PRESETS[p] } })}
        />
      </Field>
      {mapping.mode !== 'native' && (
        <div data-testid="logqlsql-mapping-columns">
          <div className={styles.row}>
            <Field label="Table">
              <Input
                id="logqlsql-table"
                width={30}
                value={mapping.table ?? ''}
                onChange={(e) => setMapping({ table: e.currentTarget.value })}
              />
            </Field>
            <Field label="Timestamp column">
              <Input
                id="logqlsql-ts"
                width={24}
                value={mapping.timestampColumn ?? ''}
                onChange={(e) => setMapping({ timestampColumn: e.currentTarget.value })}
              />
            </Field>
            <Field label="Line column">
              <Input
                id="logqlsql-line"
                width={24}
                value={mapping.bodyColumn ?? ''}
                onChange={(e) => setMapping({ bodyColumn: e.currentTarget.value })}
              />
            </Field>
          </div>
          {mapping.mode === 'flat' ? (
            <Field label="Label columns" description="Plain columns exposed as labels">
              <TagsInput
                tags={mapping.labelColumns ?? []}
                onChange={(tags) => setMapping({ labelColumns: tags })}
                placeholder="column, Enter"
              />
            </Field>
          ) : (
            <Field label="Labels column" description="A map or JSON column with the labels">
              <Input
                id="logqlsql-labels"
                width={30}
                value={mapping.labelsColumn ?? ''}
                onChange={(e) => setMapping({ labelsColumn: e.currentTarget.value })}
              />
            </Field>
          )}
          {(mapping.mode === 'otel' || mapping.mode === 'flat' || mapping.mode === 'map') && (
            <Field label="Severity column" description="Optional: the level of each line">
              <Input
                id="logqlsql-sev"
                width={24}
                value={mapping.severityColumn ?? ''}
                onChange={(e) => setMapping({ severityColumn: e.currentTarget.value || undefined })}
              />
            </Field>
          )}
        </div>
      )}

      <h3 className={styles.heading}>Limits</h3>
      <div className={styles.row}>
        <Field label="Default line limit" description="Lines a log query returns when it sets no limit">
          <Input
            id="logqlsql-maxlines"
            width={16}
            type="number"
            value={json.maxLines ?? ''}
            placeholder="5000"
            onChange={(e) => setJson({ maxLines: num(e.currentTarget.value) })}
          />
        </Field>
        <Field label="Query timeout (s)">
          <Input
            id="logqlsql-timeout"
            width={16}
            type="number"
            value={json.timeout ?? ''}
            placeholder="60"
            onChange={(e) => setJson({ timeout: num(e.currentTarget.value) })}
          />
        </Field>
      </div>

      <h3 className={styles.heading}>Derived fields</h3>
      <DerivedFields value={json.derivedFields ?? []} onChange={(derivedFields) => setJson({ derivedFields })} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ maxWidth: 900 }),
  heading: css({ marginTop: theme.spacing(3), marginBottom: theme.spacing(1) }),
  row: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap' }),
});
