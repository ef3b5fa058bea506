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
  return sortedJson(l, Object.keys(l).sort());
}

/** The last key order canonicalLabels sorted: label sets built by one pipeline (a log query's parsed lines) mostly
 *  share their names in the same order, so the sort is done once for them. */
let lastKeys: string[] = [];
let lastSorted: string[] = [];
/** whether an object keeps lastSorted's order: JavaScript puts array-index names ("0", "42") first */
let lastInOrder = true;
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** A label set's canonical forms from one sort of its names: `json` (labelsJson) and `sorted`, a copy with its keys
 *  in sorted order that labelsJson answers from memory. */
export function canonicalLabels(labels: Labels): { json: string; sorted: Labels } {
  const keys = Object.keys(labels);
  let same = keys.length === lastKeys.length;
  for (let i = 0; same && i < keys.length; i++) same = keys[i] === lastKeys[i];
  if (!same) {
    lastKeys = keys;
    lastSorted = [...keys].sort();
    lastInOrder = !lastSorted.some((k) => ARRAY_INDEX.test(k));
  }
  const sorted: Labels = {};
  for (let i = 0; i < lastSorted.length; i++) {
    const k = lastSorted[i]!;
    sorted[k] = labels[k]!;
  }
  // one native serialisation of the sorted copy: a single flat string, where joining quoted pieces left ~2 KB of
  // intermediate strings per set (a log query keys every parsed line by it)
  const json = lastInOrder ? JSON.stringify(sorted) : sortedJson(sorted, lastSorted);
  knownJson.set(sorted, json);
  return { json, sorted };
}

function sortedJson(l: Labels, keys: string[]): string {
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out += (i > 0 ? ',' : '') + JSON.stringify(k) + ':' + JSON.stringify(l[k]);
  }
  return out + '}';
}

/** The name orders canonicalFrom sorted last, newest first (its own: a pipeline's sets and the streams' would evict
 *  each other). A few, since parsed lines of one stream often alternate between shapes (a field some lines lack). */
interface NameOrder {
  names: string[];
  order: number[];
  /** no name an object would treat apart */
  plain: boolean;
}
const fromOrders: NameOrder[] = [];
const FROM_ORDERS = 4;

function nameOrder(names: string[], n: number): NameOrder {
  for (let c = 0; c < fromOrders.length; c++) {
    const o = fromOrders[c]!;
    let same = n === o.names.length;
    for (let i = 0; same && i < n; i++) same = names[i] === o.names[i];
    if (!same) continue;
    if (c > 0) {
      fromOrders.splice(c, 1);
      fromOrders.unshift(o);
    }
    return o;
  }
  const own = names.slice(0, n);
  const o: NameOrder = {
    names: own,
    order: own.map((_, i) => i).sort((a, b) => compareText(own[a]!, own[b]!)),
    plain: !own.some((k) => k === '__proto__' || ARRAY_INDEX.test(k)),
  };
  fromOrders.unshift(o);
  if (fromOrders.length > FROM_ORDERS) fromOrders.pop();
  return o;
}

/**
 * canonicalLabels of the set given as `n` names (unique) and their values, without an unsorted object first: a log
 * query's pipeline builds every parsed line's set this way (builder.ts), an object fewer per line. `sorted` is
 * registered for labelsJson as canonicalLabels' is. Names JavaScript objects treat apart (array indexes, which
 * iterate first, and `__proto__`) still give the right JSON, and a null-prototype `sorted` that holds them all.
 */
export function canonicalFrom(names: string[], values: string[], n: number): { json: string; sorted: Labels } {
  const { order, plain } = nameOrder(names, n);
  const sorted: Labels = plain ? {} : Object.create(null);
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    sorted[names[j]!] = values[j]!;
  }
  let json: string;
  if (plain) json = JSON.stringify(sorted);
  else {
    json = '{';
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      json += (i > 0 ? ',' : '') + JSON.stringify(names[j]) + ':' + JSON.stringify(values[j]);
    }
    json += '}';
  }
  knownJson.set(sorted, json);
  return { json, sorted };
}

/** canonicalLabels' answer for a set canonicalFrom or canonicalLabels built (undefined for any other object) */
export function knownCanonical(l: Labels): { json: string; sorted: Labels } | undefined {
  const json = knownJson.get(l);
  return json === undefined ? undefined : { json, sorted: l };
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
