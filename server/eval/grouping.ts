import type { Labels } from '../engine/types';

/** The label set a series falls into under `by (names)` (without = false) or `without (names)`. */
export function groupLabels(labels: Labels, without: boolean, names: string[]): Labels {
  const out: Labels = {};
  if (without) {
    for (const k of Object.keys(labels)) if (!names.includes(k)) out[k] = labels[k];
  } else {
    for (const k of names) if (labels[k] !== undefined && labels[k] !== '') out[k] = labels[k];
  }
  return out;
}

/** Grouping of a range aggregation (`avg_over_time(…) by (x)`): as groupLabels, except that a sample carrying
 *  `__error__` keeps all its labels — Loki does not group errors away, so the query still fails as a pipeline error
 *  instead of folding failed conversions into a group. */
export function rangeGroupLabels(labels: Labels, without: boolean, names: string[]): Labels {
  return labels.__error__ ? labels : groupLabels(labels, without, names);
}
