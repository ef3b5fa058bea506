// Editor helpers over the backend's resources: label names and values (scoped by a selector), series, the SQL a
// query compiles to, validation, and the fields a sample of a stream shows. Results are cached for a minute.

import type { Translation, ValidationResult } from '../types';
import { getParsers, getSelectorSpans, parse } from './logql';

export interface ResourceClient {
  getResource<T = unknown>(path: string, params?: Record<string, unknown>): Promise<T>;
}

export interface TimeRangeNs {
  start: string;
  end: string;
}

export interface DetectedField {
  label: string;
  type?: string;
  parsers?: string[];
}

const TTL_MS = 60_000;

function unwrapList(res: unknown): string[] {
  if (Array.isArray(res)) {
    return res.map(String);
  }
  if (res && typeof res === 'object' && Array.isArray((res as { data?: unknown }).data)) {
    return ((res as { data: unknown[] }).data ?? []).map(String);
  }
  return [];
}

function status(err: unknown): number | undefined {
  const e = err as { status?: number; statusCode?: number; data?: { status?: number } };
  return e?.status ?? e?.statusCode ?? e?.data?.status;
}

export function errorMessage(err: unknown): string {
  const e = err as { data?: { message?: string; error?: string }; message?: string; statusText?: string };
  return e?.data?.message ?? e?.data?.error ?? e?.message ?? e?.statusText ?? String(err);
}

/** Nanosecond time range of the last `hours` hours. */
export function defaultRange(hours = 6, now = Date.now()): TimeRangeNs {
  const end = BigInt(now) * 1_000_000n;
  return { start: (end - BigInt(hours * 3600) * 1_000_000_000n).toString(), end: end.toString() };
}

export class LanguageProvider {
  private cache = new Map<string, { at: number; value: Promise<unknown> }>();
  /** set by the editor from the dashboard/Explore time range */
  range: TimeRangeNs | undefined;
  /** false after the backend answered 404 for validate / detected_fields / translate */
  readonly available = { validate: true, detectedFields: true, translate: true };

  constructor(
    private readonly client: ResourceClient,
    private readonly now: () => number = Date.now,
  ) {}

