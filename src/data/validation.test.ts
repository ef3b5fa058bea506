import { describe, expect, it } from 'vitest';
import { backendMarkers, clientMarkers } from './validation';

describe('markers', () => {
  it('client markers come from the grammar', () => {
    expect(clientMarkers('{a="b"}')).toEqual([]);
    expect(clientMarkers('{a="b"} | json | = "x"')).toHaveLength(1);
  });
  it('backend markers use from/to, or line/column', () => {
    const expr = '{a="b"}\n| foo';
    expect(backendMarkers(expr, { ok: true })).toEqual([]);
    expect(backendMarkers(expr, { valid: true })).toEqual([]);
    expect(backendMarkers(expr, { valid: false, error: { message: 'bad', from: 10, to: 13 } })).toHaveLength(1);
    expect(backendMarkers(expr, undefined)).toBeUndefined();
    expect(backendMarkers(expr, { error: { message: 'bad', from: 10, to: 13 } })).toEqual([{ from: 10, to: 13, message: 'bad' }]);
    expect(backendMarkers(expr, { error: { message: 'bad', line: 2, column: 3 } })).toEqual([{ from: 10, to: 13, message: 'bad' }]);
  });
});
