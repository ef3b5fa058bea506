// Per-line label state, modelled on Loki's LabelsBuilder (pkg/logql/log/labels.go):
// - stream labels are the base and never change; structured metadata and parsed (extracted/formatted) labels are
//   layered on top, parsed > metadata > stream;
// - `__error__` / `__error_details__` live outside the label set (err/errDetails) and are appended at the end;
// - `extracted` records every label a parser or formatter created on this line: later parsers skip those keys
//   (Loki's ParserHint.Extracted), which is what makes "the first value wins" across keys and across parsers.
import type { Labels } from '../../engine/types';
import { canonicalFrom } from '../../util/labels';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';
export const DUPLICATE_SUFFIX = '_extracted';

export class LabelsBuilder {
  base: Labels = {};
  readonly meta = new Map<string, string>();
  readonly parsed = new Map<string, string>();
  readonly del = new Set<string>();
  readonly extracted = new Set<string>();
  err = '';
  errDetails = '';
  /** true when nothing but the base is present (fast path for the output) */
  dirty = false;
  /** categorized's scratch: the label set's names and values, reused line after line */
  private readonly names: string[] = [];
  private readonly values: string[] = [];

  reset(base: Labels, metadata: Labels | undefined): void {
    this.base = base;
    if (this.dirty) {
      // (clearing allocates a new table even for an empty collection: most lines have no metadata and no deletions)
      if (this.meta.size > 0) this.meta.clear();
      if (this.parsed.size > 0) this.parsed.clear();
      if (this.del.size > 0) this.del.clear();
      if (this.extracted.size > 0) this.extracted.clear();
      this.err = '';
      this.errDetails = '';
      this.dirty = false;
    }
    if (metadata) {
      for (const name in metadata) {
        const v = metadata[name];
        // LabelsBuilder.Add: a metadata name clashing with a stream label gets the _extracted suffix
        const n = Object.hasOwn(base, name) ? name + DUPLICATE_SUFFIX : name;
        if (n === ERROR_LABEL) {
          this.err = v;
          this.dirty = true;
          continue;
        }
        if (n === ERROR_DETAILS_LABEL) {
          this.errDetails = v;
          this.dirty = true;
          continue;
        }
        if (this.parsed.has(n)) continue;
        this.meta.set(n, v);
        this.dirty = true;
      }
    }
  }

  baseHas(key: string): boolean {
    return Object.hasOwn(this.base, key);
  }

  /** a parser's target name: suffixed when it clashes with a stream label or structured metadata */
  clashName(key: string): string {
    return this.baseHas(key) || this.meta.has(key) ? key + DUPLICATE_SUFFIX : key;
  }

  /** LabelsBuilder.Get: undefined when absent (an empty stream label value counts as absent) */
  get(key: string): string | undefined {
    const p = this.parsed.get(key);
    if (p !== undefined) return p;
    const m = this.meta.get(key);
    if (m !== undefined) return m;
    if (this.del.has(key)) return undefined;
    const b = Object.hasOwn(this.base, key) ? this.base[key] : '';
    return b !== '' ? b : undefined;
  }

  /** the value a string label filter compares: `__error__` reads the error, a missing label is "" */
  value(key: string): string {
    if (key === ERROR_LABEL) return this.err;
    return this.get(key) ?? '';
  }

  setParsed(n: string, v: string): void {
    this.dirty = true;
    this.meta.delete(n);
    if (!this.parsed.has(n)) this.extracted.add(n);
    this.parsed.set(n, v);
  }

  delete(n: string): void {
    this.dirty = true;
    this.parsed.delete(n);
    this.meta.delete(n);
    this.del.add(n);
  }

  setErr(err: string, details?: string): void {
    this.dirty = true;
    this.err = err;
    if (details !== undefined) this.errDetails = details;
  }

