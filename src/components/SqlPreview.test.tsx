// @vitest-environment jsdom
import '../test/setup';
import { render, screen } from '@testing-library/react';
import React from 'react';
import { describe, expect, it, vi } from 'vitest';

import { SqlPreview } from './SqlPreview';

describe('SqlPreview', () => {
  it('shows the backend error when translation fails', async () => {
    const translate = vi.fn(async () => {
      throw new Error('parse error at 1:5');
    });
    render(<SqlPreview expr="{a=" engine="duckdb" translate={translate} isOpen onToggle={vi.fn()} debounceMs={0} />);
    expect(await screen.findByTestId('sql-preview-error')).toHaveTextContent('parse error at 1:5');
  });
  it('names the stages that run in TypeScript', async () => {
    const translate = vi.fn(async () => ({
      sql: [{ text: 'SELECT 1', params: [] }],
      tsStages: ['line_format'],
      explain: '',
    }));
    render(
      <SqlPreview
        expr='{a="b"} | line_format "x"'
        engine="postgres"
        translate={translate}
        isOpen
        onToggle={vi.fn()}
        debounceMs={0}
      />,
    );
    expect(await screen.findByText(/Runs after the database \(TypeScript\): line_format/)).toBeInTheDocument();
    expect(screen.getByText('SQL (postgres)')).toBeInTheDocument();
  });
  it('does not translate while collapsed', () => {
    const translate = vi.fn();
    render(
      <SqlPreview
        expr='{a="b"}'
        engine="duckdb"
        translate={translate}
        isOpen={false}
        onToggle={vi.fn()}
        debounceMs={0}
      />,
    );
    expect(translate).not.toHaveBeenCalled();
  });
});
