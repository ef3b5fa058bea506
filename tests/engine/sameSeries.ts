import { expect } from 'vitest';
import { labelsKey, type EvalValue } from '../../server/eval/value';

/** A vector value as label set → per-step value (null where the step has none). */
export function seriesByLabels(v: EvalValue): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  if (v.kind !== 'vector') throw new Error('vector expected');
  for (const s of v.series)
    out.set(
      labelsKey(s.labels),
      [...s.values].map((x, i) => (s.present[i] ? x : null)),
    );
  return out;
}

/** Asserts two answers have the same series and the same steps, values equal to `digits` decimals; returns how
 *  many series they have (tests comparing two paths also check the answer is not empty). */
export function expectSameSeries(got: EvalValue, want: EvalValue, digits: number): number {
  const a = seriesByLabels(got);
  const b = seriesByLabels(want);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, va] of a) {
    const vb = b.get(k)!;
    va.forEach((x, i) => {
      if (x === null || vb[i] === null || !Number.isFinite(x) || !Number.isFinite(vb[i]!)) expect(x).toBe(vb[i]);
      else {
        // `digits` decimals, relative past 1: a double holds ~16 significant digits, so values in the millions
        // (byte sizes) may differ in their 9th decimal by the order of one rounding (a quantile's interpolation
        // written a + (b − a)·w by the database and a·(1 − w) + b·w by Loki)
        const tolerance = 0.5 * 10 ** -digits * Math.max(1, Math.abs(vb[i]!));
        expect(Math.abs(x - vb[i]!), `${x} ≈ ${vb[i]}`).toBeLessThanOrEqual(tolerance);
      }
    });
  }
  return a.size;
}