  /**
   * The labels of a log answer's entry split as Loki's LabelsResult categorizes them: `labels` holds the stream and
   * parsed labels (errors included) but not the structured metadata, which the entry carries in `metadata` (renamed
   * on a clash with a stream label, less what stages dropped or overwrote); `parsed` the parsed labels and errors
   * (what categorize-labels prints as "parsed"; only `withParsed`). Keeping metadata out of `labels` lets every answer
   * path merge it the same way, whether the pipeline ran or not. A changed set comes in canonical form (sorted, its
   * JSON known: util/labels.ts canonicalFrom), since the log query keys entries by it.
   */
  categorized(withParsed = true): { labels: Labels; metadata?: Labels; parsed?: Labels } {
    if (!this.dirty) return { labels: this.base };
    if (this.err === '' && this.meta.size === 0 && this.parsed.size === 0 && this.del.size === 0)
      return { labels: this.base };
    const names = this.names;
    const values = this.values;
    let n = 0;
    for (const k in this.base) {
      if (this.del.has(k) || this.meta.has(k) || this.parsed.has(k)) continue;
      names[n] = k;
      values[n++] = this.base[k]!;
    }
    let metadata: Labels | undefined;
    let parsed: Labels | undefined;
    // (forEach: iterating a Map's entries allocates a pair per label)
    if (this.meta.size > 0) this.meta.forEach((v, k) => this.parsed.has(k) || ((metadata ??= {})[k] = v));
    this.parsed.forEach((v, k) => {
      if (withParsed) (parsed ??= {})[k] = v;
      // the errors below win over a parsed label of their name
      if ((k === ERROR_LABEL && this.err !== '') || (k === ERROR_DETAILS_LABEL && this.errDetails !== '')) return;
      names[n] = k;
      values[n++] = v;
    });
    if (this.err !== '') {
      if (withParsed) (parsed ??= {})[ERROR_LABEL] = this.err;
      names[n] = ERROR_LABEL;
      values[n++] = this.err;
    }
    if (this.errDetails !== '') {
      if (withParsed) (parsed ??= {})[ERROR_DETAILS_LABEL] = this.errDetails;
      names[n] = ERROR_DETAILS_LABEL;
      values[n++] = this.errDetails;
    }
    return { labels: canonicalFrom(names, values, n).sorted, metadata, parsed };
  }

  /** all labels (Loki's UnsortedLabels + errors) as a fresh object */
  labels(): Labels {
    if (!this.dirty) return this.base;
    // Loki's LabelsResult: with no error and nothing added or deleted, the stream labels alone (error details left
    // behind by `| drop __error__` are not shown then)
    if (this.err === '' && this.meta.size === 0 && this.parsed.size === 0 && this.del.size === 0) return this.base;
    const out: Labels = {};
    for (const k in this.base) {
      if (this.del.has(k) || this.meta.has(k) || this.parsed.has(k)) continue;
      out[k] = this.base[k];
    }
    for (const [k, v] of this.meta) if (!this.parsed.has(k)) out[k] = v;
    for (const [k, v] of this.parsed) out[k] = v;
    if (this.err !== '') out[ERROR_LABEL] = this.err;
    if (this.errDetails !== '') out[ERROR_DETAILS_LABEL] = this.errDetails;
    return out;
  }
}

/**
 * Structured metadata named as Loki's LabelsBuilder.Add names it before any stage runs (its no-op pipeline too): a
 * key clashing with a stream label gets the `_extracted` suffix, so the stream label keeps its value. Returns the
 * input when nothing clashes. (A later key overwrites an earlier one renamed onto it, as Add's Set does in Loki's
 * sorted order; metadata is stored with sorted keys.)
 */
export function renameMetadata(stream: Labels, metadata: Labels): Labels {
  let clash = false;
  for (const k in metadata)
    if (Object.hasOwn(stream, k)) {
      clash = true;
      break;
    }
  if (!clash) return metadata;
  const out: Labels = {};
  for (const k in metadata) out[Object.hasOwn(stream, k) ? k + DUPLICATE_SUFFIX : k] = metadata[k];
  return out;
}

/** sanitizeLabelKey(key, true): trim, prefix a leading digit with '_', every char outside [A-Za-z0-9_] → '_' */
export function sanitizeLabelKey(key: string): string {
  if (key.length === 0) return key;
  key = key.trim();
  if (key.length === 0) return key;
  let clean = true;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57))) {
      clean = false;
      break;
    }
  }
  const c0 = key.charCodeAt(0);
  const prefix = c0 >= 48 && c0 <= 57 ? '_' : '';
  if (clean) return prefix + key;
  let out = prefix;
  for (const ch of key) {
    const c = ch.charCodeAt(0);
    out += (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57) ? ch : '_';
  }
  return out;
}

function sanitizePart(part: string, first: boolean): string {
  const t = part.trim();
  if (t === '') return '';
  let out = first && t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57 ? '_' : '';
  for (const ch of t) {
    const c = ch.charCodeAt(0);
    out += (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57) ? ch : '_';
  }
  return out;
}

/** Loki's buildSanitizedPrefixFromBuffer: blank parts skipped, '_' between, digit prefix on the first part */
export function joinSanitized(parts: string[]): string {
  let out = '';
  for (const p of parts) {
    const s = sanitizePart(p, out.length === 0);
    if (s === '') continue;
    out = out.length > 0 ? out + '_' + s : s;
  }
  return out;
}
