// Intermediate values of metric evaluation: one value per step of the grid. A series is present at a step when
// `present[i]` is 1 (NaN is a legitimate value, so it cannot mark absence).
import type { Labels } from '../engine/types';
import { labelsJson } from '../util/labels';

export interface SeriesData {
  labels: Labels;
  values: Float64Array;
  present: Uint8Array;
}

export type EvalValue = { kind: 'vector'; series: SeriesData[] } | { kind: 'scalar'; values: Float64Array };

export function newSeries(labels: Labels, steps: number): SeriesData {
  return { labels, values: new Float64Array(steps), present: new Uint8Array(steps) };
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
