import { describe, expect, it } from 'vitest';
import {
  durationNanosFast,
  durationSeconds,
  durationSecondsOf,
  parseGoDuration,
  parseGoDurationExact,
} from './convert';
import { prng } from '../../../tests/engine/prng';

describe('Go durations', () => {
  it('the double fast path gives exactly what the BigInt walk gives, or leaves the text to it', () => {
    const r = prng(11);
    const rng = { int: (n: number) => Math.floor(r() * n) };
    const units = ['ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h', 'x', 'mss', ''];
    const digits = (k: number) => Array.from({ length: k }, () => String(rng.int(10))).join('');
    const fixed = ['0', '-0', '+0', '', '.', '.s', '5.s', '.5s', '1h30m', '-1.5h', '+2ms', '9007199254740993ns'];
    const texts = [...fixed];
    for (let i = 0; i < 20000; i++) {
      let t = rng.int(4) === 0 ? (rng.int(2) ? '-' : '+') : '';
      for (let p = 0, parts = 1 + rng.int(3); p < parts; p++) {
        const intPart = digits(rng.int(rng.int(5) === 0 ? 20 : 6));
        const frac = rng.int(2) ? '.' + digits(rng.int(rng.int(5) === 0 ? 20 : 5)) : '';
        t += intPart + frac + units[rng.int(units.length)];
      }
      texts.push(t);
    }
    let fast = 0;
    for (const t of texts) {
      const want = parseGoDurationExact(t);
      expect([t, parseGoDuration(t)]).toEqual([t, want]);
      const ns = durationNanosFast(t);
      if (ns === undefined) continue;
      fast++;
      expect([t, durationSecondsOf(ns)]).toEqual([t, durationSeconds(want.value)]);
    }
    expect(fast).toBeGreaterThan(texts.length / 4);
  });
});
