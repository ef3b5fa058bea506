// The evaluation grid of a metric query: Loki evaluates at start, start+step, … while ≤ end (an instant query is the
// single time `end`). Every window is (t − offset − range, t − offset]; a sample exactly at t − offset counts, also
// at the last step (Loki 3.7.6; Loki 2.9 dropped a sample sitting exactly on `end − offset`).

export interface StepGrid {
  start: bigint;
  end: bigint;
  step: bigint;
  /** evaluation times, ascending */
  times: bigint[];
  instant: boolean;
}

export function stepGrid(start: bigint, end: bigint, step: bigint, instant: boolean): StepGrid {
  if (instant) return { start: end, end, step: 0n, times: [end], instant };
  const times: bigint[] = [];
  for (let t = start; t <= end; t += step) times.push(t);
  return { start, end, step, times, instant };
}

/** Loki's default step: max(floor((end − start) / 250 s), 1 s), in ns. */
export function defaultStep(start: bigint, end: bigint): bigint {
  const s = (end - start) / 250n / 1_000_000_000n;
  return (s > 1n ? s : 1n) * 1_000_000_000n;
}

export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

export function nsToMs(ns: bigint): number {
  return Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6;
}
