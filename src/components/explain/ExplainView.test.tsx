// @vitest-environment jsdom
import '../../test/setup';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { describe, expect, it, vi } from 'vitest';

import { statsText } from '../QueryStatsHint';
import { ExplainView } from './ExplainView';
import type { Explanation } from './types';

const X: Explanation = {
  query: '{app="api"} |~ "a.c" | json',
  dialect: 'postgres',
  type: 'logs',
  statements: [{ text: 'SELECT stream_id, ts, line FROM entries WHERE …', params: ['1'] }],
  notes: [],
  stages: [
    {
      kind: 'selector',
      text: '{app="api"}',
      description: 'read the entries of the streams where app is "api", within the time range',
      where: 'database',
      sql: { text: 'SELECT stream_id, ts, line FROM entries WHERE …', params: ['1'] },
      statement: 0,
      depth: 0,
    },
    {
      kind: 'lineFilter',
      text: '|~ "a.c"',
      description: 'keep lines matching the regular expression "a.c" (unanchored RE2)',
      where: 'typescript',
      reason: 'regex line filter: engine regexes are not RE2',
      depth: 0,
    },
  ],
};

describe('ExplainView', () => {
  it('asks the backend once typing stops and shows each stage, where it runs and why', async () => {
    const explain = vi.fn(async () => X);
    render(<ExplainView expr={X.query} explain={explain} isOpen onToggle={() => undefined} debounceMs={10} />);
    await screen.findAllByTestId('explain-stage');
    expect(explain).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('explain-summary')).toHaveTextContent(
      'Log query on PostgreSQL: 1 of 2 stages run in the database; 1 runs (at least partly) in TypeScript.',
    );
    const [sel, filter] = screen.getAllByTestId('explain-stage');
    expect(sel).toHaveAttribute('data-where', 'database');
    expect(filter).toHaveAttribute('data-where', 'typescript');
    expect(filter).toHaveTextContent('regex line filter: engine regexes are not RE2');
    expect(screen.queryByTestId('explain-sql')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Show the SQL' }));
    expect(screen.getByTestId('explain-sql')).toHaveTextContent('SELECT stream_id');
    expect(screen.getByText("$1 = '1'")).toBeInTheDocument();
  });

  it('shows the backend’s error, and nothing is asked while closed', async () => {
    const explain = vi.fn(async () => {
      throw { data: { error: 'parse error at line 1, col 7: syntax error' } };
    });
    const { rerender } = render(
      <ExplainView expr="{app=" explain={explain} isOpen={false} onToggle={() => undefined} debounceMs={10} />,
    );
    await new Promise((r) => setTimeout(r, 30));
    expect(explain).not.toHaveBeenCalled();
    rerender(<ExplainView expr="{app=" explain={explain} isOpen onToggle={() => undefined} debounceMs={10} />);
    await waitFor(() => expect(screen.getByTestId('explain-error')).toHaveTextContent('parse error at line 1, col 7'));
  });
});

describe('query stats text', () => {
  it('says lines, bytes and streams as Grafana formats bytes', () => {
    expect(statsText({ streams: 2, chunks: 2, entries: 12345, bytes: 2_700_000 })).toBe(
      'This query will process about 12,345 lines (2.6 MiB) from 2 streams.',
    );
    expect(statsText({ streams: 1, chunks: 1, entries: 1, bytes: 10 })).toBe(
      'This query will process about 1 line (10.0 B) from 1 stream.',
    );
  });
});
