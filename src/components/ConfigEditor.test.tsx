// @vitest-environment jsdom
import '../test/setup';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { LogQLOptions } from '../types';
import { ConfigEditor, MAPPING_PRESETS, buildDatabaseUrl } from './ConfigEditor';

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
    expect(buildDatabaseUrl({ engine: 'clickhouse', host: 'ch', port: 8443, tls: true })).toBe(
      'clickhouse://ch:8443?secure=true',
    );
  });

  it('edits the DuckDB path', () => {
    const { onOptionsChange } = setup({ engine: 'duckdb' });
    fireEvent.change(screen.getByPlaceholderText('./data/logs.duckdb'), { target: { value: './x.duckdb' } });
    expect(onOptionsChange.mock.lastCall![0].jsonData).toMatchObject({ path: './x.duckdb', url: 'duckdb:./x.duckdb' });
  });

  it('keeps the password in secureJsonData and can reset it', async () => {
    const { onOptionsChange } = setup({ engine: 'postgres', host: 'db' });
    fireEvent.change(document.getElementById('logqlsql-password')!, { target: { value: 's3cret' } });
    const last = onOptionsChange.mock.lastCall![0];
    expect(last.secureJsonData).toEqual({ password: 's3cret' });
    expect(JSON.stringify(last.jsonData)).not.toContain('s3cret');
    setup({ engine: 'postgres' }, { password: true });
    await userEvent.click(screen.getByRole('button', { name: /reset/i }));
    expect(onOptionsChange.mock.lastCall).toBeDefined();
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
});
