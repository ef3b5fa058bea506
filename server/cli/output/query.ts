// A query answer (query, instant, volume) in the chosen output format.
import { renderMatrix, renderScalar, renderVector } from './metrics';
import { renderStreams } from './streams';
import type { LokiLabels } from './types';
import type { LokiQueryResponse, OutputFormat } from './types';

export function renderQuery(
  answer: { text: string; body: LokiQueryResponse },
  format: OutputFormat,
  direction: 'forward' | 'backward' = 'backward',
  /** streams as a table: labels left out of every row */
  common: LokiLabels = {},
): string {
  if (format === 'json') return answer.text.endsWith('\n') ? answer.text : answer.text + '\n';
  const d = answer.body.data;
  let lines: string[];
  switch (d.resultType) {
    case 'streams':
      lines = renderStreams(d.result, format, direction, common);
      break;
    case 'matrix':
      lines = renderMatrix(d.result, format);
      break;
    case 'vector':
      lines = renderVector(d.result, format);
      break;
    case 'scalar':
      lines = renderScalar(d.result, format);
      break;
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
