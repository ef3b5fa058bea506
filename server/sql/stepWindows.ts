// Which steps of a range query a row (or a bucket of rows) falls into, as SQL over non-negative integers only, so
// plain integer division is floor division on every engine and the SQL stays readable in `translate`.
//
// Rows are read from `from` = first step − offset − range (exclusive: a row exactly there lies in no window), so
// v = ts − from ≥ 1. Step k (time first + k·step) covers (first + k·step − offset − range, first + k·step − offset],
// i.e. k·step < v ≤ k·step + range, i.e. k ∈ [ceil((v − range) / step), floor((v − 1) / step)].
//
// Bucketing: with g dividing both step and range, every v in ((c − 1)·g, c·g] lands in the same steps as V = c·g
// (window edges are multiples of g), namely k ∈ [ceil((V − range) / step), floor((V − g) / step)]. g = 1 is the
// unbucketed case.
import type { Dialect } from './dialect';

export interface StepWindows {
  from: bigint;
  step: bigint;
  steps: number;
  range: bigint;
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function constant(d: Dialect, n: bigint): string {
  return d.int64Const ? d.int64Const(n.toString()) : n.toString();
}

/** `ts − from`, ≥ 1 for every row read */
export function offsetInRange(d: Dialect, q: StepWindows): string {
  return `(ts - ${constant(d, q.from)})`;
}

/** ceil(v / g)·g for v ≥ 1: the right edge of the bucket of width g holding v */
export function bucketEdge(d: Dialect, v: string, g: bigint): string {
  if (g === 1n) return v;
  return `(${d.exactDiv(`(${v} + ${constant(d, g - 1n)})`, constant(d, g))} * ${constant(d, g)})`;
}

/** the first and last step index covered by bucket edge V (a multiple of g, ≥ g), clamped to the grid */
export function stepSpan(d: Dialect, V: string, g: bigint, q: StepWindows): { lo: string; hi: string } {
  const s = constant(d, q.step);
  const lo = d.exactDiv(`(greatest(${V} - ${constant(d, q.range)}, 0) + ${constant(d, q.step - 1n)})`, s);
  const hi = `least(${d.exactDiv(`(${V} - ${constant(d, g)})`, s)}, ${q.steps - 1})`;
  return { lo, hi };
}
