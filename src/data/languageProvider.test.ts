import { describe, expect, it, vi } from 'vitest';
import { LanguageProvider, defaultRange } from './languageProvider';

describe('LanguageProvider', () => {
  it('calls the resources with the time range and a scoping selector, and caches', async () => {
    const getResource = vi.fn(async (path: string) => (path === 'labels' ? { status: 'success', data: ['b', 'a'] } : ['x']));
    const lp = new LanguageProvider({ getResource: getResource as any }, () => 1_700_000_000_000);
    lp.range = { start: '1', end: '2' };
    expect(await lp.labelNames()).toEqual(['a', 'b']);
    expect(await lp.labelNames()).toEqual(['a', 'b']);
    expect(getResource).toHaveBeenCalledTimes(1);
    expect(await lp.labelValues('app', '{env="p"}')).toEqual(['x']);
    expect(getResource).toHaveBeenLastCalledWith('label/app/values', { start: '1', end: '2', query: '{env="p"}' });
  });
  it('handles missing validate / detected_fields (404) gracefully', async () => {
    const getResource = vi.fn(async () => {
      throw { status: 404, data: { message: 'not found' } };
    });
    const lp = new LanguageProvider({ getResource: getResource as any });
    expect(await lp.validate('{a="b"}')).toBeUndefined();
    expect(lp.available.validate).toBe(false);
    expect(await lp.detectedFields('{a="b"} | json')).toEqual([]);
    await expect(lp.translate('{a="b"}')).rejects.toThrow('not found');
  });
  it('returns a validate error carried by a 400', async () => {
    const lp = new LanguageProvider({
      getResource: async () => {
        throw { status: 400, data: { error: { message: 'parse error', from: 3, to: 4 } } };
      },
    });
    expect(await lp.validate('{a=}')).toEqual({ error: { message: 'parse error', from: 3, to: 4 } });
  });
  it('default range is in nanoseconds', () => {
    expect(defaultRange(1, 3_600_000)).toEqual({ start: '0', end: '3600000000000' });
  });
});

describe('fields from a sample', () => {
  it('cuts the query before its first parser', async () => {
    const { beforeFirstParser } = await import('./languageProvider');
    expect(beforeFirstParser('{a="b"} |= "x" | json | level="e"')).toBe('{a="b"} |= "x"');
    expect(beforeFirstParser('{a="b"}')).toBe('{a="b"}');
  });
  it('extracts json and logfmt field names like Loki', async () => {
    const { extractFields } = await import('./languageProvider');
    expect(extractFields(['{"msg":"x","http":{"status":200},"tags":[1]}'], ['json'])).toEqual([
      { label: 'http_status', type: 'float' },
      { label: 'msg', type: 'string' },
    ]);
    expect(extractFields(['level=info took=5ms msg="a b"'], ['logfmt']).map((f) => f.label)).toEqual(['level', 'msg', 'took']);
  });
  it('falls back to the sample resource when detected_fields is missing', async () => {
    const getResource = vi.fn(async (path: string) => {
      if (path === 'detected_fields') throw { status: 404 };
      return { status: 'success', data: [{ line: '{"status":500,"path":"/x"}' }] };
    });
    const lp = new LanguageProvider({ getResource: getResource as any });
    expect((await lp.detectedFields('{a="b"} | json')).map((f) => f.label)).toEqual(['path', 'status']);
    expect(getResource).toHaveBeenLastCalledWith('sample', expect.objectContaining({ query: '{a="b"}', limit: 20 }));
  });
  it('unwraps the translate envelope', async () => {
    const t = { sql: [{ text: 'SELECT 1', params: [] }], tsStages: [], explain: '' };
    const lp = new LanguageProvider({ getResource: (async () => ({ status: 'success', data: t })) as any });
    expect(await lp.translate('{a="b"}')).toEqual(t);
  });
});
