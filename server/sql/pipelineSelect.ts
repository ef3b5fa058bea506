// The rows of a scan with a log pipeline computed in SQL (sql/pipeline/compile.ts): three nested levels — helper
// probes, label columns, then the pipeline's verdict per row (`u`: unsure, `kp`: kept) and its output labels
// (`o0`, `o1`, … in the order asked; `ln`: the line a line_format or decolorize rewrote, when the consumer reads it).
// Each level is computed once per row.
import type { SqlPipeline } from './pipeline/compile';
import type { Dialect } from './dialect';
import { ENTRIES_TABLE } from '../schema/native';

export function pipelineRows(d: Dialect, where: string[], p: SqlPipeline, extra: string[] = []): string {
  const a = d.derivedAlias;
  const src = d.entries ?? ENTRIES_TABLE;
  const base = ['stream_id', 'ts', 'line', 'metadata', ...extra];
  const l1 = `SELECT ${[...base, ...p.helpers].join(', ')} FROM ${src} WHERE ${where.join(' AND ')}`;
  const l2 = `SELECT ${[...base, ...p.labels].join(', ')} FROM (${l1})${a}`;
  const outs = [...p.output.values()].map((e, i) => `${e} AS o${i}`);
  if (p.line !== undefined) outs.push(`${p.line} AS ln`);
  return `SELECT ${[...base, `coalesce(${p.unsure}, FALSE) AS u`, `coalesce(${p.keep}, FALSE) AS kp`, ...outs].join(', ')} FROM (${l2})${a}`;
}
