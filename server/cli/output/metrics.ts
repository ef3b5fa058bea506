// Metric answers (matrix, vector, scalar) in every output format. A matrix is one row per series — its labels, a
// sparkline over the answer's time axis, and last/min/max — instead of one line per point.
import { labelsString } from '../../util/labels';
import { sparkline } from './sparkline';
import { alignRows } from './table';
import { formatSeconds } from './time';
import { formatValue, parseValue } from './values';
import type { LokiPoint, LokiSample, LokiSeries, OutputFormat } from './types';

type Format = Exclude<OutputFormat, 'json'>;

export function renderMatrix(series: LokiSeries[], format: Format, width = 40): string[] {
  switch (format) {
    case 'raw':
      return series.flatMap((s) => s.values.map(([t, v]) => `${labelsString(s.metric)} ${formatSeconds(t)} ${v}`));
    case 'jsonl':
      return series.map((s) => JSON.stringify(s));
    case 'table': {
      if (series.length === 0) return [];
      const axis = [...new Set(series.flatMap((s) => s.values.map((p) => p[0])))].sort((a, b) => a - b);
      const rows = series.map((s) => {
        const pts = new Map(s.values.map(([t, v]) => [t, parseValue(v)] as const));
        const finite = [...pts.values()].filter((v) => !Number.isNaN(v));
        const last = s.values.length ? formatValue(parseValue(s.values[s.values.length - 1]![1])) : '';
        return [
          labelsString(s.metric),
          sparkline(axis, pts, width),
          last,
          finite.length ? formatValue(Math.min(...finite)) : '',
          finite.length ? formatValue(Math.max(...finite)) : '',
          String(s.values.length),
        ];
      });
      const caption = `${series.length} series, ${axis.length} steps from ${formatSeconds(axis[0]!)} to ${formatSeconds(axis[axis.length - 1]!)}`;
      return [
        caption,
        ...alignRows(rows, { header: ['SERIES', 'TREND', 'LAST', 'MIN', 'MAX', 'POINTS'], right: [2, 3, 4, 5] }),
      ];
    }
  }
}

export function renderVector(samples: LokiSample[], format: Format): string[] {
  switch (format) {
    case 'raw':
      return samples.map((s) => `${labelsString(s.metric)} ${formatSeconds(s.value[0])} ${s.value[1]}`);
    case 'jsonl':
      return samples.map((s) => JSON.stringify(s));
    case 'table':
      if (samples.length === 0) return [];
      return [
        `at ${formatSeconds(samples[0]!.value[0])}`,
        ...alignRows(
          samples.map((s) => [labelsString(s.metric), formatValue(parseValue(s.value[1]))]),
          { header: ['SERIES', 'VALUE'], right: [1] },
        ),
      ];
  }
}

export function renderScalar(p: LokiPoint, format: Format): string[] {
  if (format === 'jsonl') return [JSON.stringify(p)];
  return [format === 'raw' ? p[1] : `${formatValue(parseValue(p[1]))} at ${formatSeconds(p[0])}`];
}