  private timeParams(): TimeRangeNs {
    return this.range ?? defaultRange(6, this.now());
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < TTL_MS) {
      return hit.value as Promise<T>;
    }
    const value = load();
    this.cache.set(key, { at: this.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /** Label names, scoped to the streams a selector matches when one is given. */
  labelNames(selector?: string): Promise<string[]> {
    const params: Record<string, unknown> = { ...this.timeParams() };
    if (selector && selector !== '{}') {
      params.query = selector;
    }
    return this.cached(`labels:${selector ?? ''}`, async () =>
      unwrapList(await this.client.getResource('labels', params)).sort(),
    );
  }

  labelValues(name: string, selector?: string): Promise<string[]> {
    const params: Record<string, unknown> = { ...this.timeParams() };
    if (selector && selector !== '{}') {
      params.query = selector;
    }
    return this.cached(`values:${name}:${selector ?? ''}`, async () =>
      unwrapList(await this.client.getResource(`label/${encodeURIComponent(name)}/values`, params)).sort(),
    );
  }

  series(match: string): Promise<Array<Record<string, string>>> {
    return this.cached(`series:${match}`, async () => {
      const res = await this.client.getResource<unknown>('series', { 'match[]': match, ...this.timeParams() });
      const list = Array.isArray(res) ? res : ((res as { data?: unknown[] })?.data ?? []);
      return list as Array<Record<string, string>>;
    });
  }

  /** The SQL the query compiles to for the data source's engine. Throws with the backend's message. */
  async translate(query: string, dialect?: string): Promise<Translation> {
    const params: Record<string, unknown> = { query };
    if (dialect) {
      params.dialect = dialect;
    }
    try {
      const res = await this.client.getResource<Translation | { data: Translation }>('translate', params);
      return 'data' in res && res.data ? res.data : (res as Translation);
    } catch (err) {
      if (status(err) === 404 && !/parse|error/i.test(errorMessage(err))) {
        this.available.translate = false;
      }
      throw new Error(errorMessage(err));
    }
  }

  /**
   * Validate with the backend's parser. Undefined when the backend has no validate resource (the editor then relies on
   * the client-side grammar alone).
   */
  async validate(query: string): Promise<ValidationResult | undefined> {
    if (!this.available.validate) {
      return undefined;
    }
    try {
      return await this.client.getResource<ValidationResult>('validate', { query });
    } catch (err) {
      const code = status(err);
      const data = (err as { data?: unknown }).data as ValidationResult | undefined;
      if (data && typeof data === 'object' && 'error' in data) {
        return data; // a 400 carrying the error body
      }
      if (code === 404) {
        this.available.validate = false;
      }
      return undefined;
    }
  }

  /**
   * Fields that `| json` / `| logfmt` extract from a sample of the stream: the backend's `detected_fields` when it
   * has one, else lines from its `sample` resource (the query up to its first parser) parsed here.
   */
  detectedFields(query: string): Promise<DetectedField[]> {
    return this.cached(`fields:${query}`, async () => {
      if (this.available.detectedFields) {
        try {
          const res = await this.client.getResource<{ fields?: DetectedField[] } | DetectedField[]>('detected_fields', {
            query,
            ...this.timeParams(),
          });
          const fields = Array.isArray(res) ? res : (res?.fields ?? []);
          return fields.filter((f) => f && typeof f.label === 'string');
        } catch (err) {
          if (status(err) !== 404) {
            return [];
          }
          this.available.detectedFields = false;
        }
      }
      return this.fieldsFromSample(query);
    });
  }

  private async fieldsFromSample(query: string): Promise<DetectedField[]> {
    const parsers = getParsers(query);
    const base = beforeFirstParser(query);
    if (!base) {
      return [];
    }
    try {
      const res = await this.client.getResource<{ data?: Array<{ line: string }> } | Array<{ line: string }>>('sample', {
        query: base,
        limit: 20,
        ...this.timeParams(),
      });
      const lines = (Array.isArray(res) ? res : (res?.data ?? [])).map((l) => String(l?.line ?? ''));
      return extractFields(lines, parsers);
    } catch {
      return [];
    }
  }
}

/** The query up to (not including) its first parser stage: `{a="b"} |= "x" | json | …` → `{a="b"} |= "x"`. */
export function beforeFirstParser(query: string): string {
  const sel = getSelectorSpans(query)[0];
  if (!sel) {
    return '';
  }
  let cut = query.length;
  parse(query).iterate({
    enter: (ref) => {
      if (ref.name === 'PipelineStage' && ref.node.firstChild?.name === 'Pipe') {
        cut = Math.min(cut, ref.from);
        return false;
      }
      return ref.name !== 'Range';
    },
  });
  const range = query.slice(sel.from).search(/\[/);
  if (range >= 0) {
    cut = Math.min(cut, sel.from + range);
  }
  return query.slice(sel.from, cut).trim();
}

function sanitize(key: string): string {
  const k = key.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(k) ? `_${k}` : k;
}

function flattenJson(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      flattenJson(v, prefix ? `${prefix}_${sanitize(k)}` : sanitize(k), out);
    }
  } else if (prefix && !Array.isArray(value)) {
    out.set(prefix, typeof value === 'number' ? 'float' : typeof value === 'boolean' ? 'boolean' : 'string');
  }
}

/** Field names (Loki's sanitized form) that json / logfmt would extract from these lines. */
export function extractFields(lines: string[], parsers: string[]): DetectedField[] {
  const fields = new Map<string, string>();
  const json = parsers.length === 0 || parsers.includes('json');
  const logfmt = parsers.length === 0 || parsers.includes('logfmt');
  for (const line of lines) {
    const t = line.trim();
    if (json && t.startsWith('{')) {
      try {
        flattenJson(JSON.parse(t), '', fields);
        continue;
      } catch {
        // not JSON
      }
    }
    if (logfmt) {
      for (const m of t.matchAll(/(?:^|\s)([^\s="]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
        const v = m[2].replace(/^"|"$/g, '');
        fields.set(sanitize(m[1]), v !== '' && Number.isFinite(Number(v)) ? 'float' : 'string');
      }
    }
  }
  return [...fields.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, type]) => ({ label, type }));
}
