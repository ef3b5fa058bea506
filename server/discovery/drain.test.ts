import { describe, expect, it } from 'vitest';
import { Drain, looksVariable, patternString, tokenize } from './drain';

describe('Drain', () => {
  it('clusters lines that differ in variables and prints `<_>` patterns', () => {
    const d = new Drain();
    for (let i = 0; i < 50; i++) {
      d.train(`user logged in: ${['alice', 'bob', 'carol'][i % 3]} from 10.0.0.${i} after ${i}ms`);
      d.train(`GET /api/items/${i} 200 ${i * 3}ms`);
    }
    const pats = d.all().map((c) => [patternString(c), c.count]);
    expect(pats).toContainEqual(['user logged in: <_> from <_> after <_>', 50]);
    expect(pats).toContainEqual(['GET <_>', 50]);
    expect(pats).toHaveLength(2);
  });

  it('keeps different templates apart and matches new lines to them', () => {
    const d = new Drain();
    d.train('connection opened to db-1');
    d.train('connection opened to db-2');
    d.train('disk full on /var');
    expect(d.all()).toHaveLength(2);
    expect(patternString(d.match('connection opened to db-9')!)).toBe('connection opened to <_>');
    expect(d.match('something else entirely')).toBeUndefined();
  });

  it('tokenizes key=value and JSON lines', () => {
    expect(tokenize('a=1 b="x y"').tokens).toEqual(['a=', '1', 'b=', '"x', 'y"']);
    expect(tokenize('{"a":1,"b":"x y"}').tokens).toEqual(['{', '"a":', '1', ',', '"b":', '"x y"', '}']);
    const d = new Drain();
    for (let i = 0; i < 5; i++) d.train(`{"level":"info","id":${i},"took":"${i}ms"}`);
    expect(patternString(d.all()[0]!)).toBe('{"level":"info","id":<_>,"took":<_>}');
  });

  it('recognises variable-looking tokens', () => {
    for (const t of [
      '42',
      '-1.5',
      '0x1f',
      '2026-11-20T10:00:01Z',
      '10.1.2.3:8080',
      '2001:db8::1',
      '12ms',
      'deadbeef42',
      'pod-7',
      '550e8400-e29b-41d4-a716-446655440000',
    ]) {
      expect(looksVariable(t), t).toBe(true);
    }
    for (const t of ['GET', 'error', 'level=', 'x86_64']) expect(looksVariable(t), t).toBe(false);
  });

  it('bounds the number of clusters', () => {
    const d = new Drain({ maxClusters: 10 });
    for (let i = 0; i < 100; i++) d.train(`unique${String.fromCharCode(97 + (i % 26))}${i} word${i} other${i}`);
    expect(d.all().length).toBeLessThanOrEqual(10);
  });
});
