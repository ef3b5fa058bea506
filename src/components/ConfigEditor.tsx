// Data source settings on plugin-ui's sections, as Grafana's own data sources lay them out: connection (engine, file
// or server), authentication (user and password) with TLS for PostgreSQL / ClickHouse (mode, CA and client
// certificate as secure fields), the table mapping with a live check against the database, limits and derived
// fields. "Save & test" runs the backend's CheckHealth (DataSourceWithBackend.testDatasource).

import { css } from '@emotion/css';
import type { DataSourcePluginOptionsEditorProps, GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Auth, AuthMethod, ConfigSection, ConfigSubSection, DataSourceDescription } from '@grafana/plugin-ui';
import { getBackendSrv } from '@grafana/runtime';
import {
  Alert,
  Button,
  Divider,
  Field,
  Input,
  RadioButtonGroup,
  SecretTextArea,
  Select,
  TagsInput,
  useStyles2,
} from '@grafana/ui';
import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';

import type { Engine, LogQLOptions, LogQLSecureJsonData, MappingPreset, TableMapping, TlsMode } from '../types';
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
  return `${scheme}://${user}${host}${port ? `:${port}` : ''}${db}`;
}

/** TLS mode of the settings (older ones have only `tls: true`). */
export function tlsModeOf(o: LogQLOptions): TlsMode {
  return o.tlsMode ?? (o.tls ? 'require' : 'disable');
}

const TLS_MODES: Array<SelectableValue<TlsMode>> = [
  { label: 'Off', value: 'disable', description: 'Plain connection' },
  { label: 'Require', value: 'require', description: 'Encrypted; the server certificate is not checked' },
  { label: 'Verify CA', value: 'verify-ca', description: 'Encrypted; the certificate must be signed by the CA' },
  { label: 'Verify full', value: 'verify-full', description: 'As Verify CA, and the host name must match' },
];

type SecureKey = keyof LogQLSecureJsonData;

type MappingCheck =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'ok'; describe: string; streams: number }
  | { status: 'error'; message: string };

