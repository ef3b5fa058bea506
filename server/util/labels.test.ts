import { describe, expect, it } from 'vitest';
import { canonicalFrom, canonicalLabels, compareLabels, knownCanonical, labelsJson, labelsString } from './labels';
import { Rng } from '../../tests/hardening/fuzz/random';

/** small alphabets so that prefixes, shared names and escapes meet often */
const NAMES = ['a', 'a1', 'a_', 'ab', 'b', 'B', 'z9', '_x'];
const VALUES = ['', 'x', 'x"', 'x\\', 'x\n', 'x y', 'é', '😀', '\ud800', 'x,', '0', '00', 'x=', 'x}'];

describe('label set forms', () => {
  it('compareLabels orders as the labels strings do (Loki sorts result streams by them)', () => {
    const rng = new Rng(20261205);
    const rnd = () => rng.next();
    const pick = <T>(xs: T[]) => rng.pick(xs);
    const sets = Array.from({ length: 400 }, () => {
      const l: Record<string, string> = {};
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) l[pick(NAMES)] = pick(VALUES);
      return l;
    });
    for (const a of sets.slice(0, 60))
      for (const b of sets) {
        const want = Math.sign(labelsString(a) < labelsString(b) ? -1 : labelsString(a) > labelsString(b) ? 1 : 0);
        expect([a, b, Math.sign(compareLabels(a, b))]).toEqual([a, b, want]);
      }
  });

  it('canonicalLabels gives the sorted set and its JSON, which labelsJson then answers', () => {
    const { json, sorted } = canonicalLabels({ b: '2', a: 'x"y' });
    expect(json).toBe('{"a":"x\\"y","b":"2"}');
    expect(Object.keys(sorted)).toEqual(['a', 'b']);
    expect(labelsJson(sorted)).toBe(json);
    expect(labelsJson({ b: '2', a: 'x"y' })).toBe(json);
  });

  it('canonicalLabels keeps the sorted order in its JSON when a name is an array index', () => {
    // JavaScript iterates "10" and "2" before "a" whatever the insertion order
    const { json } = canonicalLabels({ a: '1', '10': 'x', '2': 'y', 'b\u00e9': 'z' });
    expect(json).toBe('{"10":"x","2":"y","a":"1","b\u00e9":"z"}');
  });

  it('canonicalFrom gives what canonicalLabels gives, across alternating shapes and names objects treat apart', () => {
    const shapes = [
      ['level', 'app', 'status', 'host'],
      ['app', 'level', 'host'],
      ['b', '__proto__', '7', 'a'],
      ['msg', 'app', 'z_extracted', 'a1', 'A'],
      ['app', 'level', 'host', 'zone', 'env'],
    ];
    for (let i = 0; i < 40; i++) {
      const names = shapes[(i * 7) % shapes.length]!;
      const values = names.map((n, j) => `${n}"${i + j}\u00e9`);
      const { json, sorted } = canonicalFrom([...names, 'unused'], values, names.length);
      const want =
        '{' +
        [...names]
          .sort()
          .map((n) => `${JSON.stringify(n)}:${JSON.stringify(values[names.indexOf(n)])}`)
          .join(',') +
        '}';
      expect(json).toBe(want);
      expect(knownCanonical(sorted)?.json).toBe(json);
      expect(labelsJson(sorted)).toBe(json);
      expect(Object.keys(sorted).sort()).toEqual([...names].sort());
    }
    expect(knownCanonical({ a: '1' })).toBeUndefined();
  });

  it('canonicalLabels agrees with a fresh sort however names repeat, reorder and change between calls', () => {
    const rng = new Rng(7);
    let prev: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) {
      // half the time the previous set's names again (new values), in the same or another order
      const l: Record<string, string> = {};
      const names = rng.chance(0.5) ? Object.keys(prev) : Array.from({ length: rng.int(0, 5) }, () => rng.pick(NAMES));
      if (rng.chance(0.3)) names.reverse();
      for (const n of names) l[n] = rng.pick(VALUES);
      const keys = Object.keys(l).sort();
      const want = '{' + keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(l[k])}`).join(',') + '}';
      const { json, sorted } = canonicalLabels(l);
      expect([l, json, Object.keys(sorted)]).toEqual([l, want, keys]);
      prev = l;
    }
  });
});
