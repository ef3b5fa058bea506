// @vitest-environment jsdom
// Queries joined by an operator: operator, bool and vector matching edited in the UI render the expected LogQL.
import '../../test/setup';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { LogQLVisualQuery } from '../../data/builder/model';
import { buildVisualQuery } from '../../data/builder/parse';
import { renderQuery } from '../../data/builder/render';
import { LogQLBuilder } from './LogQLBuilder';

// Grafana's Select menu watches its position with IntersectionObserver, which jsdom lacks
(globalThis as any).IntersectionObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

const ds = {
  languageProvider: {
    labelNames: vi.fn(async () => ['app']),
    labelValues: vi.fn(async () => ['api', 'web']),
    detectedFields: vi.fn(async () => []),
  },
} as any;

function Harness({ initial, out }: { initial: string; out: string[] }) {
  const [q, setQ] = useState<LogQLVisualQuery>(buildVisualQuery(initial).query!);
  return (
    <LogQLBuilder
      query={q}
      datasource={ds}
      onChange={(v) => {
        out.push(renderQuery(v));
        setQ(v);
      }}
      onRunQuery={() => undefined}
    />
  );
}

async function choose(label: string, option: string) {
  const input = screen.getByLabelText(label);
  fireEvent.keyDown(input, { key: 'ArrowDown' });
  await userEvent.click(await screen.findByText(option, { selector: '[role="option"] *, [role="option"]' }));
}

describe('nested queries', () => {
  it('edit the operator, bool and vector matching', async () => {
    const out: string[] = [];
    render(<Harness initial={'rate({app="api"}[1m]) / rate({app="web"}[1m])'} out={out} />);
    expect(screen.getByTestId('nested-query-0')).toBeInTheDocument();
    await choose('Binary operator', '>');
    expect(out.at(-1)).toBe('rate({app="api"} [1m]) > rate({app="web"} [1m])');
    await userEvent.click(screen.getByText('Bool').closest('div')!.parentElement!.querySelector('input')!);
    expect(out.at(-1)).toBe('rate({app="api"} [1m]) > bool rate({app="web"} [1m])');
    await choose('Vector matching', 'ignoring');
    const labels = await screen.findByLabelText('Matching labels');
    fireEvent.change(labels, { target: { value: 'level' } });
    fireEvent.blur(labels);
    await waitFor(() =>
      expect(out.at(-1)).toBe('rate({app="api"} [1m]) > bool ignoring (level) rate({app="web"} [1m])'),
    );
    await choose('Group modifier', 'group_left');
    const include = await screen.findByLabelText('Group labels');
    fireEvent.change(include, { target: { value: 'host' } });
    fireEvent.blur(include);
    await waitFor(() =>
      expect(out.at(-1)).toBe(
        'rate({app="api"} [1m]) > bool ignoring (level) group_left (host) rate({app="web"} [1m])',
      ),
    );
    await userEvent.click(screen.getByLabelText('Remove nested query'));
    expect(out.at(-1)).toBe('rate({app="api"} [1m])');
  });
});
