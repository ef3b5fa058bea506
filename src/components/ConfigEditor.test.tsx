// @vitest-environment jsdom
import '../test/setup';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { LogQLOptions } from '../types';
import { ConfigEditor, MAPPING_PRESETS, buildDatabaseUrl } from './ConfigEditor';
import { previewDerivedFields } from './DerivedFields';

function setup(jsonData: Partial<LogQLOptions> = {}, secureJsonFields: Record<string, boolean> = {}) {
  const onOptionsChange = vi.fn();
  const options = {
    id: 1,
    uid: 'x',
    orgId: 1,
    name: 'LogQL SQL',
    type: 'logqlsql-datasource',
    typeName: '',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    readOnly: false,
    withCredentials: false,
    jsonData: jsonData as LogQLOptions,
    secureJsonFields,
    secureJsonData: {},
  } as any;
  const r = render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return { onOptionsChange, options, ...r };
}

describe('ConfigEditor', () => {
  it('builds database URLs without the password', () => {
    expect(buildDatabaseUrl({ engine: 'duckdb', path: './data/logs.duckdb' })).toBe('duckdb:./data/logs.duckdb');
    expect(buildDatabaseUrl({ engine: 'duckdb' })).toBe('duckdb::memory:');
    expect(buildDatabaseUrl({ engine: 'postgres', host: 'db', user: 'me', database: 'logs' })).toBe(
      'postgres://me@db:5432/logs',
    );
    // TLS settings go to the driver, not into the URL (where sslmode would override them)
    expect(buildDatabaseUrl({ engine: 'clickhouse', host: 'ch', port: 8443, tlsMode: 'verify-full' })).toBe(
      'clickhouse://ch:8443',
    );
  });

  it('edits the DuckDB path', () => {
    const { onOptionsChange } = setup({ engine: 'duckdb' });
    fireEvent.change(screen.getByPlaceholderText('./data/logs.duckdb'), { target: { value: './x.duckdb' } });
    expect(onOptionsChange.mock.lastCall![0].jsonData).toMatchObject({ path: './x.duckdb', url: 'duckdb:./x.duckdb' });
  });

  it('keeps the password in secureJsonData and can reset it', async () => {
    const { onOptionsChange } = setup({ engine: 'postgres', host: 'db' });
    fireEvent.change(document.getElementById('basic-auth-password-input')!, { target: { value: 's3cret' } });
    const last = onOptionsChange.mock.lastCall![0];
    expect(last.secureJsonData).toEqual({ password: 's3cret' });
    expect(JSON.stringify(last.jsonData)).not.toContain('s3cret');
    cleanup();
    // a configured password: Reset clears the secure field (the change handler of *this* render is the one called)
    const second = setup({ engine: 'postgres' }, { password: true });
    expect(second.onOptionsChange).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: /reset/i }));
    expect(second.onOptionsChange).toHaveBeenCalledTimes(1);
    const reset = second.onOptionsChange.mock.lastCall![0];
    expect(reset.secureJsonFields.password).toBe(false);
    expect(reset.secureJsonData.password).toBe('');
  });

  it('TLS: mode in jsonData, certificates as secure fields', async () => {
    const { onOptionsChange } = setup({ engine: 'postgres', host: 'db' });
    expect(screen.queryByTestId('logqlsql-tls-certificates')).not.toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Verify CA'));
    expect(onOptionsChange.mock.lastCall![0].jsonData).toMatchObject({ tlsMode: 'verify-ca', tls: true });
    cleanup();
    const r = setup({ engine: 'postgres', host: 'db', tlsMode: 'verify-ca' }, { tlsClientKey: true });
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    fireEvent.change(screen.getByLabelText('CA certificate'), { target: { value: pem } });
    const last = r.onOptionsChange.mock.lastCall![0];
    expect(last.secureJsonData).toEqual({ tlsCACert: pem });
    expect(JSON.stringify(last.jsonData)).not.toContain('BEGIN');
    // a configured key shows as configured, with a reset
    await userEvent.click(screen.getByRole('button', { name: /reset/i }));
    expect(r.onOptionsChange.mock.lastCall![0].secureJsonFields.tlsClientKey).toBe(false);
  });

  it('shows no TLS or authentication for embedded engines', () => {
    setup({ engine: 'duckdb' });
    expect(screen.queryByText('TLS')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
  });

  it('applies table mapping presets with their columns', async () => {
    const { onOptionsChange } = setup({ engine: 'clickhouse' });
    await userEvent.click(screen.getByLabelText('OTel'));
    expect(onOptionsChange.mock.lastCall![0].jsonData.tableMapping).toEqual(MAPPING_PRESETS.otel);
    setup({ tableMapping: MAPPING_PRESETS.otel });
    expect(screen.getByDisplayValue('otel_logs')).toBeInTheDocument();
    expect(screen.getByDisplayValue('SeverityText')).toBeInTheDocument();
  });

  it('edits limits and derived fields', async () => {
    const { onOptionsChange } = setup({});
    fireEvent.change(document.getElementById('logqlsql-maxlines')!, { target: { value: '2000' } });
    expect(onOptionsChange.mock.lastCall![0].jsonData.maxLines).toBe(2000);
    await userEvent.click(screen.getByRole('button', { name: /Add derived field/ }));
    expect(onOptionsChange.mock.lastCall![0].jsonData.derivedFields).toHaveLength(1);
  });

  it('previews derived fields on a sample line', () => {
    const fields = [
      { name: 'TraceID', matcherRegex: 'traceID=(\\w+)', url: 'https://t/${__value.raw}' },
      { name: 'Internal', matcherRegex: 'traceID=(\\w+)', datasourceUid: 'tempo' },
      { name: 'Missing', matcherRegex: 'span=(\\w+)' },
      { name: 'Broken', matcherRegex: '(' },
      { name: 'ByLabel', matcherRegex: 'app', matcherType: 'label' as const },
    ];
    const p = previewDerivedFields(fields, 'level=info traceID=abc123 msg=x');
    expect(p[0]).toEqual({ name: 'TraceID', value: 'abc123', url: 'https://t/abc123' });
    expect(p[1]).toEqual({ name: 'Internal', value: 'abc123', url: undefined });
    expect(p[2]).toEqual({ name: 'Missing', error: 'no match in this line' });
    expect(p[3].error).toMatch(/Invalid regular expression/);
    expect(p[4].error).toBe('takes the value of label app');
  });
});
