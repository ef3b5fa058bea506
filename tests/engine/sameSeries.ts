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
      else expect(x).toBeCloseTo(vb[i]!, digits);
    });
  }
  return a.size;
}
