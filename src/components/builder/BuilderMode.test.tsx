// @vitest-environment jsdom
// Builder/Code mode in the query editor: the mode is kept in the query, a query the builder can show opens as label
// filters and operations, one it cannot show stays in Code mode with the construct named.
import '../../test/setup';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { LogQLQuery } from '../../types';
import { QueryEditor } from '../QueryEditor';

vi.mock('@grafana/ui', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@grafana/ui')>();
  const { MockCodeEditor } = await import('../../test/mockCodeEditor');
  return { ...mod, CodeEditor: MockCodeEditor };
});

function fakeDs() {
  return {
    engine: 'duckdb',
    settings: { jsonData: {} },
    setTimeRange: vi.fn(),
    validate: vi.fn(async () => ({ ok: true })),
    translate: vi.fn(async () => ({ sql: [], tsStages: [], explain: '' })),
    explain: vi.fn(async () => ({ query: '', dialect: 'duckdb', type: 'logs', stages: [], statements: [], notes: [] })),
    indexStats: vi.fn(async () => ({ streams: 1, chunks: 1, entries: 1, bytes: 1 })),
    languageProvider: {
      labelNames: vi.fn(async () => ['app', 'env']),
      labelValues: vi.fn(async () => ['api', 'web']),
      detectedFields: vi.fn(async () => []),
    },
  } as any;
}

function Harness({ initial, seen }: { initial: LogQLQuery; seen: LogQLQuery[] }) {
  const [query, setQuery] = useState(initial);
  return (
    <QueryEditor
      datasource={fakeDs()}
      query={query}
      onChange={(q) => {
        seen.push(q);
        setQuery(q);
      }}
      onRunQuery={() => undefined}
    />
  );
}

describe('Builder and Code modes', () => {
  it('opens a query in the builder and keeps the mode in the query', async () => {
    const seen: LogQLQuery[] = [];
    render(<Harness initial={{ refId: 'A', expr: '{app="api"} | json | __error__=""' }} seen={seen} />);
    await userEvent.click(screen.getByLabelText('Builder'));
    const builder = await screen.findByTestId('logql-builder');
    expect(builder).toHaveTextContent('Json');
    expect(builder).toHaveTextContent('No pipeline errors');
    expect(seen.at(-1)).toMatchObject({ editorMode: 'builder', expr: '{app="api"} | json | __error__=""' });
    expect(screen.getByTestId('builder-raw-query')).toHaveTextContent('{app="api"} | json | __error__=""');
    await userEvent.click(screen.getByLabelText('Code'));
    await waitFor(() => expect(screen.queryByTestId('logql-builder')).not.toBeInTheDocument());
    expect(seen.at(-1)).toMatchObject({ editorMode: 'code' });
  });

  it('stays in Code mode for what the builder cannot show', async () => {
    const seen: LogQLQuery[] = [];
    render(<Harness initial={{ refId: 'A', expr: 'vector(1)' }} seen={seen} />);
    await userEvent.click(screen.getByLabelText('Builder'));
    expect(await screen.findByTestId('builder-notice')).toHaveTextContent('`vector(…)`');
    expect(screen.queryByTestId('logql-builder')).not.toBeInTheDocument();
    expect(seen.every((q) => q.editorMode !== 'builder')).toBe(true);
  });

  it('a kick start pattern applied in Builder mode opens as operations on the first real label', async () => {
    const seen: LogQLQuery[] = [];
    render(<Harness initial={{ refId: 'A', expr: '', editorMode: 'builder' }} seen={seen} />);
    await userEvent.click(screen.getByRole('button', { name: 'Kick start your query' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Use Parse log lines with logfmt parser' }));
    expect(seen.at(-1)).toMatchObject({ expr: '{app="api"} | logfmt | __error__=""', editorMode: 'builder' });
    const builder = await screen.findByTestId('logql-builder');
    await waitFor(() => expect(builder).toHaveTextContent('Logfmt'));
    expect(screen.queryByTestId('query-patterns')).not.toBeInTheDocument();
  });

  it('a saved builder query opens in the builder; one it cannot show falls back to Code', async () => {
    const seen: LogQLQuery[] = [];
    render(<Harness initial={{ refId: 'A', expr: 'rate({app="api"}[5m])', editorMode: 'builder' }} seen={seen} />);
    expect(await screen.findByTestId('logql-builder')).toHaveTextContent('Rate');
    const seen2: LogQLQuery[] = [];
    render(<Harness initial={{ refId: 'B', expr: 'vector(1)', editorMode: 'builder' }} seen={seen2} />);
    expect(await screen.findByTestId('builder-notice')).toBeInTheDocument();
    expect(seen2.at(-1)).toMatchObject({ editorMode: 'code' });
  });
});
