import { describe, expect, it, vi } from 'vitest';
import { getCompletions, getSituation, logQueryBefore, type CompletionDataProvider } from './completion';

function provider(): CompletionDataProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    labelNames: vi.fn(async (sel?: string) => {
      calls.push(`names:${sel ?? ''}`);
      return ['app', 'env', 'level'];
    }),
    labelValues: vi.fn(async (name: string, sel?: string) => {
      calls.push(`values:${name}:${sel ?? ''}`);
      return name === 'app' ? ['api', 'web "x"'] : ['prod'];
    }),
    detectedFields: vi.fn(async (q: string) => {
      calls.push(`fields:${q}`);
      return [{ label: 'status', type: 'int' }, { label: 'duration' }];
    }),
  };
}

const at = (s: string) => [s.replace('|^|', ''), s.indexOf('|^|')] as const;

describe('getSituation', () => {
  it.each([
    ['|^|', 'EMPTY'],
    ['{|^|', 'LABEL_NAME'],
    ['{app="api", |^|', 'LABEL_NAME'],
    ['{app="|^|', 'LABEL_VALUE'],
    ['{app=~"a|^|', 'LABEL_VALUE'],
    ['{app="api"} |^|', 'AFTER_SELECTOR'],
    ['{app="api"} |= "x" |^|', 'AFTER_SELECTOR'],
    ['{app="api"} | |^|', 'PIPE'],
    ['{app="api"} | js|^|', 'PIPE'],
    ['{app="api"} | json | unwrap |^|', 'FIELDS'],
    ['count_over_time({app="api"} [|^|', 'RANGE'],
    ['sum by (|^|', 'GROUPING'],
    ['sum without (app, |^|', 'GROUPING'],
    ['rate({a="b"}[5m] |^|', 'AFTER_RANGE'],
    ['cou|^|', 'FUNCTIONS'],
    ['{app="api"} |= "{|^|', 'NONE'],
  ])('%s → %s', (text, type) => {
    const [t, off] = at(text);
    expect(getSituation(t, off).type).toBe(type);
  });

  it('scopes label values by the other matchers of the selector', () => {
    const [t, off] = at('{env="prod", app="|^|"}');
    expect(getSituation(t, off)).toMatchObject({ type: 'LABEL_VALUE', label: 'app', selector: '{env="prod"}', quoted: true });
  });

  it('finds the log query before the cursor', () => {
    expect(logQueryBefore('sum(count_over_time({a="b"} | json | x', 37)).toBe('{a="b"} | json');
    expect(logQueryBefore('sum by (x) (count_over_time({a="b"} | json [5m]))', 48)).toBe('{a="b"} | json');
  });
});

describe('getCompletions', () => {
  it('offers label names inside a selector, without the ones used', async () => {
    const dp = provider();
    const [t, off] = at('{app="api", |^|}');
    const r = await getCompletions(t, off, dp);
    expect(r.items.map((i) => i.label)).toEqual(['env', 'level']);
    expect(dp.calls).toContain('names:{app="api"}');
  });

  it('offers escaped label values', async () => {
    const [t, off] = at('{app="|^|"}');
    const r = await getCompletions(t, off, provider());
    expect(r.items.map((i) => i.insertText)).toEqual(['api', 'web \\"x\\"']);
    const [t2, off2] = at('{app=|^|}');
    expect((await getCompletions(t2, off2, provider())).items[0].insertText).toBe('"api"');
  });

  it('offers line filters and parsers after a selector, fields after a parser', async () => {
    const [t, off] = at('{app="api"} |^|');
    const r = await getCompletions(t, off, provider());
    const labels = r.items.map((i) => i.label);
    expect(labels).toContain('|= ""');
    expect(labels).toContain('| json');
    expect(labels).toContain('| logfmt');
    const dp = provider();
    const [t2, off2] = at('{app="api"} | json | |^|');
    const r2 = await getCompletions(t2, off2, dp);
    expect(r2.items.map((i) => i.label)).toEqual(expect.arrayContaining(['status', 'duration', 'line_format']));
    expect(dp.calls).toContain('fields:{app="api"} | json');
  });

  it('offers ranges, grouping labels and functions', async () => {
    const [t, off] = at('rate({app="api"}[|^|');
    expect((await getCompletions(t, off, provider())).items.map((i) => i.label)).toContain('$__auto');
    const [t2, off2] = at('sum by (|^|) (count_over_time({app="api"} | json [5m]))');
    const g = await getCompletions(t2, off2, provider());
    expect(g.items.map((i) => i.label)).toEqual(expect.arrayContaining(['app', 'level', 'status']));
    const f = await getCompletions('', 0, provider());
    expect(f.items.map((i) => i.label)).toEqual(expect.arrayContaining(['count_over_time', 'sum', 'rate', '{app=']));
  });

  it('unwrap offers fields and conversion functions', async () => {
    const [t, off] = at('{app="api"} | logfmt | unwrap |^|');
    const r = await getCompletions(t, off, provider());
    expect(r.items.map((i) => i.label)).toEqual(expect.arrayContaining(['status', 'duration', 'bytes']));
  });
});
