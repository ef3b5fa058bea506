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

/** A label set as a JSON object with sorted keys, as Loki prints it (parsed label strings are sorted). Sets built
 *  line after line (a metric pipeline's samples) share their names' sort (nameOrder). */
export function labelsJson(l: Labels): string {
  const known = knownJson.get(l);
  if (known !== undefined) return known;
  const n = namesOf(l);
  return orderedJson(nameOrder(scratchNames, n), scratchValues, n);
}

/** A label set's names in the order given, the permutation that sorts them, each sorted name's JSON prefix (`"name":`,
 *  a comma before all but the first), and whether the sorted copy can be a plain object. */
interface NameOrder {
  names: string[];
  order: number[];
  prefixes: string[];
  /** no name an object would treat apart: array indexes (JavaScript iterates them first) and `__proto__` */
  plain: boolean;
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** The name orders sorted last, newest first: label sets built by one pipeline mostly share their names in one of
 *  a few orders (lines of a stream with and without some field), so the sort and the names' JSON are done once. */
const recentOrders: NameOrder[] = [];
const RECENT_ORDERS = 4;

function nameOrder(names: string[], n: number): NameOrder {
  for (let c = 0; c < recentOrders.length; c++) {
    const o = recentOrders[c]!;
    let same = n === o.names.length;
    for (let i = 0; same && i < n; i++) same = names[i] === o.names[i];
    if (!same) continue;
    for (let j = c; j > 0; j--) recentOrders[j] = recentOrders[j - 1]!;
    recentOrders[0] = o;
    return o;
  }
  const own = names.slice(0, n);
  const order = own.map((_, i) => i).sort((a, b) => compareText(own[a]!, own[b]!));
  const o: NameOrder = {
    names: own,
    order,
    prefixes: order.map((j, i) => (i > 0 ? ',' : '') + JSON.stringify(own[j]) + ':'),
    plain: !own.some((k) => k === '__proto__' || ARRAY_INDEX.test(k)),
  };
  recentOrders.unshift(o);
  if (recentOrders.length > RECENT_ORDERS) recentOrders.pop();
  return o;
}

/** a label set's names and values, read into these (no arrays per call); returns their count */
const scratchNames: string[] = [];
const scratchValues: string[] = [];
function namesOf(l: Labels): number {
  let n = 0;
  for (const k in l) {
    scratchNames[n] = k;
    scratchValues[n++] = l[k]!;
  }
  return n;
}

function orderedJson(o: NameOrder, values: string[], n: number): string {
  let out = '{';
  for (let i = 0; i < n; i++) out += o.prefixes[i]! + JSON.stringify(values[o.order[i]!]);
  return out + '}';
}

/** A label set's canonical forms: `json` (labelsJson) and `sorted`, a copy with its keys in sorted order that
 *  labelsJson answers from memory (the set itself when it is one already). */
export function canonicalLabels(labels: Labels): { json: string; sorted: Labels } {
  return knownCanonical(labels) ?? canonicalFrom(scratchNames, scratchValues, namesOf(labels));
}

/**
 * canonicalLabels of the set given as `n` names (unique) and their values, without an object first: a log query's
 * pipeline builds every parsed line's set this way (builder.ts). `sorted` is registered for labelsJson. Names
 * JavaScript objects treat apart (array indexes, which iterate first, and `__proto__`) still give the right JSON, and
 * a null-prototype `sorted` that holds them all.
 */
export function canonicalFrom(names: string[], values: string[], n: number): { json: string; sorted: Labels } {
  const o = nameOrder(names, n);
  const sorted: Labels = o.plain ? {} : Object.create(null);
  for (let i = 0; i < n; i++) {
    const j = o.order[i]!;
    sorted[names[j]!] = values[j]!;
  }
  // one native serialisation of the sorted copy: a single flat string, where joining quoted pieces left ~2 KB of
  // intermediate strings per set (a log query keys every parsed line by it)
  const json = o.plain ? JSON.stringify(sorted) : orderedJson(o, values, n);
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
