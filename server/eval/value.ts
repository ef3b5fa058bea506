// Intermediate values of metric evaluation: one value per step of the grid. A series is present at a step when
// `present[i]` is 1 (NaN is a legitimate value, so it cannot mark absence).
//
// A range aggregation's series may be windowed: its arrays cover only the steps [first, first + values.length) and it
// is absent elsewhere. A query without `by` over a parser keeps every extracted label, so it can make one series per
// line (100,000 series over 433 steps: 3 × 8 bytes × 433 per series, ~1 GB, and as many step loops, when each series
// spanned the whole grid; measured 43 s for `sum by (host) (avg_over_time({app="web"} | logfmt | unwrap …))` on the
// public suite's data). Only vector aggregations read windowed series; everything else gets them through densify.
import type { Labels } from '../engine/types';
import { labelsJson } from '../util/labels';

export interface SeriesData {
  labels: Labels;
  values: Float64Array;
  present: Uint8Array;
  /** the grid step of values[0] when the series is windowed (default 0: the arrays span the whole grid) */
  first?: number;
}

export type EvalValue = { kind: 'vector'; series: SeriesData[] } | { kind: 'scalar'; values: Float64Array };

export function newSeries(labels: Labels, steps: number): SeriesData {
  return { labels, values: new Float64Array(steps), present: new Uint8Array(steps) };
}

/** A series covering only the steps [first, first + length) of the grid. */
export function windowedSeries(labels: Labels, first: number, length: number): SeriesData {
  const s = newSeries(labels, length);
  if (first > 0) s.first = first;
  return s;
}

/**
 * Series built from (label set, step, value) cells arriving in any order, each sized to the steps it holds
 * (windowedSeries): an answer of many short series — one per parsed label set — holds no whole grid per series.
 * Cells of one series and step add up (`sum`) or the last one stands (`set`).
 */
export class SeriesCells {
  private readonly series = new Map<string, { labels: Labels; k: number[]; v: number[]; lo: number; hi: number }>();
  constructor(private readonly mode: 'sum' | 'set') {}

  add(labels: Labels, k: number, v: number, key = labelsKey(labels)): void {
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, k: [], v: [], lo: k, hi: k }));
    s.k.push(k);
    s.v.push(v);
    if (k < s.lo) s.lo = k;
    if (k > s.hi) s.hi = k;
  }

  result(): SeriesData[] {
    const out: SeriesData[] = [];
    for (const s of this.series.values()) {
      const w = windowedSeries(s.labels, s.lo, s.hi - s.lo + 1);
      for (let i = 0; i < s.k.length; i++) {
        const j = s.k[i]! - s.lo;
        w.values[j] = this.mode === 'sum' ? w.values[j]! + s.v[i]! : s.v[i]!;
        w.present[j] = 1;
      }
      out.push(w);
    }
    return out;
  }
}

/** The series over the whole grid of `steps` steps (itself when it already is). */
export function densify(s: SeriesData, steps: number): SeriesData {
  const first = s.first ?? 0;
  if (first === 0 && s.values.length === steps) return s;
  const d = newSeries(s.labels, steps);
  d.values.set(s.values, first);
  d.present.set(s.present, first);
  return d;
}

/** Canonical identity of a label set: its JSON with sorted keys (util/labels.ts labelsJson), so a log answer can
 *  print the key it grouped entries by. */
export const labelsKey = labelsJson;

/** labelsKey for one label set after another, remembering the last: pipelines hand back the stream's own labels
 *  object for every line they leave unchanged, so per-row callers skip re-sorting and re-quoting it. Label objects
 *  are never mutated once keyed (pipelines build a fresh object whenever a line's labels change). */
export class LabelsKeyer {
  private last?: Labels;
  private lastKey = '';

  key(labels: Labels): string {
    if (labels !== this.last) {
      this.last = labels;
      this.lastKey = labelsKey(labels);
    }
    return this.lastKey;
  }
}

export function sortedLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}
