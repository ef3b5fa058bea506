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

/** The last key order canonicalLabels sorted: label sets built by one pipeline (a log query's parsed lines) mostly
 *  share their names in the same order, so the sort and the names' JSON are done once for them. */
let lastKeys: string[] = [];
let lastSorted: string[] = [];
let lastPrefixes: string[] = [];

/** A label set's canonical forms from one sort of its names: `json` (labelsJson) and `sorted`, a copy with its keys
 *  in sorted order that labelsJson answers from memory. */
export function canonicalLabels(labels: Labels): { json: string; sorted: Labels } {
  const keys = Object.keys(labels);
  let same = keys.length === lastKeys.length;
  for (let i = 0; same && i < keys.length; i++) same = keys[i] === lastKeys[i];
  if (!same) {
    lastKeys = keys;
    lastSorted = [...keys].sort();
    lastPrefixes = lastSorted.map((k, i) => (i > 0 ? ',' : '') + JSON.stringify(k) + ':');
  }
  const sorted: Labels = {};
  let json = '{';
  for (let i = 0; i < lastSorted.length; i++) {
    const k = lastSorted[i]!;
    const v = labels[k]!;
    sorted[k] = v;
    json += lastPrefixes[i] + JSON.stringify(v);
  }
  json += '}';
  knownJson.set(sorted, json);
  return { json, sorted };
}

/** JSON.stringify leaves a string as it is, between quotes, unless it holds one of these */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The order of labelsString(a) and labelsString(b) (negative, 0, positive) without building either: the first
 *  label that differs decides, compared as its `name="value"` text would be. Loki sorts result streams this way.
 *  `ka`/`kb`: the sets' sorted names, when the caller has them. */
export function compareLabels(a: Labels, b: Labels, ka = Object.keys(a).sort(), kb = Object.keys(b).sort()): number {
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const x = ka[i]!;
    const y = kb[i]!;
    if (x !== y) return compareText(x + '=', y + '=');
    const vx = a[x]!;
    const vy = b[y]!;
    if (vx === vy) continue;
    // the quoted values up to the closing quote (what follows it is the same in both: `, ` or `}`)
    return NEEDS_ESCAPE.test(vx) || NEEDS_ESCAPE.test(vy)
      ? compareText(JSON.stringify(vx), JSON.stringify(vy))
      : compareText(vx + '"', vy + '"');
  }
  // one set is the other plus more labels: `, ` (the longer one) sorts before `}`
  return kb.length - ka.length;
}

function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
