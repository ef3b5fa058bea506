// Query hints from a sample of the result, after Grafana's Loki hints (public/app/plugins/datasource/loki/
// queryHints.ts): lines that look like JSON or logfmt → add the parser; parser errors in the result → drop them with
// `__error__=""`; a metric query returning many series without an aggregation → `sum by (…)`. Each hint carries its
// fix as a pure query edit, so the editor applies it in one click.
import type { DataFrame } from '@grafana/data';

import { isLogsQuery } from '../../data/logql';
import { addNoPipelineError, addParser, addSumBy, hasParser } from './queryEdits';

export type HintType = 'ADD_JSON_PARSER' | 'ADD_LOGFMT_PARSER' | 'ADD_NO_PIPELINE_ERROR' | 'ADD_SUM';

export interface QueryHint {
  type: HintType;
  /** what was seen in the result */
  label: string;
  fix: { label: string; apply: (expr: string) => string };
}

/** Lines sampled per query: enough to see a format, cheap on a 5000-line result. */
export const SAMPLE_LINES = 20;
/** A metric query returning at least this many series without an aggregation gets the `sum` hint. */
export const MANY_SERIES = 10;

// logfmt: at least two key=value pairs, the value bare or double-quoted (the shape Loki's logfmt decoder reads)
const LOGFMT_PAIR = /(?:^|\s)[A-Za-z_][\w.-]*=(?:"(?:[^"\\]|\\.)*"|[^\s"=]*)(?=\s|$)/g;

export function looksLikeJson(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) {
    return false;
  }
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

export function looksLikeLogfmt(line: string): boolean {
  return !looksLikeJson(line) && (line.match(LOGFMT_PAIR)?.length ?? 0) >= 2;
}

function fieldValues(frame: DataFrame, name: string): unknown[] {
  const f = frame.fields.find((x) => x.name === name);
  return f ? Array.from(f.values as ArrayLike<unknown>) : [];
}

function labelsOf(v: unknown): Record<string, string> {
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as Record<string, string>;
    } catch {
      return {};
    }
  }
  return v && typeof v === 'object' ? (v as Record<string, string>) : {};
}

function isLogFrame(f: DataFrame): boolean {
  return (
    f.meta?.type === 'log-lines' ||
    (f.fields.some((x) => x.name === 'body') && f.fields.some((x) => x.name === 'labels'))
  );
}

/** The labels of each series of a metric result (one value field per series, labels on it). */
function seriesLabels(frames: DataFrame[]): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const f of frames) {
    for (const field of f.fields) {
      if (field.type === 'number') {
        out.push(field.labels ?? {});
      }
    }
  }
  return out;
}

/** Labels worth grouping by: they vary across the series but take few values (a label unique per series, like a
 *  pod id, would not reduce anything). */
function groupingLabels(series: Array<Record<string, string>>): string[] {
  const values = new Map<string, Set<string>>();
  for (const s of series) {
    for (const [k, v] of Object.entries(s)) {
      if (!values.has(k)) {
        values.set(k, new Set());
      }
      values.get(k)!.add(v);
    }
  }
  // a label that splits the series exactly as one already chosen adds nothing (Loki's detected_level mirrors level)
  const seen = new Set<string>();
  return [...values.entries()]
    .filter(([k, vs]) => k !== '__error__' && vs.size > 1 && vs.size <= Math.max(2, series.length / 2))
    .sort(
      (a, b) =>
        a[1].size - b[1].size ||
        Number(a[0].startsWith('detected_')) - Number(b[0].startsWith('detected_')) ||
        a[0].localeCompare(b[0]),
    )
    .filter(([k]) => {
      const split = series.map((s) => s[k] ?? '').join('\u0000');
      if (seen.has(split)) {
        return false;
      }
      seen.add(split);
      return true;
    })
    .slice(0, 2)
    .map(([k]) => k);
}

const AGGREGATIONS = /^\s*(sum|avg|min|max|count|stddev|stdvar|topk|bottomk|sort|sort_desc|approx_topk)\b/;

export function getQueryHints(expr: string, frames: DataFrame[]): QueryHint[] {
  const hints: QueryHint[] = [];
  if (!expr.trim()) {
    return hints;
  }
  if (isLogsQuery(expr)) {
    const logFrames = frames.filter(isLogFrame);
    const lines = logFrames
      .flatMap((f) => fieldValues(f, 'body'))
      .slice(0, SAMPLE_LINES)
      .map(String);
    if (!hasParser(expr) && lines.length > 0) {
      if (lines.some(looksLikeJson)) {
        hints.push({
          type: 'ADD_JSON_PARSER',
          label: 'Selected log stream selector has JSON formatted logs.',
          fix: { label: 'Add json parser', apply: (e) => addParser(e, 'json') },
        });
      } else if (lines.some(looksLikeLogfmt)) {
        hints.push({
          type: 'ADD_LOGFMT_PARSER',
          label: 'Selected log stream selector has logfmt formatted logs.',
          fix: { label: 'Add logfmt parser', apply: (e) => addParser(e, 'logfmt') },
        });
      }
    }
    const errors = logFrames.flatMap((f) => fieldValues(f, 'labels')).some((l) => '__error__' in labelsOf(l));
    if (errors && !/__error__/.test(expr)) {
      hints.push({
        type: 'ADD_NO_PIPELINE_ERROR',
        label: 'Some lines have parsing errors (__error__ label).',
        fix: { label: 'Remove pipeline errors', apply: addNoPipelineError },
      });
    }
    return hints;
  }
  const series = seriesLabels(frames);
  if (series.length >= MANY_SERIES && !AGGREGATIONS.test(expr)) {
    const by = groupingLabels(series);
    hints.push({
      type: 'ADD_SUM',
      label: `Many time series results returned (${series.length}).`,
      fix: { label: by.length ? `Sum by ${by.join(', ')}` : 'Sum the series', apply: (e) => addSumBy(e, by) },
    });
  }
  return hints;
}
