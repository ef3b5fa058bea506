import type { Labels } from '../engine/types';

/** A label set as Loki prints it, `{a="1", b="2"}`: sorted names, JSON-quoted values (also the order Loki sorts
 *  result streams by). Stream ids hash a Go-quoted variant instead: see schema/native.ts canonicalLabels. */
export function labelsString(l: Record<string, string>): string {
  const keys = Object.keys(l).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out += (i > 0 ? ', ' : '') + k + '=' + JSON.stringify(l[k]);
  }
  return out + '}';
}

/** The JSON text of label sets that were already serialised when built (a log query keys every entry's labels by it):
 *  encoding the answer reuses it instead of sorting and quoting each set again. Such label objects are never mutated. */
const knownJson = new WeakMap<Labels, string>();

/** A label set as a JSON object with sorted keys, as Loki prints it (parsed label strings are sorted). */
export function labelsJson(l: Labels): string {
  const known = knownJson.get(l);
  if (known !== undefined) return known;
  const keys = Object.keys(l).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out += (i > 0 ? ',' : '') + JSON.stringify(k) + ':' + JSON.stringify(l[k]);
  }
  return out + '}';
}

/** `labels` with its keys in sorted order, remembered with its labelsJson text `json` (computed by the caller). */
export function sortedWithJson(labels: Labels, json: string): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  knownJson.set(out, json);
  return out;
}
