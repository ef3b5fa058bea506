// @vitest-environment jsdom
import '../test/setup';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';

import { LogQLVariableSupport, VariableQueryEditor } from './VariableQueryEditor';

const ds = {
  languageProvider: { labelNames: vi.fn(async () => ['app', 'env']) },
  metricFindQuery: vi.fn(async () => [{ text: 'a' }]),
} as any;

describe('VariableQueryEditor', () => {
  it('switches type and edits the stream selector', async () => {
    const onChange = vi.fn();
    render(
      <VariableQueryEditor
        datasource={ds}
        query={{ refId: 'v', type: 'labelNames' }}
        onChange={onChange}
        onRunQuery={vi.fn()}
      />,
    );
    await userEvent.click(screen.getByLabelText('Label values'));
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ type: 'labelValues', query: 'label_values()' }),
    );
    const sel = screen.getByLabelText('Stream selector');
    fireEvent.change(sel, { target: { value: '{app="x"}' } });
    fireEvent.blur(sel);
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ stream: '{app="x"}', query: 'label_names({app="x"})' }),
    );
  });

  it('accepts the legacy string form', () => {
    render(
      <VariableQueryEditor
        datasource={ds}
        query={'sum(rate({a="b"}[1m]))' as any}
        onChange={vi.fn()}
        onRunQuery={vi.fn()}
      />,
    );
    expect(screen.getByRole('textbox', { name: 'LogQL query' })).toHaveValue('sum(rate({a="b"}[1m]))');
  });

  it('variable support runs metricFindQuery', async () => {
    const vs = new LogQLVariableSupport(ds);
    const res = await lastValueFrom(vs.query({ targets: [{ refId: 'v', type: 'labelNames' }], scopedVars: {} } as any));
    expect(res.data).toEqual([{ text: 'a' }]);
  });
});
