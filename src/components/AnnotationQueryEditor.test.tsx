// @vitest-environment jsdom
import '../test/setup';
import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';
import { describe, expect, it, vi } from 'vitest';

import { AnnotationQueryEditor } from './AnnotationQueryEditor';

vi.mock('@grafana/ui', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@grafana/ui')>();
  const { MockCodeEditor } = await import('../test/mockCodeEditor');
  return { ...mod, CodeEditor: MockCodeEditor };
});

const ds = {
  engine: 'duckdb',
  settings: { jsonData: {} },
  setTimeRange: vi.fn(),
  validate: vi.fn(async () => ({ ok: true })),
  translate: vi.fn(),
  languageProvider: {
    labelNames: vi.fn(async () => []),
    labelValues: vi.fn(async () => []),
    detectedFields: vi.fn(async () => []),
  },
} as any;

describe('AnnotationQueryEditor', () => {
  it('edits the query and the tag/title settings', () => {
    const onAnnotationChange = vi.fn();
    const annotation = { name: 'a', enable: true, iconColor: 'red', target: { refId: 'Anno', expr: '{app="api"}' } };
    render(
      <AnnotationQueryEditor
        datasource={ds}
        query={annotation.target}
        onChange={vi.fn()}
        onRunQuery={vi.fn()}
        annotation={annotation as any}
        onAnnotationChange={onAnnotationChange}
      />,
    );
    const box = screen.getByLabelText('Query editor');
    fireEvent.change(box, { target: { value: '{app="web"}' } });
    fireEvent.blur(box);
    expect(onAnnotationChange.mock.lastCall![0].target.expr).toBe('{app="web"}');
    const tags = screen.getByLabelText('Tags');
    fireEvent.change(tags, { target: { value: 'app' } });
    fireEvent.blur(tags);
    expect(onAnnotationChange.mock.lastCall![0].target.tagKeys).toBe('app');
  });
});