export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  const styles = useStyles2(getStyles);
  const json = options.jsonData ?? {};
  const engine = json.engine ?? 'duckdb';
  const mapping = json.tableMapping ?? MAPPING_PRESETS.native;
  const secure = (options.secureJsonData ?? {}) as LogQLSecureJsonData;
  const server = engine === 'postgres' || engine === 'clickhouse';
  const tlsMode = tlsModeOf(json);
  const [check, setCheck] = useState<MappingCheck>({ status: 'idle' });

  const setJson = (patch: Partial<LogQLOptions>) => {
    const jsonData = { ...json, ...patch };
    jsonData.url = buildDatabaseUrl(jsonData);
    onOptionsChange({ ...options, jsonData });
  };
  const setMapping = (patch: Partial<TableMapping>) => {
    setCheck({ status: 'idle' });
    setJson({ tableMapping: { ...mapping, ...patch } });
  };
  const num = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
  const setSecure = (key: SecureKey, value: string) =>
    onOptionsChange({ ...options, secureJsonData: { ...secure, [key]: value } });
  const resetSecure = (key: SecureKey) =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...options.secureJsonFields, [key]: false },
      secureJsonData: { ...secure, [key]: '' },
    });
  const secureField = (key: SecureKey, label: string, placeholder: string, description: string) => (
    <Field label={label} description={description}>
      <SecretTextArea
        id={`logqlsql-${key}`}
        aria-label={label}
        cols={60}
        rows={4}
        placeholder={placeholder}
        isConfigured={Boolean(options.secureJsonFields?.[key])}
        onReset={() => resetSecure(key)}
        onChange={(e) => setSecure(key, e.currentTarget.value)}
      />
    </Field>
  );

  const checkMapping = async () => {
    setCheck({ status: 'checking' });
    try {
      const res = await lastValueFrom(
        getBackendSrv().fetch<{ ok: boolean; describe?: string; streams?: number; error?: string }>({
          url: `/api/datasources/uid/${options.uid}/resources/mapping/check`,
          params: { mapping: JSON.stringify(mapping) },
          showErrorAlert: false,
        }),
      );
      const d = res.data;
      setCheck(
        d.ok
          ? { status: 'ok', describe: d.describe ?? '', streams: d.streams ?? 0 }
          : { status: 'error', message: d.error ?? 'the mapping does not fit the table' },
      );
    } catch (e) {
      const err = e as { data?: { error?: string; message?: string }; message?: string };
      setCheck({ status: 'error', message: err?.data?.error ?? err?.data?.message ?? err?.message ?? String(e) });
    }
  };

  return (
    <div className={styles.wrapper} data-testid="logqlsql-config-editor">
      <DataSourceDescription
        dataSourceName="LogQL SQL"
        docsLink="/plugins/logqlsql-datasource"
        hasRequiredFields={server}
      />
      <Divider />
      <ConfigSection title="Connection" description="The SQL database the logs live in">
        <Field label="Engine">
          <Select<Engine>
            inputId="logqlsql-engine"
            aria-label="Engine"
            width={40}
            options={ENGINES}
            value={engine}
            onChange={(v) => setJson({ engine: v.value!, port: v.value ? DEFAULT_PORTS[v.value] : undefined })}
          />
        </Field>
        {!server && (
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
        {server && (
          <>
            <div className={styles.row}>
              <Field label="Host" required>
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
            <Field label="Database">
              <Input
                id="logqlsql-database"
                width={30}
                value={json.database ?? ''}
                onChange={(e) => setJson({ database: e.currentTarget.value })}
              />
            </Field>
          </>
        )}
        <Field
          label="Database URL"
          description="What the backend connects to (the password and certificates come from the secure fields)"
        >
          <code data-testid="logqlsql-url">{buildDatabaseUrl(json)}</code>
        </Field>
      </ConfigSection>

      {server && (
        <>
          <Divider />
          <Auth
            selectedMethod={AuthMethod.BasicAuth}
            visibleMethods={[AuthMethod.BasicAuth]}
            defaultOptionsOverrides={{
              [AuthMethod.BasicAuth]: { label: 'User and password', description: 'The database account' },
            }}
            onAuthMethodSelect={() => undefined}
            basicAuth={{
              user: json.user ?? '',
              passwordConfigured: Boolean(options.secureJsonFields?.password),
              userLabel: 'User',
              passwordLabel: 'Password',
              passwordTooltip: 'Stored encrypted; never sent back to the browser',
              onUserChange: (user) => setJson({ user }),
              onPasswordChange: (password) => setSecure('password', password),
              onPasswordReset: () => resetSecure('password'),
            }}
          />
          <ConfigSubSection
            title="TLS"
            description={`Encrypt the connection to ${engine === 'postgres' ? 'PostgreSQL' : 'ClickHouse (HTTPS)'}; certificates are stored encrypted.`}
          >
            <Field label="Mode">
              <RadioButtonGroup<TlsMode>
                options={TLS_MODES}
                value={tlsMode}
                onChange={(mode) => setJson({ tlsMode: mode, tls: mode !== 'disable' })}
              />
            </Field>
            {tlsMode !== 'disable' && (
              <div data-testid="logqlsql-tls-certificates">
                {(tlsMode === 'verify-ca' || tlsMode === 'verify-full') &&
                  secureField(
                    'tlsCACert',
                    'CA certificate',
                    '-----BEGIN CERTIFICATE-----',
                    'PEM; empty: the system’s trusted CAs',
                  )}
                {secureField(
                  'tlsClientCert',
                  'Client certificate',
                  '-----BEGIN CERTIFICATE-----',
                  'PEM; only for servers that authenticate clients by certificate',
                )}
                {secureField(
                  'tlsClientKey',
                  'Client key',
                  '-----BEGIN PRIVATE KEY-----',
                  'PEM; the client certificate’s key',
                )}
              </div>
            )}
          </ConfigSubSection>
        </>
      )}

      <Divider />
      <ConfigSection
        title="Table mapping"
        description="Where the log lines live: the schema logqlsql creates for pushed logs, or an existing table"
      >
        <Field label="Layout">
          <RadioButtonGroup<MappingPreset>
            options={PRESET_OPTIONS}
            value={mapping.mode}
            onChange={(p) => {
              setCheck({ status: 'idle' });
              setJson({ tableMapping: { ...MAPPING_PRESETS[p] } });
            }}
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
            <Field label="Severity column" description="Optional: the level of each line">
              <Input
                id="logqlsql-sev"
                width={24}
                value={mapping.severityColumn ?? ''}
                onChange={(e) => setMapping({ severityColumn: e.currentTarget.value || undefined })}
              />
            </Field>
          </div>
        )}
        <div className={styles.check}>
          <Button
            size="sm"
            variant="secondary"
            icon="check"
            disabled={!options.uid || check.status === 'checking'}
            onClick={checkMapping}
          >
            {check.status === 'checking' ? 'Checking…' : 'Check mapping'}
          </Button>
          <span className={styles.muted}>against the saved connection</span>
        </div>
        <div aria-live="polite" data-testid="logqlsql-mapping-check">
          {check.status === 'ok' && (
            <Alert severity="success" title="The mapping fits the database">
              Reads {check.describe}: {check.streams} stream{check.streams === 1 ? '' : 's'}.
            </Alert>
          )}
          {check.status === 'error' && (
            <Alert severity="error" title="The mapping does not fit the database">
              {check.message}
            </Alert>
          )}
        </div>
      </ConfigSection>

      <Divider />
      <ConfigSection title="Limits" isCollapsible isInitiallyOpen>
        <div className={styles.row}>
          <Field label="Default line limit" description="Lines a log query returns when it sets no limit">
            <Input
              id="logqlsql-maxlines"
              width={16}
              type="number"
              value={json.maxLines ?? ''}
              placeholder="1000"
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
      </ConfigSection>

      <Divider />
      <ConfigSection
        title="Derived fields"
        description="Turn part of a log line into a link: to a URL, or a query in another data source (a trace ID into a tracing data source)"
      >
        <DerivedFields value={json.derivedFields ?? []} onChange={(derivedFields) => setJson({ derivedFields })} />
      </ConfigSection>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ maxWidth: 900 }),
  row: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap' }),
  check: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
