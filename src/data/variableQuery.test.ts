import { describe, expect, it } from 'vitest';
import { parseVariableQuery, variableQueryToString } from './variableQuery';

describe('variable queries', () => {
  it('parses the string forms', () => {
    expect(parseVariableQuery('label_names()')).toMatchObject({ type: 'labelNames' });
    expect(parseVariableQuery('label_values(job)')).toMatchObject({ type: 'labelValues', label: 'job' });
    expect(parseVariableQuery('label_values({app="a", b=~"x,y"}, job)')).toMatchObject({
      type: 'labelValues',
      label: 'job',
      stream: '{app="a", b=~"x,y"}',
    });
    expect(parseVariableQuery('sum by (app) (rate({a="b"}[5m]))')).toMatchObject({ type: 'logql' });
  });
  it('round-trips', () => {
    for (const s of ['label_names()', 'label_values(job)', 'label_values({a="b"}, job)']) {
      expect(variableQueryToString(parseVariableQuery(s))).toBe(s);
    }
  });
});
