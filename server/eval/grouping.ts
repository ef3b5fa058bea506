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
