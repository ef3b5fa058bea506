// @vitest-environment jsdom
import '../test/setup';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { LogQLQuery } from '../types';
import { QueryEditor } from './QueryEditor';

vi.mock('@grafana/ui', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@grafana/ui')>();
  const { MockCodeEditor } = await import('../test/mockCodeEditor');
  return { ...mod, CodeEditor: MockCodeEditor };
});

function fakeDs(overrides: Record<string, unknown> = {}) {
  return {
    engine: 'duckdb',
    settings: { jsonData: { maxLines: 500 } },
    setTimeRange: vi.fn(),
    validate: vi.fn(async (expr: string) =>
      expr.includes('!!') ? { error: { message: 'backend says no', from: 0, to: 2 } } : { ok: true },
    ),
    translate: vi.fn(async () => ({
      sql: [{ text: 'SELECT ts, line FROM entries WHERE stream_id IN (?)', params: ['api'] }],
      tsStages: [],
      explain: 'all in SQL',
    })),
    explain: vi.fn(async () => ({ query: '', dialect: 'duckdb', type: 'logs', stages: [], statements: [], notes: [] })),
    indexStats: vi.fn(async () => ({ streams: 2, chunks: 2, entries: 1234, bytes: 56789 })),
    languageProvider: {
      labelNames: vi.fn(async () => ['app', 'env']),
      labelValues: vi.fn(async () => ['api', 'web']),
      detectedFields: vi.fn(async () => []),
    },
    ...overrides,
  } as any;
}

function setup(query: Partial<LogQLQuery> = {}, ds = fakeDs()) {
  const onChange = vi.fn();
  const onRunQuery = vi.fn();
  const q: LogQLQuery = { refId: 'A', expr: '{app="api"}', ...query };
  render(<QueryEditor datasource={ds} query={q} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery, ds };
}

describe('QueryEditor', () => {
  it('commits on blur and runs on Shift+Enter', async () => {
    const { onChange, onRunQuery } = setup();
    const box = screen.getByLabelText('Query editor');
    fireEvent.change(box, { target: { value: '{app="web"}' } });
    fireEvent.blur(box);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ expr: '{app="web"}' }));
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('shows a syntax error from the grammar, then from the backend', async () => {
    setup({ expr: '{app="api"} | json | = "x"' });
    expect(await screen.findByTestId('logql-error')).toHaveTextContent(/parse error/);
    const ds = fakeDs();
    setup({ expr: '!!{app="api"}' }, ds);
    await waitFor(() => expect(ds.validate).toHaveBeenCalled());
    expect(await screen.findByText('backend says no')).toBeInTheDocument();
  });

  it('shows the SQL preview when opened', async () => {
    const { ds } = setup();
    await userEvent.click(screen.getByText('SQL (duckdb)'));
    expect(await screen.findByText(/SELECT ts, line FROM entries/)).toBeInTheDocument();
    expect(screen.getByText("$1 = 'api'")).toBeInTheDocument();
    expect(ds.translate).toHaveBeenCalledWith('{app="api"}');
  });

  it('the label browser builds a selector', async () => {
    const { onChange, onRunQuery } = setup();
    await userEvent.click(screen.getByText('Label browser'));
    await userEvent.click(await screen.findByRole('button', { name: 'app' }));
    await userEvent.click(await screen.findByRole('button', { name: 'api' }));
    await userEvent.click(await screen.findByRole('button', { name: 'web' }));
    expect(screen.getByTestId('label-browser-selector')).toHaveTextContent('{app=~"api|web"}');
    await userEvent.click(screen.getByRole('button', { name: 'Show logs' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ expr: '{app=~"api|web"}' }));
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('options row: query type, line limit, direction for logs; legend and step for metrics', async () => {
    const { onChange } = setup();
    expect(screen.getByTestId('logql-options')).toHaveTextContent('Type: RangeLine limit: 500Direction: Backward');
    await userEvent.click(screen.getByText('Options'));
    await userEvent.click(screen.getByLabelText('Instant'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ queryType: 'instant' }));
    const limit = screen.getByLabelText('Line limit');
    fireEvent.change(limit, { target: { value: '42' } });
    fireEvent.blur(limit);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ maxLines: 42 }));
    await userEvent.click(screen.getByLabelText('Forward'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ direction: 'forward' }));
  });

  it('metric queries show legend and step', async () => {
    const { onChange } = setup({ expr: 'rate({app="api"}[5m])' });
    await userEvent.click(screen.getByText('Options'));
    const legend = screen.getByLabelText('Legend format');
    fireEvent.change(legend, { target: { value: '{{app}}' } });
    fireEvent.blur(legend);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ legendFormat: '{{app}}' }));
    const step = screen.getByLabelText('Step');
    fireEvent.change(step, { target: { value: '1m' } });
    fireEvent.blur(step);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ step: '1m' }));
    expect(screen.queryByLabelText('Line limit')).not.toBeInTheDocument();
  });
});
